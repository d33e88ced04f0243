"""Checks that a sourced excerpt can only say what its source says.

Two signs that it does not: curator wording ("this knowledge base", "not confirmed", "from memory"), which
belongs in a note, and a date later than the source itself (a source cannot report what happened after it was
published). A later date is accepted when the words just before it schedule it ("applies from 14 December 2027",
"due by 14 June 2026"): a law can set a future date, it cannot report a future event.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from bot.engine.models import Source

# Curator remarks: they never belong inside text attributed to a source.
NOTE_LIKE = re.compile(
    r"\b(?:this|the) knowledge base\b|\bnot (?:individually |yet )?confirmed\b|\bunconfirmed\b"
    r"|\bindividually confirmed\b|\bfrom memory\b|\bthe fact sheet\b|\bfacts\.md\b",
    re.IGNORECASE,
)

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES["sept"] = 9
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SCHEDULED = re.compile(
    r"\b(?:by|until|till|due|from|before|no later than|not later than|deadline(?: of)?|expires?(?: on)?)\s*(?:\S+\s+){0,1}$",
    re.IGNORECASE,
)

# "CBP would begin enforcing on 21 June 2022": a source can say what is to happen.
_MODAL = re.compile(r"\b(?:will|would|shall|is to|are to|was to|were to)\b", re.IGNORECASE)
_MOVED_TO = re.compile(r"\b(?:postpone[sd]?|move[sd]?|defer(?:s|red)?|delay(?:s|ed)?|extend(?:s|ed)?)\b[^.]*\bto\s*$",
                       re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True)
class DateMention:
    text: str
    earliest: date  # the first day the words can mean ("March 2025" -> 1 March 2025)
    start: int


def date_mentions(text: str) -> list[DateMention]:
    """Dates written as "18 March 2025", "March 18, 2025", "March 2025" or "2025-03-18"."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match, year: int, month: int, day: int) -> None:
        if any(a <= match.start() < b for a, b in taken):
            return
        try:
            found.append(DateMention(match[0], date(year, month, day), match.start()))
        except ValueError:
            return
        taken.append(match.span())

    for match in _ISO.finditer(text):
        add(match, int(match[1]), int(match[2]), int(match[3]))
    for match in _DAY_MONTH_YEAR.finditer(text):
        add(match, int(match[3]), _MONTH_NAMES[match[2].lower()], int(match[1]))
    for match in _MONTH_DAY_YEAR.finditer(text):
        add(match, int(match[3]), _MONTH_NAMES[match[1].lower()], int(match[2]))
    for match in _MONTH_YEAR.finditer(text):
        add(match, int(match[2]), _MONTH_NAMES[match[1].lower()], 1)
    return sorted(found, key=lambda m: m.start)


def latest_publication_day(source: Source) -> date | None:
    """The last day the source can speak of: its date (a month or year covers the whole period), or, for a page
    that changes, the day of the version read (`updated`)."""
    if source.date is None:
        return None
    label = source.date_label or source.date.isoformat()
    latest = source.date
    if len(label) == 4:
        latest = date(source.date.year, 12, 31)
    elif len(label) == 7:
        latest = date(source.date.year, source.date.month, calendar.monthrange(source.date.year, source.date.month)[1])
    return max(latest, source.updated) if source.updated else latest


def dates_after_source(text: str, source: Source) -> list[DateMention]:
    """Dates in the text later than the source's own date, except ones the text schedules."""
    latest = latest_publication_day(source)
    if latest is None:
        return []
    # An instrument fixes its own entry into force (`effective`), and its citation may date its publication
    # ("OJ L, 2024/3015, 12 December 2024"): both are facts about the source itself.
    own = {source.effective} | {m.earliest for m in date_mentions(source.citation)}
    found, seen = [], set()
    for mention in date_mentions(text):
        if mention.earliest <= latest or mention.earliest in own or mention.text in seen:
            continue
        before = text[: mention.start]
        sentence = _SENTENCE_START.split(before)[-1]
        if _SCHEDULED.search(before) or _MODAL.search(sentence) or _MOVED_TO.search(sentence):
            continue
        seen.add(mention.text)
        found.append(mention)
    return found


def note_like(text: str) -> str | None:
    """The curator wording found in the text, if any."""
    match = NOTE_LIKE.search(text)
    return match[0] if match else None
