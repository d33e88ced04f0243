"""Passage retrieval over the knowledge base, and the features that decide answered versus not covered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bot.engine.analysis import (
    QueryExpander,
    SpellingCorrector,
    analyze,
    analyze_with_words,
    clean,
    content_words,
    name_key,
)
from bot.engine.domain import domain_specificity, specificity, zipf
from bot.engine.index import BM25Index
from bot.engine.models import Entry, KnowledgeBase
from bot.engine.places import mentions, named_places
from bot.engine.ranker import RANK_FEATURES, RERANKED, EntryTraits, Intents, Ranker, rank_features

# How much each field of an entry counts inside every one of its passages (by repetition, so the scoring
# stays plain BM25Okapi over one token list per passage).
FIELD_WEIGHTS = {"title": 3, "aliases": 3, "questions": 2, "summary": 1, "text": 1, "pinpoint": 4}
RERANK_FLOOR = 0.5  # entry order: BM25 score x (floor + coverage)
RERANK_POOL = 16  # entries reranked; a lower one would need over 3x the score boost to overtake
CONTEXT_WEIGHT = 0.35  # a follow-up's previous question helps, but never outweighs the new words
CONTEXT_MASS = 1.0
JARGON_BELOW = 3.0  # Zipf frequency under which a word the knowledge base uses counts as the field's jargon
SEARCH_SPECIFICITY_FLOOR = 0.25  # the least a typed word weighs in the search, however ordinary
QUESTION_BOOST = 1.0  # rerank x (1 + boost x similarity to the entry's nearest curated question)
NAMED_WORDS = 3  # a name of this many words found in a question names its entry outright
CONTEXT_IN_QUESTION_MATCH = 0.3  # the previous question's words, relative to their context weight, in that match


@dataclass(frozen=True)
class Passage:
    entry_id: str
    index: int  # position in entry.passages()


class RankedEntry(NamedTuple):  # a tuple: eight are built for every question
    entry: Entry
    score: float
    passages: tuple[tuple[int, float], ...]  # (passage index within the entry, score), best first
    coverage: float = 0.0  # idf-weighted share of the question's terms this entry contains
    question_match: float = 0.0  # idf-weighted overlap with the entry's nearest curated question


@dataclass(frozen=True)
class SearchResult:
    query_terms: tuple[str, ...]  # the question's own terms (unique, in order)
    ranked: tuple[RankedEntry, ...]
    normalized_top: float  # top score / the best score any passage could get for these terms
    margin: float  # (top - runner-up) / top, over distinct entries
    coverage: float  # idf-weighted share of the question's terms found in the top entry
    known: float  # share of the question's distinct terms that occur anywhere in the knowledge base
    evidence: Evidence | None = None  # how much of the question's domain meaning the top entry holds
    named: float = 0.0  # the question names the top entry (its title or an alias, as whole words)
    rank_margin: float = 0.0  # the ranker's score of the top entry over the runner-up's
    unmentioned_place: bool = False  # the question names a country (or state) the top entry never mentions
    unfound_terms: tuple[str, ...] = ()  # the question's own terms the top entry does not hold (nor their alternatives)

    @property
    def top(self) -> RankedEntry | None:
        return self.ranked[0] if self.ranked else None


@dataclass(frozen=True)
class Evidence:
    """The question's terms weighted by specificity (how much more this domain uses a word than general English
    does), split by whether the top entry holds them, lacks them but the knowledge base has them elsewhere, or
    nobody has them. Shares sum to 1; `mass` is the found part in absolute terms (a question made only of everyday
    words has little, however well it matches)."""

    found: float = 0.0
    missing_known: float = 0.0
    missing_unknown: float = 0.0
    mass: float = 0.0
    jargon: bool = False  # the top entry holds a term of this field's jargon (rare in English, used here: WRO, C29)


def passage_tokens(entry: Entry, passage_text: str, pinpoint: str, questions: Sequence[str] | None = None) -> list[str]:
    """One passage's index document: the entry's fields, each repeated by its weight, with the passage's own text
    (`questions`: the entry's curated questions and any learned ones; the curated alone by default)."""
    return _entry_tokens(entry, entry.questions if questions is None else questions) + _own_tokens(passage_text, pinpoint)


def _entry_tokens(entry: Entry, questions: Sequence[str]) -> list[str]:
    """The fields every passage of an entry shares, analysed once per entry."""
    fields = {"title": entry.title, "aliases": " ".join(entry.aliases), "questions": " ".join(questions),
              "summary": entry.summary}
    tokens: list[str] = []
    for name, text in fields.items():
        tokens += analyze(text) * FIELD_WEIGHTS[name]
    return tokens


def _own_tokens(passage_text: str, pinpoint: str) -> list[str]:
    return analyze(passage_text) * FIELD_WEIGHTS["text"] + analyze(pinpoint) * FIELD_WEIGHTS["pinpoint"]


class Retriever:
    def __init__(self, kb: KnowledgeBase, ranker: Ranker | None = None, learned: Mapping[str, Sequence[str]] | None = None):
        """`learned`: more questions per entry id, as users asked them (the dev set's, fitted with the judge): they
        count as the entry's curated questions in search."""
        self.kb = kb
        self.ranker = ranker  # the final order of the best few entries (None: by strength alone)
        learned = learned or {}
        self.questions = {entry.id: (*entry.questions, *learned.get(entry.id, ())) for entry in kb.entries.values()}
        self.passages: list[Passage] = []
        documents: list[list[str]] = []
        self._entry_terms: dict[str, frozenset[str]] = {}
        for entry in kb.entries.values():
            terms: set[str] = set()
            shared = _entry_tokens(entry, self.questions[entry.id])
            for position, excerpt in enumerate(entry.passages()):
                tokens = shared + _own_tokens(excerpt.text, excerpt.pinpoint)
                self.passages.append(Passage(entry.id, position))
                documents.append(tokens)
                terms.update(tokens)
            self._entry_terms[entry.id] = frozenset(terms)
        self.index = BM25Index(documents)
        # Each entry's curated questions as term sets, reached through their terms: a question a person types that
        # nearly equals one of them should pick this entry over siblings that share its words.
        # term -> entry -> that entry's curated questions holding the term: a question visits only its pool's entries,
        # not every curated question of a common word.
        self._question_postings: dict[str, dict[str, list[tuple[str, int]]]] = {}
        self._question_idf: dict[tuple[str, int], float] = {}
        for entry in kb.entries.values():
            question_sets = {frozenset(analyze(text)) for text in self.questions[entry.id]} - {frozenset()}
            for number, terms in enumerate(sorted(question_sets, key=sorted)):
                self._question_idf[(entry.id, number)] = sum(self.index.idf.get(t, 0.0) for t in terms)
                for term in terms:
                    self._question_postings.setdefault(term, {}).setdefault(entry.id, []).append((entry.id, number))
        self._kb_rates = _term_rates(kb)
        self._specificity: dict[tuple[str, str], float] = {}
        # Per passage (index document), its entry and position: plain lists, read for every hit.
        self._passage_entry = [p.entry_id for p in self.passages]
        self._passage_index = [p.index for p in self.passages]
        self.expander = QueryExpander.from_knowledge_base(kb)
        # Each term with alternatives, and the forms that count as finding it (coverage).
        self._forms = {
            term: frozenset({term, *alternatives}) for term, alternatives in self.expander.single_term_alternatives().items()
        }
        # Each entry's title and aliases as padded name keys, for whole-word containment in a question.
        self._names = {entry.id: tuple((f" {key} ", len(key.split()))
                                       for key in {name_key(n) for n in (entry.title, *entry.aliases)} if key)
                       for entry in kb.entries.values()}
        self._title_terms = {entry.id: frozenset(analyze(" ".join((entry.title, *entry.aliases)))) for entry in kb.entries.values()}
        self._traits = {entry.id: EntryTraits.of(entry) for entry in kb.entries.values()}
        # Corrections go to the knowledge base's own words: learned questions keep their users' typos.
        self.corrector = SpellingCorrector(_surface_words(kb), self.index)

    def query_weights(self, question: str, context: str | None = None) -> tuple[list[str], Counter]:
        terms, weights, _, _ = self._weigh_with_words(question, context)
        return terms, weights

    def _weigh_with_words(self, question: str, context: str | None):
        """Terms typed, all weighted terms (with expansions and context), what coverage is judged on, and the word
        each term came from."""
        terms, words = analyze_with_words(question, self.corrector)
        weights = self.expander.expand(terms)
        judged = dict.fromkeys(terms, 1.0)
        if context:
            # The previous question's own words (not their expansions) add at most CONTEXT_MASS in all:
            # they steer the search, the new words decide.
            context_terms, context_words = analyze_with_words(context, self.corrector)
            context_terms = dict.fromkeys(context_terms)
            share = min(CONTEXT_WEIGHT, CONTEXT_MASS / max(1, len(context_terms)))
            for term in context_terms:
                if term not in weights:
                    weights[term] = share
            for term in context_terms:
                judged.setdefault(term, CONTEXT_WEIGHT)
            words = {**context_words, **words}
        return terms, weights, judged, words

    def search(self, question: str, context: str | None = None, limit: int = 8) -> SearchResult:
        terms, weights, judged, words = self._weigh_with_words(question, context)
        unique_terms = tuple(dict.fromkeys(terms))
        # Everyday words ("simple", "terms", "year") still search, but weigh as little as they say.
        for term in unique_terms:
            weights[term] *= max(SEARCH_SPECIFICITY_FLOOR, self.specificity(term, words.get(term)))
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
        own_terms = dict.fromkeys(unique_terms, 1.0)
        own = self._coverage_plan(own_terms)
        # Rerank: an entry that answers all of the question beats one that matches a single word very well.
        # Curated-question match weighs the previous question's words too (at their context weight), so a vague
        # follow-up ("how is it enforced?") is not pulled to whichever entry has a question of the same words.
        idf_terms = self._domain_weights(judged, words)
        question_terms = {t: w * (1.0 if t in own_terms else CONTEXT_IN_QUESTION_MATCH) for t, w in idf_terms.items()}
        matches = self._question_matches(pool, question_terms)
        reranked = sorted(
            (-scored[0][1] * (RERANK_FLOOR + coverage) * (1 + QUESTION_BOOST * match), eid, scored, coverage, match)
            for eid, scored in pool.items()
            for coverage, match in ((self._coverage_of(eid, own), matches.get(eid, 0.0)),)
        )[:limit]
        ranked = [
            RankedEntry(self.kb.entries[eid], scored[0][1], tuple(scored), coverage, match)
            for _, eid, scored, coverage, match in reranked
        ]
        named = rank_margin = 0.0
        unmentioned_place = False
        if ranked:
            # Title share weighs a follow-up's context words too, at their context weight, like the question match.
            specific = {t: w * self.specificity(t, words.get(t)) for t, w in judged.items()}
            places = named_places(question)
            rows = self.candidate_features(question, ranked, specific, places)
            if self.ranker is not None and len(ranked) > 1:
                ranked, rows, rank_margin = self._reorder(ranked, rows)
            named = rows[0][_NAMED]
            unmentioned_place = bool(places) and not rows[0][_MENTIONS_PLACES]
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
            evidence=self._evidence(ranked[0].entry.id, self._evidence_weights(judged, words), words) if ranked else Evidence(),
            named=named,
            rank_margin=rank_margin,
            unmentioned_place=unmentioned_place,
            unfound_terms=self._unfound(ranked[0].entry.id, unique_terms) if ranked else unique_terms,
        )

    def candidate_features(self, question: str, ranked: list[RankedEntry], specific: dict[str, float] | None = None,
                           places: set[str] | None = None) -> list[list[float]]:
        """The ranker's features for each of the first RERANKED entries, in their current order. `specific` (the
        question's terms with their domain specificity) and `places` (those it names): when the caller has them."""
        intents = Intents.of(question)
        best = strength(ranked[0]) or 1.0
        typed = f" {name_key(question)} "
        if specific is None:
            terms, words = analyze_with_words(question, self.corrector)
            specific = {t: self.specificity(t, words.get(t)) for t in dict.fromkeys(terms)}
        total = sum(specific.values()) or 1.0
        places = named_places(question) if places is None else places
        return [rank_features(self._traits[r.entry.id], strength(r) / best, r.coverage, r.question_match,
                              self.named(r.entry.id, typed),
                              sum(w for t, w in specific.items() if t in self._title_terms[r.entry.id]) / total,
                              float(bool(places) and all(mentions(p, self._entry_terms[r.entry.id]) for p in places)),
                              intents)
                for r in ranked[:RERANKED]]

    def named(self, entry_id: str, typed: str) -> float:
        """Whether the question names the entry: the longest of its title and aliases found in it, as whole words
        (1 for three words or more: "C29" 1/3, "withhold release order" 1)."""
        longest = max((words for name, words in self._names[entry_id] if name in typed), default=0)
        return min(longest, NAMED_WORDS) / NAMED_WORDS

    def _reorder(self, ranked: list[RankedEntry], rows: list[list[float]]):
        """The first entries in the ranker's order, their features, and the ranker's margin between the first two."""
        scores = [self.ranker.score(features) for features in rows]
        order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable: ties keep the strength order
        margin = scores[order[0]] - scores[order[1]] if len(order) > 1 else 0.0
        return [ranked[i] for i in order] + ranked[RERANKED:], [rows[i] for i in order], margin

    def _domain_weights(self, terms: dict[str, float], words: dict[str, str]) -> dict[str, float]:
        """Each term's idf x importance x specificity: "simple terms" says little, "UFLPA" a lot."""
        max_idf, idf = self.index.max_idf, self.index.idf
        return {
            term: max(idf.get(term, max_idf), 0.1) * importance * self.specificity(term, words.get(term))
            for term, importance in terms.items()
        }

    def _evidence_weights(self, terms: dict[str, float], words: dict[str, str]) -> dict[str, float]:
        """Each term's weight as evidence about the domain: how specific the word is to it, not its idf. Idf would
        make "UFLPA", used everywhere here, weigh less than "aunt" (chosen by cross-validation on dev: idf to any
        power above zero did worse)."""
        return {term: importance * self.specificity(term, words.get(term)) for term, importance in terms.items()}

    def specificity(self, term: str, word: str | None) -> float:
        """How much a term says about this domain (1 for legal references and other non-words)."""
        if word is None:
            return 1.0
        key = (term, word)
        value = self._specificity.get(key)
        if value is None:
            rate = self._kb_rates.get(term)
            value = domain_specificity(rate, zipf(word)) if rate else specificity(zipf(word))
            if len(self._specificity) < 100_000:  # bounded: users type endless new words
                self._specificity[key] = value
        return value

    def _question_matches(self, pool: dict, weights: dict[str, float]) -> dict[str, float]:
        """Per pool entry, the best idf-weighted Jaccard overlap between the question and one of its curated
        questions; only curated questions sharing a term with the question are visited."""
        total = sum(weights.values())
        idf = self.index.idf
        shared: dict[tuple[str, int], list[float]] = {}  # curated question -> [shared weight, shared idf]
        postings = self._question_postings
        for term, weight in weights.items():
            by_entry = postings.get(term)
            if not by_entry:
                continue
            term_idf = idf.get(term, 0.0)
            for entry_id in pool:
                for key in by_entry.get(entry_id, ()):
                    found = shared.get(key)
                    if found is None:
                        shared[key] = [weight, term_idf]
                    else:
                        found[0] += weight
                        found[1] += term_idf
        best: dict[str, float] = {}
        for key, (weight, shared_idf) in shared.items():
            if weight > 0:
                value = weight / (total + self._question_idf[key] - shared_idf)
                if value > best.get(key[0], 0.0):
                    best[key[0]] = value
        return best

    def _unfound(self, entry_id: str, terms: tuple[str, ...]) -> tuple[str, ...]:
        held, forms = self._entry_terms[entry_id], self._forms
        return tuple(t for t in terms if (forms.get(t) or frozenset((t,))).isdisjoint(held))

    def _evidence(self, entry_id: str, weights: dict[str, float], words: dict[str, str]) -> Evidence:
        forms = self._forms
        found_terms = self._entry_terms[entry_id]
        found = missing_known = missing_unknown = 0.0
        jargon = False
        for term, weight in weights.items():
            if not (forms.get(term) or frozenset((term,))).isdisjoint(found_terms):
                found += weight
                word = words.get(term)
                jargon = jargon or word is None or zipf(word) < JARGON_BELOW
            elif term in self.index:
                missing_known += weight
            else:
                missing_unknown += weight
        total = found + missing_known + missing_unknown
        if not total:
            return Evidence()
        return Evidence(found / total, missing_known / total, missing_unknown / total, found, jargon)

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


