"""The platform-neutral answer: what every renderer (terminal, JSON, Discord) draws from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from bot.engine.analysis import analyze
from bot.engine.models import Entry, Excerpt, KnowledgeBase

ANSWERED, NOT_COVERED, EMPTY, TOO_LONG = "answered", "not_covered", "empty", "too_long"
OTHER_LANGUAGE = "other_language"
MAX_EXCERPT_CHARS = 420
ELLIPSIS = "…"
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“(A-Z0-9])")


@dataclass(frozen=True)
class Citation:
    rank: int
    entry_id: str
    title: str
    excerpt: str
    source_id: str
    source_title: str
    source_citation: str
    pinpoint: str
    url: str
    date: str
    score: float
    quote: bool
    publisher: str = ""
    secondary: bool = False  # the source is a report by someone other than the authority (standing: secondary)

    def label(self) -> str:
        """'UFLPA, § 3(a)'; just the title when the pinpoint would only repeat it."""
        if not self.pinpoint or self.pinpoint in self.source_title:
            return self.source_title
        return f"{self.source_title}, {self.pinpoint}"

    def detail(self) -> str:
        """The formal citation and date, without repeating what the label already says."""
        citation = self.source_citation
        if citation.startswith(self.source_title):  # "19 CFR 151.16 (T.D. 99-65)" -> "T.D. 99-65"
            citation = citation[len(self.source_title):].strip(" ,;")
            if citation.startswith("(") and citation.endswith(")"):
                citation = citation[1:-1]
        return ", ".join(part for part in (citation, self.date) if part)


@dataclass(frozen=True)
class Topic:
    entry_id: str
    title: str


@dataclass(frozen=True)
class Alternative:
    """Another entry that matched: one click away when the top answer is not the one wanted."""

    entry_id: str
    title: str
    score: float  # its reranked strength relative to the answer's (the answer is 1)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    reason: str
    confidence: float = 0.0
    entry_id: str = ""
    title: str = ""
    lead: str = ""
    citations: tuple[Citation, ...] = ()
    more_citations: tuple[Citation, ...] = ()
    last_reviewed: str = ""
    disclaimer: str = ""
    related: tuple[Topic, ...] = ()
    suggestions: tuple[Topic, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    confidence_label: str = ""  # high / medium / low, from the calibrated confidence
    message: str = ""  # the full reply when not answered (not covered, empty, too long)
    extras: dict = field(default_factory=dict, compare=False)
    notes: tuple[str, ...] = ()  # the curators' notes: shown as "Note:", never numbered or attributed to a source
    attribution: str = ""  # "As reported by ..." when every citation shown rests on a secondary source


def secondary_publishers(citations) -> tuple[str, ...]:
    """The publishers to name when every citation rests on a secondary source (none otherwise)."""
    if not citations or not all(c.secondary for c in citations):
        return ()
    return tuple(dict.fromkeys(c.publisher for c in citations if c.publisher))


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def trim_excerpt(text: str, query_terms: set[str], max_chars: int = MAX_EXCERPT_CHARS) -> str:
    """Keep the sentences around the ones that match the question; mark every cut with an ellipsis.

    Sentences are kept or dropped whole, so quoted wording is never changed, only shortened.
    """
    if len(text) <= max_chars:
        return text
    sentences, sentence_terms = _sentences_with_terms(text)
    if len(sentences) == 1:
        return _cut_words(text, max_chars)
    hits = [i for i, terms in enumerate(sentence_terms) if not terms.isdisjoint(query_terms)] if query_terms else []
    start = hits[0] if hits else 0
    end = start
    length = len(sentences[start])
    # Grow the window forward first (explanations follow the matching sentence), then backward.
    while end + 1 < len(sentences) and length + 1 + len(sentences[end + 1]) <= max_chars:
        end += 1
        length += 1 + len(sentences[end])
    while start > 0 and length + 1 + len(sentences[start - 1]) <= max_chars:
        start -= 1
        length += 1 + len(sentences[start])
    body = " ".join(sentences[start:end + 1])
    if len(body) > max_chars:
        body = _cut_words(body, max_chars)
    prefix = ELLIPSIS + " " if start > 0 else ""
    suffix = " " + ELLIPSIS if end < len(sentences) - 1 and not body.endswith(ELLIPSIS) else ""
    return prefix + body + suffix


@lru_cache(maxsize=4096)
def _sentences_with_terms(text: str) -> tuple[tuple[str, ...], tuple[frozenset[str], ...]]:
    """An excerpt's sentences and each one's terms: excerpts come from the knowledge base, so they repeat."""
    sentences = tuple(split_sentences(text))
    return sentences, tuple(frozenset(analyze(s)) for s in sentences)


def _cut_words(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 2].rsplit(" ", 1)[0]
    return cut + " " + ELLIPSIS


def make_citation(kb: KnowledgeBase, entry: Entry, excerpt: Excerpt, rank: int, score: float,
                  query_terms: set[str]) -> Citation:
    source = kb.sources[excerpt.source_id]
    return Citation(
        rank=rank,
        entry_id=entry.id,
        title=entry.title,
        # An entry of cumulative conditions is never cut: dropping one would misstate what the law requires.
        excerpt=excerpt.text if entry.conditions else trim_excerpt(excerpt.text, query_terms),
        source_id=source.id,
        source_title=source.label,
        source_citation=source.citation,
        pinpoint=excerpt.pinpoint,
        url=source.url,
        date=source.date_label or _iso(source.date),
        score=round(score, 4),
        quote=excerpt.quote,
        publisher=source.publisher,
        secondary=source.secondary,
    )


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""
