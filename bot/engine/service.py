"""The answer engine: question -> analysis -> retrieval -> answer. No Discord in here."""

from __future__ import annotations

import re
from pathlib import Path

from bot.engine.analysis import NAME_WORD, clean, name_key
from bot.engine.answer import (
    ANSWERED,
    EMPTY,
    NOT_COVERED,
    OTHER_LANGUAGE,
    TOO_LONG,
    Alternative,
    Answer,
    Citation,
    Topic,
    make_citation,
    secondary_publishers,
)
from bot.engine.judge import Judge, confidence_label
from bot.engine.loader import load_knowledge_base
from bot.engine.models import Entry, KnowledgeBase
from bot.engine.prompts import Prompts
from bot.engine.retrieval import Retriever, SearchResult, strength
from bot.engine.screening import JUNK, screen
from bot.lru import LRUCache

DEFAULT_MAX_CHARS = 2000
ANSWER_CACHE_SIZE = 2048
DEFAULT_SUGGESTIONS = ("uflpa-overview", "ladder-ilo-supervision", "section-307-overview")
MAX_ALTERNATIVES = 3
ALTERNATIVE_FLOOR = 0.15  # an alternative's reranked strength, relative to the answer's, to be offered at all
# Topic lookup: for a bare name, the entry that explains the thing itself comes before glossary cards,
# ladders, how-tos and dated timeline entries that mention it.
KIND_ORDER = {"glossary": 1, "escalation": 2, "how-to": 3, "timeline": 4}


