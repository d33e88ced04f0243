"""Holds the engine being served and swaps in a new one atomically on reload.

A reload builds the new engine off the event loop; only when it loads cleanly does the reference change, so
a broken edit keeps the last good knowledge base serving and reports every problem with file:line.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.loader import KnowledgeBaseError
from bot.engine.prompts import PromptError
from bot.engine.registry import ValueChange, value_changes
from bot.engine.service import Engine


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    problems: tuple[str, ...] = ()
    changed: frozenset[str] = field(default_factory=frozenset)  # entries added or edited
    removed: frozenset[str] = field(default_factory=frozenset)
    entries: int = 0
    # Registry values edited by this reload, old -> new, with the entries that use each (for announcements).
    values: tuple[ValueChange, ...] = ()


class EngineHolder:
    def __init__(self, kb_dir: Path, prompts_dir: Path, engine: Engine | None = None, **options):
        self.kb_dir, self.prompts_dir, self.options = Path(kb_dir), Path(prompts_dir), options
        self._engine = engine or Engine.load(self.kb_dir, self.prompts_dir, **options)
        self._lock = asyncio.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    async def reload(self) -> ReloadResult:
        async with self._lock:
            try:
                new = await asyncio.to_thread(Engine.load, self.kb_dir, self.prompts_dir, **self.options)
            except KnowledgeBaseError as exc:
                return ReloadResult(False, tuple(str(p) for p in exc.problems), entries=len(self._engine.kb.entries))
            except PromptError as exc:
                return ReloadResult(False, tuple(exc.problems), entries=len(self._engine.kb.entries))
            old = self._engine
            changed = frozenset(
                eid for eid in new.kb.entries if old.entry_fingerprint(eid) != new.entry_fingerprint(eid)
            )
            removed = frozenset(set(old.kb.entries) - set(new.kb.entries))
            self._engine = new  # one reference assignment: readers see the old or the new, never a mix
            # Entry fingerprints include the values each entry uses, so every entry using a changed value is in
            # `changed` even where the wording around the value stayed the same.
            return ReloadResult(True, (), changed, removed, len(new.kb.entries), value_changes(old.kb, new.kb))
