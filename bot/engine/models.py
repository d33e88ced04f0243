"""Plain data types of the knowledge base. Immutable once loaded, so a reload can swap them atomically."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine.series import Series

AREAS = (
    "uflpa", "section-307", "ilo-conventions", "ilo-supervision", "escalation", "un", "eu",
    "other-jurisdictions", "glossary", "timeline", "how-to",
)
SOURCE_KINDS = (
    "statute", "regulation", "treaty", "constitution", "guidance", "report", "decision", "commentary", "news",
)
SOURCE_STANDINGS = ("official", "secondary")  # issued by the authority itself, or a report about it by someone else
EXCERPT_KINDS = ("quote", "paraphrase", "note")  # the source's words, the source's facts in our words, our remark
VALUE_STATUSES = ("official", "reported")


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
    standing: str = "official"
    updated: date | None = None  # a page that changes (a list, a dashboard): the day of the version read
    file: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        return self.short or self.title

    @property
    def secondary(self) -> bool:
        return self.standing == "secondary"


@dataclass(frozen=True)
class Excerpt:
    text: str
    source_id: str  # empty for a note
    pinpoint: str
    kind: str = "paraphrase"  # one of EXCERPT_KINDS
    line: int = 0

    @property
    def quote(self) -> bool:
        return self.kind == "quote"

    @property
    def is_note(self) -> bool:
        """A curator's remark: shown as a note, never numbered or attributed to a source."""
        return self.kind == "note"


@dataclass(frozen=True)
class Step:
    title: str
    who: str
    what: str
    time_limits: str
    precedent: str
    source_id: str
    pinpoint: str
    status: str = ""  # where a case stands at this step: the curators' tracking, shown as a note, never attributed
    note: str = ""  # the curator's remark on this step: shown as a note, never attributed to the step's source
    branches: tuple[str, ...] = ()  # alternative routes at this step, drawn side by side in the ladder picture
    reached: bool = True  # False: no known case has reached this step (the picture marks it)
    line: int = 0

    def as_excerpt(self) -> Excerpt:
        """A ladder step is retrieved and cited like a paraphrased excerpt."""
        parts = [f"{self.title}. Who can act: {self.who}. {self.what}", f"Time limits: {self.time_limits}."]
        if self.precedent:
            parts.append(f"Precedent: {self.precedent}")
        return Excerpt(" ".join(parts), self.source_id, self.pinpoint, kind="paraphrase", line=self.line)

    def sourced_texts(self) -> tuple[str, ...]:
        """The fields attributed to the step's source (the status and the note are the curators' own)."""
        return (self.title, self.who, self.what, self.time_limits, self.precedent)


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
    # Cumulative conditions or steps the entry holds: the summary states every one, and answers never cut its excerpts.
    conditions: tuple[str, ...] = ()
    # The registry values this entry's text uses, as "name=value@as_of": part of the fingerprint, so a changed
    # value refreshes every explainer that shows it even when the wording around it stays the same.
    value_stamps: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def is_ladder(self) -> bool:
        return bool(self.steps)

    @property
    def values_used(self) -> tuple[str, ...]:
        return tuple(stamp.split("=", 1)[0] for stamp in self.value_stamps)

    def passages(self) -> tuple[Excerpt, ...]:
        """What retrieval indexes and answers cite: the sourced excerpts, or the ladder's steps (never notes)."""
        return tuple(e for e in self.excerpts if not e.is_note) + tuple(step.as_excerpt() for step in self.steps)

    def notes(self) -> tuple[str, ...]:
        """The curators' notes, shown apart from the numbered citations."""
        notes = [e.text for e in self.excerpts if e.is_note]
        for step in self.steps:
            notes += [f"{step.title}: {text}" for text in (step.status, step.note) if text]
        return tuple(notes)

    def fingerprint(self) -> str:
        """Changes whenever anything a reader sees changes (used to refresh posted explainers)."""
        payload = asdict(self)
        payload.pop("file")
        payload.pop("line")
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Value:
    """One fact that changes (a count, the current portal, a status), kept in one place: knowledge/values.yaml."""

    id: str
    value: str  # the wording substituted for {{id}}
    as_of: date  # known to be current as of this day
    source_id: str
    review_every: int  # days
    status: str = "official"  # or "reported"
    reported_by: str = ""  # who reports it, when status is "reported"
    since: date | None = None  # when it became true, if known
    literal_patterns: tuple[str, ...] = ()  # regexes that must not appear in entry text (state it by reference)
    description: str = ""
    file: str = ""
    line: int = 0

    def review_due(self) -> date:
        return self.as_of + timedelta(days=self.review_every)

    def overdue(self, today: date) -> bool:
        return today > self.review_due()

    def stamp(self) -> str:
        return f"{self.id}={self.value}@{self.as_of.isoformat()}"


@dataclass(frozen=True)
class KnowledgeBase:
    sources: dict[str, Source]
    entries: dict[str, Entry]  # ladders included, in file order
    synonyms: tuple[tuple[str, ...], ...] = ()
    files: tuple[str, ...] = field(default=())
    series: dict[str, Series] = field(default_factory=dict)  # charts' data, keyed by series id
    values: dict[str, Value] = field(default_factory=dict)

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
