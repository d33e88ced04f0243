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
        norm = self.k1 * (1 - self.b + self.b * self.doc_lengths / self.avgdl) if self.size else self.doc_lengths
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, freqs) in postings.items():
            doc_ids = np.asarray(ids, dtype=np.int32)
            tf = np.asarray(freqs, dtype=np.float64)
            weights = self.idf[term] * (tf * (self.k1 + 1) / (tf + norm[doc_ids]))
            self._postings[term] = (doc_ids, weights)

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
        return math.log(self.size + 0.5) - math.log(0.5) if self.size else 0.0

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
        # Dense: the postings cover much of the corpus, so one scatter-add per term into an array is cheaper.
        scores = np.zeros(self.size, dtype=np.float64)
        touched = np.zeros(self.size, dtype=bool)
        for (ids, weights), w in hits:
            scores[ids] += weights * w
            touched[ids] = True
        doc_ids = np.flatnonzero(touched).astype(np.int32)
        return doc_ids, scores[doc_ids]

    def get_scores(self, query: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """Scores for every document, like rank_bm25's get_scores (for comparison and tests)."""
        scores = np.zeros(self.size, dtype=np.float64)
        ids, values = self.score(query)
        scores[ids] = values
        return scores

    def top(self, query: Mapping[str, float] | Iterable[str], k: int = 10) -> list[tuple[int, float]]:
        """The k best (doc_id, score) pairs, best first; ties broken by lower doc id for stability."""
        ids, values = self.score(query)
        if len(ids) > k:
            # Keep everything tied with the k-th score so the id tie-break below is exact.
            kth = -np.partition(-values, k - 1)[k - 1]
            keep = values >= kth
            ids, values = ids[keep], values[keep]
        order = np.lexsort((ids, -values))[:k]
        return [(int(ids[i]), float(values[i])) for i in order]
