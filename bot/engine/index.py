"""BM25 (Okapi) over an inverted index.

The scores are exactly rank_bm25.BM25Okapi's (same k1, b, epsilon and idf floor; the tests check agreement
to 1e-9), but a query only touches the postings of its own terms: each posting stores its precomputed term
weight, so scoring is a scatter-add over postings instead of a pass over every document for every term.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


class BM25Index:
    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25):
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.size = len(documents)
        self.doc_lengths = np.fromiter((len(doc) for doc in documents), dtype=np.float64, count=self.size)
        total = float(self.doc_lengths.sum())
        self.avgdl = total / self.size if self.size else 0.0

        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, doc in enumerate(documents):
            for term, freq in Counter(doc).items():
                ids, freqs = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                freqs.append(freq)

        self.idf = self._idf({term: len(ids) for term, (ids, _) in postings.items()})
        self._max_idf = math.log(self.size + 0.5) - math.log(0.5) if self.size else 0.0
        norm = self.k1 * (1 - self.b + self.b * self.doc_lengths / self.avgdl) if self.size else self.doc_lengths
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, freqs) in postings.items():
            doc_ids = np.asarray(ids, dtype=np.int32)
            tf = np.asarray(freqs, dtype=np.float64)
            weights = self.idf[term] * (tf * (self.k1 + 1) / (tf + norm[doc_ids]))
            self._postings[term] = (doc_ids, weights)
        self._all_weights_positive = all(bool((weights > 0).all()) for _, weights in self._postings.values())
        self._max_weight = {term: float(weights.max()) for term, (_, weights) in self._postings.items()}
        self._heaviest = {term: _heaviest(ids, weights) for term, (ids, weights) in self._postings.items()}

    def _idf(self, doc_freqs: Mapping[str, int]) -> dict[str, float]:
        # rank_bm25.BM25Okapi._calc_idf: negative idfs are floored at epsilon * the mean idf.
        idf: dict[str, float] = {}
        negative = []
        for term, freq in doc_freqs.items():
            value = math.log(self.size - freq + 0.5) - math.log(freq + 0.5)
            idf[term] = value
            if value < 0:
                negative.append(term)
        average = sum(idf.values()) / len(idf) if idf else 0.0
        for term in negative:
            idf[term] = self.epsilon * average
        return idf

    def __contains__(self, term: str) -> bool:
        return term in self._postings

    def doc_freq(self, term: str) -> int:
        posting = self._postings.get(term)
        return 0 if posting is None else len(posting[0])

    @property
    def max_idf(self) -> float:
        """The idf a term in no document would have (how rare an unknown word counts)."""
        return self._max_idf

    def upper_bound(self, query: Mapping[str, float]) -> float:
        """The most any document could score for this query (term frequency going to infinity)."""
        return sum(weight * self.idf.get(term, 0.0) * (self.k1 + 1) for term, weight in query.items())

    def score(self, query: Mapping[str, float] | Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc_ids, scores) of every document matching at least one query term, unordered.

        `query` is a term -> weight mapping or a token list (repeated tokens count again, as in rank_bm25).
        """
        weighted = query if isinstance(query, Mapping) else Counter(query)
        hits = [(self._postings[t], w) for t, w in weighted.items() if t in self._postings and w]
        if not hits:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        if len(hits) == 1:
            (ids, weights), w = hits[0]
            return ids, weights * w
        total = sum(len(ids) for (ids, _), _ in hits)
        if total * 8 < self.size:
            # Sparse: merge the postings themselves; cost grows with the postings, not the corpus.
            ids = np.concatenate([ids for (ids, _), _ in hits])
            weights = np.concatenate([weights * w for (_, weights), w in hits])
            unique, inverse = np.unique(ids, return_inverse=True)
            return unique, np.bincount(inverse, weights=weights, minlength=len(unique))
        # Dense: the postings cover much of the corpus, so one bincount over all of them is cheapest.
        scores = self._dense(hits)
        touched = np.bincount(np.concatenate([ids for (ids, _), _ in hits]), minlength=self.size) > 0
        doc_ids = np.flatnonzero(touched).astype(np.int32)
        return doc_ids, scores[doc_ids]

    def _dense(self, hits: list) -> np.ndarray:
        """Every document's score from (postings, weight) pairs, summed in query order like rank_bm25."""
        ids = np.concatenate([ids for (ids, _), _ in hits])
        weights = np.concatenate([weights if w == 1 else weights * w for (_, weights), w in hits])
        return np.bincount(ids, weights=weights, minlength=self.size)

    def get_scores(self, query: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """Scores for every document, like rank_bm25's get_scores (for comparison and tests)."""
        scores = np.zeros(self.size, dtype=np.float64)
        ids, values = self.score(query)
        scores[ids] = values
        return scores

    def top_ids_and_scores(self, query: Mapping[str, float] | Iterable[str], k: int = 10) -> tuple[list[int], list[float]]:
        """top() as two parallel lists (cheaper for callers that only iterate)."""
        if self.size <= TINY_CORPUS:
            terms = self._query_terms(query)
            return self._top_by_sorting(terms, k) if terms else ([], [])
        best = self.top(query, k)
        return [doc for doc, _ in best], [score for _, score in best]

    def _query_terms(self, query: Mapping[str, float] | Iterable[str]) -> list[tuple[str, float]]:
        """(term, weight) for the query's terms that are in the index with a positive weight."""
        weighted = query if isinstance(query, Mapping) else Counter(query)
        return [(t, w) for t, w in weighted.items() if t in self._postings and w > 0]

    def top(self, query: Mapping[str, float] | Iterable[str], k: int = 10) -> list[tuple[int, float]]:
        """The k best (doc_id, score) pairs, best first; ties broken by lower doc id for stability.

        Exact MaxScore pruning. A lower bound on the k-th best score comes from fully scoring the few
        documents that weigh most for each query term (kept at build time). Terms are then taken rarest
        first (highest possible contribution) until the ones left could not add up to that bound: no document
        found only by those common terms can reach the top k, so their long postings are only looked up for
        the candidates still in reach. The result equals scoring every document.
        """
        terms = self._query_terms(query)
        if not terms:
            return []
        if self.size <= TINY_CORPUS:
            return list(zip(*self._top_by_sorting(terms, k), strict=True))
        if len(terms) == 1 or self.size <= SMALL_CORPUS or sum(len(self._postings[t][0]) for t, _ in terms) * 8 < self.size:
            return _best(*self.score(dict(terms)), k)
        order = sorted(terms, key=lambda tw: -tw[1] * self._max_weight[tw[0]])
        remaining = [0.0] * (len(order) + 1)
        for position in range(len(order) - 1, -1, -1):
            term, w = order[position]
            remaining[position] = remaining[position + 1] + w * self._max_weight[term]
        bound = self._kth_score_lower_bound(order, k) - _SLACK
        split = next(p for p in range(len(order) + 1) if remaining[p] < bound or p == len(order))
        essential = order[:split]
        essential_postings = sum(len(self._postings[t][0]) for t, _ in essential)
        rest_postings = sum(len(self._postings[t][0]) for t, _ in order[split:])
        # Past LOOKUP_COST postings per lookup, one dense pass over every posting is cheaper.
        if min(essential_postings, self.size) * (len(order) - split) * LOOKUP_COST > rest_postings:
            scores = self._dense([(self._postings[t], w) for t, w in terms])
            candidates = np.flatnonzero(scores >= bound).astype(np.int32)
            if len(candidates) < k:
                candidates = np.flatnonzero(scores).astype(np.int32)
            return _best(candidates, scores[candidates], k)
        candidates, scores = self.score(dict(essential))
        for position in range(split, len(order)):
            # Partial scores only grow, so their k-th best is a bound too; drop what can no longer reach it.
            if len(scores) >= k:
                bound = max(bound, _kth_largest(scores, k) - _SLACK)
            in_reach = scores + remaining[position] >= bound
            candidates, scores = candidates[in_reach], scores[in_reach]
            term, w = order[position]
            post_ids, post_weights = self._postings[term]
            slots = np.searchsorted(post_ids, candidates)
            slots[slots == len(post_ids)] = 0
            hit = post_ids[slots] == candidates
            scores[hit] += post_weights[slots[hit]] * w
        return _best(candidates, scores, k)

    def _top_by_sorting(self, terms: list[tuple[str, float]], k: int) -> tuple[list[int], list[float]]:
        """Score every document and sort: on a corpus this small, fewer numpy calls beat any bookkeeping."""
        hits = [(self._postings[t], w) for t, w in terms]
        scores = self._dense(hits)
        order = np.argsort(-scores, kind="stable")  # stable: ties keep the lower doc id first
        if self._all_weights_positive:
            top = order[:k]
            top = top[scores[top] > 0]  # a document no term matches scores exactly 0, every match more
        else:  # negative idf floors: a matching document can score 0 or less, so track matches
            matched = np.bincount(np.concatenate([ids for (ids, _), _ in hits]), minlength=self.size) > 0
            top = order[matched[order]][:k]
        return top.tolist(), scores[top].tolist()

    def _kth_score_lower_bound(self, terms: list[tuple[str, float]], k: int) -> float:
        """The k-th best full score among each term's heaviest documents: real scores, so a lower bound."""
        docs = np.unique(np.concatenate([self._heaviest[t] for t, _ in terms]))
        if len(docs) < k:
            return 0.0
        scores = np.zeros(len(docs), dtype=np.float64)
        for term, w in terms:
            post_ids, post_weights = self._postings[term]
            slots = np.searchsorted(post_ids, docs)
            slots[slots == len(post_ids)] = 0
            hit = post_ids[slots] == docs
            scores[hit] += post_weights[slots[hit]] * w
        return _kth_largest(scores, k)


_SLACK = 1e-9  # float summation order differs between paths; never prune a document this close to the bound
HEAVIEST_PER_TERM = 16
SMALL_CORPUS = 5000  # below this, scoring everything that matches beats any pruning bookkeeping
TINY_CORPUS = 500  # up to here, sorting every score is the cheapest exact top-k (measured crossover ~500)
LOOKUP_COST = 12  # a binary-search lookup costs about as much as a dozen postings in a dense pass


def _heaviest(ids: np.ndarray, weights: np.ndarray, count: int = 0) -> np.ndarray:
    count = count or HEAVIEST_PER_TERM
    if len(ids) <= count:
        return ids
    return np.sort(ids[np.argpartition(-weights, count - 1)[:count]])


def _kth_largest(values: np.ndarray, k: int) -> float:
    return float(-np.partition(-values, k - 1)[k - 1])


def _best(ids: np.ndarray, values: np.ndarray, k: int) -> list[tuple[int, float]]:
    if len(ids) > k:
        # Keep everything tied with the k-th score so the id tie-break below is exact.
        keep = values >= _kth_largest(values, k)
        ids, values = ids[keep], values[keep]
    order = np.lexsort((ids, -values))[:k]
    return [(int(ids[i]), float(values[i])) for i in order]