class Engine:
    def __init__(self, kb: KnowledgeBase, prompts: Prompts, *, judge: Judge | None = None,
                 max_chars: int = DEFAULT_MAX_CHARS, max_excerpts: int = 3):
        self.kb = kb
        self.prompts = prompts
        self.judge = judge or Judge.load()
        self.max_chars = max_chars
        self.max_excerpts = max_excerpts
        self.retriever = Retriever(kb, self.judge.ranker, self.judge.learned_questions)
        # Answers are immutable and the knowledge base never changes under an engine (a reload builds a new
        # engine), so repeated questions, common in a community, are served from a small LRU cache.
        self._answers: LRUCache[tuple[str, str | None], Answer] = LRUCache(ANSWER_CACHE_SIZE)
        # Each entry's related topics that exist (the knowledge base never changes under an engine).
        self._related = {
            entry.id: tuple(Topic(rid, kb.entries[rid].title) for rid in entry.related if rid in kb.entries)
            for entry in kb.entries.values()
        }
        self._topic_keys = [
            (entry.id, entry.title, tuple(name_key(name) for name in (entry.title, *entry.aliases)),
             KIND_ORDER.get(entry.area, 0))
            for entry in kb.entries.values()
        ]
        # One-word names (UFLPA, WRO, C29) -> their entries, main entry first: how a question in another language
        # can still be pointed to the English topic it names.
        self._names: dict[str, list[str]] = {}
        for eid, _, names, _kind in sorted(self._topic_keys, key=lambda item: item[3]):
            for name in names:
                if " " not in name and len(name) >= 2:
                    self._names.setdefault(name, []).append(eid)

    @classmethod
    def load(cls, kb_dir: Path, prompts_dir: Path, **options) -> Engine:
        """Load, validate and index; raises KnowledgeBaseError or PromptError naming every problem."""
        prompts = Prompts.load(prompts_dir)
        return cls(load_knowledge_base(kb_dir), prompts, **options)

    def use_judge(self, judge: Judge) -> None:
        """Answer with another judge (its ranker and learned questions too), as cross-validation does per fold."""
        self.judge = judge
        self.retriever = Retriever(self.kb, judge.ranker, judge.learned_questions)
        self.clear_cache()

    def clear_cache(self) -> None:
        """Forget cached answers (after the judge or ranker is swapped, as cross-validation does)."""
        self._answers = LRUCache(ANSWER_CACHE_SIZE)

    # -- questions ---------------------------------------------------------------------------------
    def ask(self, question: str, context: str | None = None) -> Answer:
        key = (question, context)
        cached = self._answers.get(key)
        if cached is not None:
            return cached
        answer = self._ask(question if isinstance(question, str) else "", context)
        if answer.reason == TOO_LONG:
            return answer  # never keep 50,000-character inputs around
        self._answers.put(key, answer)
        return answer

    def _ask(self, question: str, context: str | None) -> Answer:
        if len(question) > self.max_chars:
            message = self.prompts.render("too_long", length=f"{len(question):,}", limit=f"{self.max_chars:,}")
            return self._refusal(question, TOO_LONG, message)
        screened = screen(question)
        if screened == OTHER_LANGUAGE:
            return self._other_language(question)
        result = self._search(question, context)
        if not result.query_terms:
            if clean(question).strip():  # words exist, but none carries meaning we can search on
                return self._not_covered(question, None)
            return self._refusal(question, EMPTY, self.prompts.render("empty"))
        if screened == JUNK or not self.judge.answers(result):
            return self._not_covered(question, result)
        top = result.top
        terms = set(result.query_terms)
        passages = top.entry.passages()
        scores = dict(top.passages)
        ordered = [i for i, _ in top.passages] + [i for i in range(len(passages)) if i not in scores]
        # Excerpts shown first are trimmed around the question's words; later ones ("More sources") from the top.
        citations = [
            make_citation(self.kb, top.entry, passages[i], rank, scores.get(i, 0.0),
                          terms if rank <= self.max_excerpts else set())
            for rank, i in enumerate(ordered, start=1)
        ]
        return self._answer(question, top.entry, citations, self.judge.confidence(result), result)

    def _search(self, question: str, context: str | None) -> SearchResult:
        """Search with the conversation's context; context may only help, so a question it would leave
        unanswered is judged on its own words as well."""
        result = self.retriever.search(question, context)
        if context and not self.judge.answers(result):
            alone = self.retriever.search(question)
            if self.judge.answers(alone):
                return alone
        return result

    def explain(self, entry_id: str) -> Answer:
        """The canonical card for one entry (explainers, /explain, suggestion buttons)."""
        entry = self.kb.entries[entry_id]
        citations = [
            make_citation(self.kb, entry, excerpt, rank, 0.0, set())
            for rank, excerpt in enumerate(entry.passages(), start=1)
        ]
        return self._answer(entry.title, entry, citations, 1.0, None)

    def define(self, term: str) -> Answer:
        """A glossary definition: exact title or alias first, then search within the glossary."""
        wanted = clean(term).strip(" ?.!")
        for entry in self.kb.entries.values():
            if entry.area == "glossary" and wanted in {clean(n) for n in (entry.title, *entry.aliases)}:
                return self.explain(entry.id)
        result = self.retriever.search(term)
        for ranked in result.ranked:
            if ranked.entry.area == "glossary":
                if self.judge.answers(result) or result.coverage >= 0.4:
                    return self.explain(ranked.entry.id)
                break
        return self.ask(term)

    def cite(self, source_text: str, pinpoint: str) -> Answer:
        """Excerpts of one source at one pinpoint ("UFLPA" "3(b)", "ILO Constitution" "26")."""
        source = self.find_source(source_text)
        question = f"{source_text} {pinpoint}".strip()
        if source is None:
            return self._not_covered(question, self.retriever.search(question))
        wanted = _pinpoint_key(pinpoint)
        matches: list[tuple[Entry, int]] = []
        for entry in self.kb.entries.values():
            for index, excerpt in enumerate(entry.passages()):
                if excerpt.source_id == source.id and _pinpoint_matches(_pinpoint_key(excerpt.pinpoint), wanted):
                    matches.append((entry, index))
        if not matches:
            return self._not_covered(question, self.retriever.search(question))
        citations = [
            make_citation(self.kb, entry, entry.passages()[index], rank, 0.0, set())
            for rank, (entry, index) in enumerate(matches, start=1)
        ]
        first = matches[0][0]
        return self._answer(question, first, citations, 1.0, None,
                            title=f"{source.label} {pinpoint}".strip(), lead=f"{source.title} ({source.citation})")

    def find_source(self, text: str):
        wanted = clean(text).strip()
        if not wanted:
            return None
        for source in self.kb.sources.values():
            names = {clean(n) for n in (source.id, source.title, source.short, *source.aliases) if n}
            if wanted in names:
                return source
        for source in self.kb.sources.values():
            names = [clean(n) for n in (source.title, source.short, *source.aliases) if n]
            if any(wanted in name for name in names):
                return source
        return None

    # -- lookups -----------------------------------------------------------------------------------
    def complete_topics(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Titles and aliases matching what a person is typing; cheap enough for every keystroke.

        An exact title or alias comes first; among equal matches, the entry that explains the thing itself
        comes before its glossary card, ladder, how-to or timeline entries."""
        wanted = name_key(text or "")
        if not wanted:
            return [(eid, title) for eid, title, _, _ in self._topic_keys[:limit]]
        ranked: list[tuple[int, int, int, str, str, str]] = []
        for eid, title, names, kind in self._topic_keys:
            rank = min((_match_rank(name, wanted) for name in names), default=99)
            if rank < 99:
                ranked.append((rank, kind, len(title), title.casefold(), eid, title))
        ranked.sort()
        return [(eid, title) for *_, eid, title in ranked[:limit]]

    def resolve_topic(self, text: str) -> str | None:
        """The entry a typed topic names (an id, an exact title or alias, or the best autocomplete match)."""
        if text in self.kb.entries:
            return text
        matches = self.complete_topics(text, limit=1)
        return matches[0][0] if matches else None

    def entry_fingerprint(self, entry_id: str) -> str | None:
        entry = self.kb.entries.get(entry_id)
        return entry.fingerprint() if entry else None

    # -- building answers --------------------------------------------------------------------------
    def _answer(self, question: str, entry: Entry, citations: list[Citation], confidence: float,
                result: SearchResult | None, *, title: str | None = None, lead: str | None = None) -> Answer:
        related = self._related.get(entry.id, ())
        label = confidence_label(confidence) if result is not None else "high"
        lead = lead or entry.summary
        if label == "low":
            lead = f"{self.prompts.render('low_confidence')}\n\n{lead}"
        shown = tuple(citations[: self.max_excerpts])
        publishers = secondary_publishers(shown)
        attribution = self.prompts.render("reported", publishers=" and ".join(publishers)) if publishers else ""
        return Answer(
            question=question,
            answered=True,
            reason=ANSWERED,
            confidence=confidence,
            entry_id=entry.id,
            title=title or entry.title,
            lead=lead,
            citations=tuple(citations[: self.max_excerpts]),
            more_citations=tuple(citations[self.max_excerpts:]),
            last_reviewed=entry.last_reviewed.isoformat(),
            disclaimer=self.prompts.disclaimer,
            related=related,
            suggestions=(),
            alternatives=self._alternatives(result),
            confidence_label=label,
            notes=entry.notes(),
            attribution=attribution,
        )

    def _alternatives(self, result: SearchResult | None) -> tuple[Alternative, ...]:
        if result is None or len(result.ranked) < 2:
            return ()
        best = strength(result.ranked[0])
        found = []
        for ranked in result.ranked[1:]:
            relative = min(1.0, strength(ranked) / best) if best > 0 else 0.0
            if relative >= ALTERNATIVE_FLOOR:
                found.append(Alternative(ranked.entry.id, ranked.entry.title, round(relative, 3)))
        return tuple(found[:MAX_ALTERNATIVES])

    def _not_covered(self, question: str, result: SearchResult | None) -> Answer:
        suggestions = self._suggestions(result)
        confidence = self.judge.confidence(result) if result else 0.0
        return Answer(
            question=question,
            answered=False,
            reason=NOT_COVERED,
            confidence=confidence,
            disclaimer=self.prompts.disclaimer,
            suggestions=suggestions,
            confidence_label=confidence_label(confidence),
            message=self.prompts.render("not_covered", suggestions=self._suggestion_line(suggestions)),
        )

    def _other_language(self, question: str) -> Answer:
        """English only for now; a name it recognises (an acronym such as UFLPA or WRO) points to its English topic."""
        named = dict.fromkeys(
            entry_id for word in NAME_WORD.findall(clean(question)) for entry_id in self._names.get(name_key(word), ())
        )
        suggestions = tuple(Topic(i, self.kb.entries[i].title) for i in list(named)[:3])
        message = self.prompts.render("other_language", suggestions=self._suggestion_line(suggestions))
        return Answer(question=question, answered=False, reason=OTHER_LANGUAGE, disclaimer=self.prompts.disclaimer,
                      suggestions=suggestions, message=message)

    def _suggestion_line(self, suggestions: tuple[Topic, ...]) -> str:
        if not suggestions:
            return ""
        return "\n\n" + self.prompts.render("suggestions", topics="; ".join(topic.title for topic in suggestions))

    def _suggestions(self, result: SearchResult | None, limit: int = 3, defaults: bool = True) -> tuple[Topic, ...]:
        ids = [r.entry.id for r in result.ranked] if result else []
        if defaults:
            ids += [i for i in DEFAULT_SUGGESTIONS if i in self.kb.entries]
        unique = list(dict.fromkeys(ids))[:limit]
        return tuple(Topic(i, self.kb.entries[i].title) for i in unique)

    def _refusal(self, question: str, reason: str, message: str) -> Answer:
        return Answer(question=question, answered=False, reason=reason, disclaimer=self.prompts.disclaimer,
                      message=message)


def _match_rank(name: str, wanted: str) -> int:
    if name == wanted:
        return 0
    if name.startswith(wanted):
        return 1
    if any(word.startswith(wanted) for word in name.split()):
        return 2
    if wanted in name:
        return 3
    return 99


_PINPOINT_NOISE = re.compile(r"§|\b(?:sections?|sec|articles?|arts?|para(?:graph)?s?|s)\b\.?|\s+")


def _pinpoint_key(pinpoint: str) -> str:
    return _PINPOINT_NOISE.sub("", clean(pinpoint))


def _pinpoint_matches(have: str, wanted: str) -> bool:
    """'3' matches '3(a)' and '3(b)'; '26' matches '26(4)' but not '261'."""
    if not wanted:
        return False
    if have == wanted:
        return True
    return have.startswith(wanted) and not have[len(wanted)].isdigit() and not wanted[-1:].isalpha()
