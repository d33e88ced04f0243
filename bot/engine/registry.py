"""The registry of facts that change (knowledge/values.yaml) and how entries refer to them.

Entry text says `{{entity_list_total}}` (the value's wording) or `{{entity_list_total.as_of}}` (the day it is
current as of, "29 November 2026"); the loader substitutes them, so one edit to the registry updates every entry,
answer and pinned explainer that uses the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.engine.models import KnowledgeBase, Value

REFERENCE = re.compile(r"\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}")
VALUE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
FIELDS = ("as_of", "since")  # {{name.as_of}}, {{name.since}}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def day_text(day: date) -> str:
    """29 November 2026: the way the knowledge base writes dates."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Substitution:
    text: str
    used: tuple[str, ...]  # value ids, in order of first use
    unknown: tuple[str, ...]  # references that name no value (or no field of it)


def substitute(text: str, values: dict[str, Value]) -> Substitution:
    """Replace every {{reference}}; unknown ones stay as written and are reported."""
    used: list[str] = []
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        name, _, field = match[1].partition(".")
        value = values.get(name)
        if value is None or (field and field not in FIELDS) or (field == "since" and value.since is None):
            unknown.append(match[1])
            return match[0]
        if name not in used:
            used.append(name)
        if field:
            return day_text(getattr(value, field))
        return value.value

    return Substitution(REFERENCE.sub(replace, text), tuple(used), tuple(unknown))


def literal_uses(text: str, values: dict[str, Value]) -> list[tuple[str, str]]:
    """(value id, matched words) for each registered value the text states literally instead of by reference."""
    found = []
    bare = REFERENCE.sub(" ", text)  # the references themselves are the right way to say it
    for value in values.values():
        for pattern in value.literal_patterns:
            match = re.search(pattern, bare, flags=re.IGNORECASE)
            if match:
                found.append((value.id, match[0]))
                break
    return found


def overdue(values: dict[str, Value], today: date) -> list[Value]:
    """Values past their review interval, the most overdue first."""
    return sorted((v for v in values.values() if v.overdue(today)), key=lambda v: (v.review_due(), v.id))


@dataclass(frozen=True)
class ValueChange:
    """One registry value that a reload changed: what the Discord layer announces and refreshes."""

    id: str
    old: str | None  # None: the value is new
    new: str | None  # None: the value was removed
    old_as_of: date | None
    new_as_of: date | None
    entries: tuple[str, ...]  # entries (in the new knowledge base, or the old one if removed) that use it


def value_changes(old: KnowledgeBase, new: KnowledgeBase) -> tuple[ValueChange, ...]:
    """Every value added, removed or edited (wording, as_of, since, status or source) between two loads."""
    changes = []
    for ident in sorted(set(old.values) | set(new.values)):
        before, after = old.values.get(ident), new.values.get(ident)
        if before is not None and after is not None and _same(before, after):
            continue
        kb = new if after is not None else old
        users = tuple(e.id for e in kb.entries.values() if ident in e.values_used)
        changes.append(ValueChange(
            id=ident,
            old=before.value if before else None,
            new=after.value if after else None,
            old_as_of=before.as_of if before else None,
            new_as_of=after.as_of if after else None,
            entries=users,
        ))
    return tuple(changes)


def _same(a: Value, b: Value) -> bool:
    return (a.value, a.as_of, a.since, a.status, a.reported_by, a.source_id) == (
        b.value, b.as_of, b.since, b.status, b.reported_by, b.source_id)
