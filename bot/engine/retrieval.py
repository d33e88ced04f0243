"""Passage retrieval over the knowledge base, and the features that decide answered versus not covered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from bot.engine.analysis import QueryExpander, SpellingCorrector, analyze, clean, content_words
from bot.engine.index import BM25Index
from bot.engine.models import Entry, KnowledgeBase

# How much each field of an entry counts inside every one of its passages (by repetition, so the scoring
# stays plain BM25Okapi over one token list per passage).
FIELD_WEIGHTS = {"title": 3, "aliases": 3, "questions": 2, "summary": 1, "text": 1, "pinpoint": 4}
RERANK_FLOOR = 0.5  # entry order: BM25 score x (floor + coverage)
RERANK_POOL = 16  # entries reranked; a lower one would need over 3x the score boost to overtake
CONTEXT_WEIGHT = 0.35  # a follow-up's previous question helps, but never outweighs the new words
CONTEXT_MASS = 1.0


@dataclass(frozen=True)
class Passage:
    entry_id: str
    index: int  # position in entry.passages()


class RankedEntry(NamedTuple):  # a tuple: eight are built for every question
    entry: Entry
    score: float
    passages: tuple[tuple[int, float], ...]  # (passage index within the entry, score), best first
    coverage: float = 0.0  # idf-weighted share of the question's terms this entry contains


@dataclass(frozen=True)
class SearchResult:
    query_terms: tuple[str, ...]  # the question's own terms (unique, in order)
    ranked: tuple[RankedEntry, ...]
    normalized_top: float  # top score / the best score any passage could get for these terms
    margin: float  # (top - runner-up) / top, over distinct entries
    coverage: float  # idf-weighted share of the question's terms found in the top entry
    known: float  # share of the question's distinct terms that occur anywhere in the knowledge base

    @property
    def top(self) -> RankedEntry | None:
        return self.ranked[0] if self.ranked else None


def passage_tokens(entry: Entry, passage_text: str, pinpoint: str) -> list[str]:
    fields = {
        "title": entry.title,
        "aliases": " ".join(entry.aliases),
        "questions": " ".join(entry.questions),
        "summary": entry.summary,
        "text": passage_text,
        "pinpoint": pinpoint,
    }
    tokens: list[str] = []
    for name, text in fields.items():
        tokens += analyze(text) * FIELD_WEIGHTS[name]
    return tokens


class Retriever:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.passages: list[Passage] = []
        documents: list[list[str]] = []
        self._entry_terms: dict[str, frozenset[str]] = {}
        for entry in kb.entries.values():
            terms: set[str] = set()
            for position, excerpt in enumerate(entry.passages()):
                tokens = passage_tokens(entry, excerpt.text, excerpt.pinpoint)
                self.passages.append(Passage(entry.id, position))
                documents.append(tokens)
                terms.update(tokens)
            self._entry_terms[entry.id] = frozenset(terms)
        self.index = BM25Index(documents)
        # Per passage (index document), its entry and position: plain lists, read for every hit.
        self._passage_entry = [p.entry_id for p in self.passages]
        self._passage_index = [p.index for p in self.passages]
        self.expander = QueryExpander.from_knowledge_base(kb)
        # Each term with alternatives, and the forms that count as finding it (coverage).
        self._forms = {
            term: frozenset({term, *alternatives}) for term, alternatives in self.expander.single_term_alternatives().items()
        }
        self.corrector = SpellingCorrector(_surface_words(kb), self.index)

    def query_weights(self, question: str, context: str | None = None) -> tuple[list[str], Counter]:
        terms, weights, _ = self._weigh(question, context)
        return terms, weights

    def _weigh(self, question: str, context: str | None) -> tuple[list[str], Counter, dict[str, float]]:
        """Terms typed, all weighted terms (with expansions and context), and what coverage is judged on."""
        terms = analyze(question, self.corrector)
        weights = self.expander.expand(terms)
        judged = dict.fromkeys(terms, 1.0)
        if context:
            # The previous question's own words (not their expansions) add at most CONTEXT_MASS in all:
            # they steer the search, the new words decide.
            context_terms = dict.fromkeys(analyze(context, self.corrector))
            share = min(CONTEXT_WEIGHT, CONTEXT_MASS / max(1, len(context_terms)))
            for term in context_terms:
                if term not in weights:
                    weights[term] = share
            for term in context_terms:
                judged.setdefault(term, CONTEXT_WEIGHT)
        return terms, weights, judged

    def search(self, question: str, context: str | None = None, limit: int = 8) -> SearchResult:
        terms, weights, judged = self._weigh(question, context)
        unique_terms = tuple(dict.fromkeys(terms))
        doc_ids, scores = self.index.top_ids_and_scores(weights, k=max(limit * 6, 30))
        # The pool: the first RERANK_POOL entries to appear, best first (hits come best first, so each entry's
        # first hit is its best), with all of their passages among the hits.
        pool: dict[str, list[tuple[int, float]]] = {}
        passage_entry, passage_index = self._passage_entry, self._passage_index
        for doc_id, score in zip(doc_ids, scores, strict=True):
            entry_id = passage_entry[doc_id]
            scored = pool.get(entry_id)
            if scored is None:
                if len(pool) == RERANK_POOL:
                    continue
                pool[entry_id] = scored = []
            scored.append((passage_index[doc_id], score))
        # Ranking weighs only the question's own words: in a follow-up, the previous question's topic must
        # not outrank the new one ("and what about the exception?" after the presumption).
        own = self._coverage_plan(dict.fromkeys(unique_terms, 1.0))
        # Rerank: an entry that answers all of the question beats one that matches a single word very well.
        reranked = sorted(
            (-scored[0][1] * (RERANK_FLOOR + coverage), eid, scored, coverage)
            for eid, scored in pool.items()
            for coverage in (self._coverage_of(eid, own),)
        )[:limit]
        ranked = [
            RankedEntry(self.kb.entries[eid], scored[0][1], tuple(scored), coverage)
            for _, eid, scored, coverage in reranked
        ]
        if not ranked:
            coverage = 0.0
        elif context:
            coverage = self._coverage(ranked[0].entry.id, judged)
        else:
            coverage = ranked[0].coverage  # without context, the question's own words are all that is judged
        return SearchResult(
            query_terms=unique_terms,
            ranked=tuple(ranked),
            normalized_top=self._normalized(ranked, weights),
            margin=_margin(ranked),
            coverage=coverage,
            known=sum(t in self.index for t in unique_terms) / len(unique_terms) if unique_terms else 0.0,
        )

    def _normalized(self, ranked: list[RankedEntry], weights: Counter) -> float:
        if not ranked:
            return 0.0
        bound = self.index.upper_bound(weights)
        return ranked[0].score / bound if bound else 0.0

    def _coverage(self, entry_id: str, terms: dict[str, float]) -> float:
        """Share of the question's meaning found in an entry; unknown words weigh as the rarest."""
        return self._coverage_of(entry_id, self._coverage_plan(terms))

    def _coverage_plan(self, terms: dict[str, float]) -> list[tuple[float, frozenset[str]]]:
        """Each term's share of the question (idf x importance, summing to 1) and the terms that count as
        finding it (itself and its alternatives)."""
        max_idf, idf, forms = self.index.max_idf, self.index.idf, self._forms
        plan = [
            (max(idf.get(term, max_idf), 0.1) * importance, forms.get(term) or frozenset((term,)))
            for term, importance in terms.items()
        ]
        total = sum(weight for weight, _ in plan)
        return [(weight / total, forms) for weight, forms in plan] if total else []

    def _coverage_of(self, entry_id: str, plan: list[tuple[float, frozenset[str]]]) -> float:
        found = self._entry_terms[entry_id]
        return sum(share for share, forms in plan if not forms.isdisjoint(found))


def _surface_words(kb: KnowledgeBase) -> set[str]:
    words: set[str] = set()
    for entry in kb.entries.values():
        texts = [entry.title, entry.summary, *entry.aliases, *entry.questions]
        texts += [p.text for p in entry.passages()]
        for text in texts:
            words.update(content_words(clean(text)))
    return words


def _margin(ranked: list[RankedEntry]) -> float:
    def strength(r: RankedEntry) -> float:
        return r.score * (RERANK_FLOOR + r.coverage)

    if len(ranked) < 2 or strength(ranked[0]) <= 0:
        return 1.0 if ranked else 0.0
    return (strength(ranked[0]) - strength(ranked[1])) / strength(ranked[0])