def _term_rates(kb: KnowledgeBase) -> dict[str, float]:
    """Each term's share of all the terms in the knowledge base's own text (curated questions left out: they
    are written in users' everyday voice on purpose)."""
    counts: Counter = Counter()
    for entry in kb.entries.values():
        for text in (entry.title, entry.summary, *entry.aliases, *(p.text for p in entry.passages())):
            counts.update(analyze(text))
    total = sum(counts.values()) or 1
    return {term: count / total for term, count in counts.items()}


def _surface_words(kb: KnowledgeBase) -> set[str]:
    words: set[str] = set()
    for entry in kb.entries.values():
        texts = [entry.title, entry.summary, *entry.aliases, *entry.questions]
        texts += [p.text for p in entry.passages()]
        for text in texts:
            words.update(content_words(clean(text)))
    return words


def strength(ranked: RankedEntry) -> float:
    """The reranked strength entries are ordered by: BM25 x coverage x curated-question match."""
    return ranked.score * (RERANK_FLOOR + ranked.coverage) * (1 + QUESTION_BOOST * ranked.question_match)


_NAMED, _MENTIONS_PLACES = RANK_FEATURES.index("named"), RANK_FEATURES.index("mentions_places")


def _margin(ranked: list[RankedEntry]) -> float:
    if len(ranked) < 2 or strength(ranked[0]) <= 0:
        return 1.0 if ranked else 0.0
    return max(0.0, (strength(ranked[0]) - strength(ranked[1])) / strength(ranked[0]))
