"""Holds the engine being served and swaps in a new one atomically on reload.

A reload reads and checks the knowledge files in a child process with a memory and time limit (they are
untrusted input), then indexes them off the event loop; only when everything loads cleanly does the reference
change, so a broken or hostile edit keeps the last good knowledge base serving and reports its problems with
file:line. The last reload's result stays available for /kb status and /readyz.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.engine.isolated_load import MEMORY_LIMIT_BYTES, TIME_LIMIT_SECONDS, load_in_child
from bot.engine.loader import KnowledgeBaseError, clip
from bot.engine.models import KnowledgeBase
from bot.engine.prompts import PromptError, Prompts
from bot.engine.registry import ValueChange, value_changes
from bot.engine.service import Engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    problems: tuple[str, ...] = ()
    changed: frozenset[str] = field(default_factory=frozenset)  # entries added or edited
    removed: frozenset[str] = field(default_factory=frozenset)
    entries: int = 0  # topics served after the reload (the previous knowledge base's when it failed)
    # Registry values edited by this reload, old -> new, with the entries that use each (for announcements).
    values: tuple[ValueChange, ...] = ()
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    reader_peak_mb: float = 0.0  # peak memory of the child that read the files (0 when it was stopped)

    def summary(self, first: int = 3) -> dict:
        """When it finished, whether it worked, how many problems and the first few (for /readyz and logs)."""
        return {
            "finished_at": self.finished_at.isoformat(timespec="seconds"),
            "ok": self.ok,
            "problems": len(self.problems),
            "first_problems": [clip(p, 300) for p in self.problems[:first]],
        }


class EngineHolder:
    memory_limit = MEMORY_LIMIT_BYTES  # for the child that reads the files on reload
    time_limit = TIME_LIMIT_SECONDS

    def __init__(self, kb_dir: Path, prompts_dir: Path, engine: Engine | None = None, **options):
        self.kb_dir, self.prompts_dir, self.options = Path(kb_dir), Path(prompts_dir), options
        self._engine = engine or Engine.load(self.kb_dir, self.prompts_dir, **options)
        self._lock = asyncio.Lock()
        self.last_reload: ReloadResult | None = None  # None until the first reload since start

    @property
    def engine(self) -> Engine:
        return self._engine

    async def reload(self) -> ReloadResult:
        async with self._lock:
            self.last_reload = await self._reload()
            return self.last_reload

    async def _reload(self) -> ReloadResult:
        serving = len(self._engine.kb.entries)
        try:
            loaded = await load_in_child(self.kb_dir, memory_limit=self.memory_limit, time_limit=self.time_limit)
            if loaded.kb is None:
                return ReloadResult(False, tuple(map(str, loaded.problems)), entries=serving, reader_peak_mb=loaded.peak_mb)
            new = await asyncio.to_thread(self._build, loaded.kb)
        except KnowledgeBaseError as exc:
            return ReloadResult(False, tuple(str(p) for p in exc.problems), entries=serving)
        except PromptError as exc:
            return ReloadResult(False, tuple(exc.problems), entries=serving)
        except MemoryError:
            return ReloadResult(False, ("out of memory while indexing the new knowledge base",), entries=serving)
        except Exception as exc:  # whatever went wrong, the reload fails and the previous knowledge base serves on
            log.exception("knowledge base reload failed unexpectedly")
            return ReloadResult(False, (f"unexpected error while reloading: {type(exc).__name__}: {clip(exc, 200)}",),
                                entries=serving)
        old = self._engine
        changed = frozenset(
            eid for eid in new.kb.entries if old.entry_fingerprint(eid) != new.entry_fingerprint(eid)
        )
        removed = frozenset(set(old.kb.entries) - set(new.kb.entries))
        self._engine = new  # one reference assignment: readers see the old or the new, never a mix
        # Entry fingerprints include the values each entry uses, so every entry using a changed value is in
        # `changed` even where the wording around the value stayed the same.
        return ReloadResult(True, (), changed, removed, len(new.kb.entries), value_changes(old.kb, new.kb),
                            reader_peak_mb=loaded.peak_mb)

    def _build(self, kb: KnowledgeBase) -> Engine:
        return Engine(kb, Prompts.load(self.prompts_dir), **self.options)
