"""What changed between two loads of the knowledge base, as plain data that can be stored and compared later.

A `Snapshot` keeps what moderators are told about: each entry's fingerprint and title, and each registry value with
its as-of day and the entries that use it. Its `version` is a stable hash of that, so two processes (or a restart)
that load the same files agree on it, and a snapshot stored in the database lets start-up work out what changed
while the bot was down.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.engine.models import KnowledgeBase
from bot.engine.registry import ValueChange

VERSION_LENGTH = 16


@dataclass(frozen=True)
class Snapshot:
    entries: dict[str, tuple[str, str]]  # entry id -> (fingerprint, title)
    values: dict[str, dict[str, Any]]  # value id -> value, as_of, since, status, reported_by, source, description
    uses: dict[str, tuple[str, ...]]  # value id -> entries that use it

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Snapshot:
        entries = {eid: (entry.fingerprint(), entry.title) for eid, entry in kb.entries.items()}
        values = {
            v.id: {"value": v.value, "as_of": v.as_of.isoformat(), "since": v.since.isoformat() if v.since else None,
                   "status": v.status, "reported_by": v.reported_by, "source": v.source_id, "description": v.description}
            for v in kb.values.values()
        }
        uses = {vid: tuple(e.id for e in kb.entries.values() if vid in e.values_used) for vid in kb.values}
        return cls(entries, values, uses)

    @property
    def version(self) -> str:
        """Stable over reloads of the same files: entry fingerprints already cover the values each entry uses."""
        payload = {"entries": {k: v[0] for k, v in self.entries.items()}, "values": self.values}
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:VERSION_LENGTH]

    def to_json(self) -> str:
        return json.dumps({"entries": self.entries, "values": self.values, "uses": self.uses}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Snapshot | None:
        """None when the stored text is not a snapshot (an older or damaged row): then nothing can be compared."""
        try:
            data = json.loads(text)
            entries = {str(k): (str(v[0]), str(v[1])) for k, v in data["entries"].items()}
            values = {str(k): dict(v) for k, v in data["values"].items()}
            uses = {str(k): tuple(map(str, v)) for k, v in data["uses"].items()}
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None
        return cls(entries, values, uses)


@dataclass(frozen=True)
class ChangeSet:
    """Entries added, edited and removed, and registry values edited, from one version to the next."""

    values: tuple[ValueChange, ...] = ()
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # edited, including every entry whose values changed
    removed: tuple[str, ...] = ()
    descriptions: dict[str, str] = field(default_factory=dict)  # value id -> what it counts, for the note
    titles: dict[str, str] = field(default_factory=dict)  # entry id -> title (removed entries' too)

    @property
    def empty(self) -> bool:
        return not (self.values or self.added or self.changed or self.removed)

    def description(self, value_id: str) -> str:
        return self.descriptions.get(value_id) or value_id

    def title(self, entry_id: str) -> str:
        return self.titles.get(entry_id) or entry_id

    def to_json(self) -> str:
        values = [
            {"id": c.id, "old": c.old, "new": c.new, "entries": list(c.entries),
             "old_as_of": c.old_as_of.isoformat() if c.old_as_of else None,
             "new_as_of": c.new_as_of.isoformat() if c.new_as_of else None}
            for c in self.values
        ]
        return json.dumps({"values": values, "added": list(self.added), "changed": list(self.changed),
                           "removed": list(self.removed), "descriptions": self.descriptions, "titles": self.titles},
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ChangeSet:
        """An empty change set when the stored text cannot be read (nothing is announced from a damaged row)."""
        try:
            data = json.loads(text)
            values = tuple(
                ValueChange(str(v["id"]), v["old"], v["new"], _day(v["old_as_of"]), _day(v["new_as_of"]),
                            tuple(map(str, v["entries"])))
                for v in data["values"]
            )
            return cls(values, tuple(map(str, data["added"])), tuple(map(str, data["changed"])),
                       tuple(map(str, data["removed"])), {str(k): str(v) for k, v in data["descriptions"].items()},
                       {str(k): str(v) for k, v in data["titles"].items()})
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def compare(old: Snapshot, new: Snapshot) -> ChangeSet:
    """What changed from `old` to `new`, in a stable order (values by id, entries in the new file order)."""
    added = tuple(eid for eid in new.entries if eid not in old.entries)
    changed = tuple(eid for eid in new.entries if eid in old.entries and old.entries[eid][0] != new.entries[eid][0])
    removed = tuple(eid for eid in old.entries if eid not in new.entries)
    values = []
    for vid in sorted(set(old.values) | set(new.values)):
        before, after = old.values.get(vid), new.values.get(vid)
        if before == after:
            continue
        uses = new.uses.get(vid, ()) if after is not None else old.uses.get(vid, ())
        values.append(ValueChange(
            id=vid,
            old=before["value"] if before else None,
            new=after["value"] if after else None,
            old_as_of=_day(before["as_of"]) if before else None,
            new_as_of=_day(after["as_of"]) if after else None,
            entries=tuple(uses),
        ))
    descriptions: dict[str, str] = {}
    for vid in (c.id for c in values):
        described = (new.values.get(vid) or old.values.get(vid) or {}).get("description")
        if described:
            descriptions[vid] = str(described)
    titles = {eid: (new.entries.get(eid) or old.entries[eid])[1] for eid in (*added, *changed, *removed)}
    return ChangeSet(tuple(values), added, changed, removed, descriptions, titles)
