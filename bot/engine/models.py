"""Plain data types of the knowledge base. Immutable once loaded, so a reload can swap them atomically."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine.series import Series

AREAS = (
    "uflpa", "section-307", "ilo-conventions", "ilo-supervision", "escalation", "un", "eu",
    "other-jurisdictions", "glossary", "timeline", "how-to",
)
SOURCE_KINDS = (
    "statute", "regulation", "treaty", "constitution", "guidance", "report", "decision", "commentary",
)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    citation: str
    publisher: str
    kind: str
    url: str
    date: date
    date_label: str = ""  # as written: a day, or only a month or year when no day is known
    short: str = ""
    effective: date | None = None
    aliases: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        return self.short or self.title


@dataclass(frozen=True)
class Excerpt:
    text: str
    source_id: str
    pinpoint: str
    quote: bool
    line: int = 0


@dataclass(frozen=True)
class Step:
    title: str
    who: str
    what: str
    time_limits: str
    precedent: str
    source_id: str
    pinpoint: str
    status: str = ""
    branches: tuple[str, ...] = ()  # alternative routes at this step, drawn side by side in the ladder picture
    reached: bool = True  # False: no known case has reached this step (the picture marks it)
    line: int = 0

    def as_excerpt(self) -> Excerpt:
        """A ladder step is retrieved and cited like a paraphrased excerpt."""
        parts = [f"{self.title}. Who can act: {self.who}. {self.what}", f"Time limits: {self.time_limits}."]
        if self.precedent:
            parts.append(f"Precedent: {self.precedent}")
        if self.status:
            parts.append(f"Status: {self.status}")
        return Excerpt(" ".join(parts), self.source_id, self.pinpoint, quote=False, line=self.line)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    area: str
    summary: str
    last_reviewed: date
    aliases: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    excerpts: tuple[Excerpt, ...] = ()
    steps: tuple[Step, ...] = ()
    related: tuple[str, ...] = ()
    event_date: date | None = None
    event_label: str = ""  # event_date as written (a month when no day is known)
    as_of: date | None = None
    file: str = ""
    line: int = 0

    @property
    def is_ladder(self) -> bool:
        return bool(self.steps)

    def passages(self) -> tuple[Excerpt, ...]:
        """What retrieval indexes and answers cite: the excerpts, or the ladder's steps."""
        return self.excerpts + tuple(step.as_excerpt() for step in self.steps)

    def fingerprint(self) -> str:
        """Changes whenever anything a reader sees changes (used to refresh posted explainers)."""
        payload = asdict(self)
        payload.pop("file")
        payload.pop("line")
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class KnowledgeBase:
    sources: dict[str, Source]
    entries: dict[str, Entry]  # ladders included, in file order
    synonyms: tuple[tuple[str, ...], ...] = ()
    files: tuple[str, ...] = field(default=())
    series: dict[str, Series] = field(default_factory=dict)  # charts' data, keyed by series id

    @property
    def ladders(self) -> dict[str, Entry]:
        return {key: entry for key, entry in self.entries.items() if entry.is_ladder}

    @property
    def timeline(self) -> list[Entry]:
        dated = [entry for entry in self.entries.values() if entry.area == "timeline" and entry.event_date]
        return sorted(dated, key=lambda entry: (entry.event_date, entry.id))

    @property
    def last_reviewed(self) -> date | None:
        return max((entry.last_reviewed for entry in self.entries.values()), default=None)
