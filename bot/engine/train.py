"""Fit the ranker and the abstention judge on the development set (`python -m bot eval --tune`); never on
tests/eval/test.

The dev set's in-scope questions also become learned questions of the entry each one expects: users' own wording,
searched like the curated questions. Fitting the ranker and the judge on features from an index that already holds
each training question would teach them that a question always matches itself, so every training question is
searched in an index built without its own inner fold's learned questions (INNER_FOLDS folds).
"""

from __future__ import annotations

import hashlib

from bot.engine.evaluate import EvalQuestion
from bot.engine.judge import Judge, Logistic, features
from bot.engine.ranker import RERANKED, Ranker
from bot.engine.retrieval import Retriever
from bot.engine.screening import screen
from bot.engine.service import Engine
from bot.engine.word_odds import WordOdds

THRESHOLDS = [i / 100 for i in range(5, 96)]
NEAR_BEST = 0.005  # thresholds whose summed error rates are this close to the best count as equally good
INNER_FOLDS = 5

Pair = tuple[list[float], list[float]]


def learned_questions(questions: list[EvalQuestion]) -> dict[str, tuple[str, ...]]:
    """Each in-scope question that stands alone (not a follow-up), under the entry it expects first."""
    learned: dict[str, list[str]] = {}
    for question in questions:
        if question.expect and not question.context:
            learned.setdefault(question.expect[0], []).append(question.text)
    return {entry_id: tuple(dict.fromkeys(texts)) for entry_id, texts in sorted(learned.items())}


def fit_judge(engine: Engine, questions: list[EvalQuestion]) -> Judge:
    searchable = [q for q in questions if len(q.text) <= engine.max_chars and not screen(q.text)]
    turned_away = sum(not q.expect for q in questions) - sum(not q.expect for q in searchable)
    retrievers, folds = inner_folds(engine, questions, searchable)
    pairs = [pair for retriever, fold in zip(retrievers, folds, strict=True) for pair in ranking_pairs(retriever, fold)]
    ranker = Ranker.fit(pairs)
    odds = WordOdds.fit((engine.retriever.query_weights(q.text)[0], bool(q.expect)) for q in searchable)
    rows, in_domain, correct = [], [], []
    for retriever, fold in zip(retrievers, folds, strict=True):
        retriever.ranker = ranker  # the judge learns from the order users will see
        for question in fold:
            result = retriever.search(question.text, question.context)
            if result.top is None or not result.query_terms:
                turned_away += not question.expect
                continue
            rows.append(features(result, odds))
            in_domain.append(bool(question.expect))
            correct.append(result.top.entry.id in question.expect)
    domain_model = Logistic.fit(rows, in_domain)
    correct_model = Logistic.fit(rows, correct)
    threshold = _threshold([domain_model.probability(row) for row in rows], in_domain, turned_away)
    return Judge(domain_model, correct_model, threshold=threshold, ranker=ranker, word_odds=odds,
                 learned_questions=learned_questions(questions))


def inner_folds(engine: Engine, questions: list[EvalQuestion],
                searchable: list[EvalQuestion]) -> tuple[list[Retriever], list[list[EvalQuestion]]]:
    """Per inner fold: an index whose learned questions leave that fold out, and the fold's searchable questions."""
    folds = [[q for q in searchable if _inner_fold(q) == k] for k in range(INNER_FOLDS)]
    retrievers = [Retriever(engine.kb, None, learned_questions([q for q in questions if _inner_fold(q) != k]))
                  for k in range(INNER_FOLDS)]
    return retrievers, folds


def ranking_pairs(retriever: Retriever, questions: list[EvalQuestion]) -> list[Pair]:
    """Pairs (right entry, each wrong entry among the first RERANKED) from the strength order alone: every wrong
    candidate, not only those near the right one (chosen by cross-validation on dev)."""
    saved, retriever.ranker = retriever.ranker, None
    pairs: list[Pair] = []
    try:
        for question in questions:
            if not question.expect:
                continue
            ranked = list(retriever.search(question.text, question.context).ranked)
            rows = retriever.candidate_features(question.text, ranked) if ranked else []
            right = [i for i, r in enumerate(ranked[:RERANKED]) if r.entry.id in question.expect]
            if right:
                pairs += [(rows[right[0]], rows[i]) for i in range(len(rows)) if i not in right]
    finally:
        retriever.ranker = saved
    return pairs


def _threshold(scores: list[float], in_domain: list[bool], turned_away: int) -> float:
    inside = [s for s, d in zip(scores, in_domain, strict=True) if d]
    outside = [s for s, d in zip(scores, in_domain, strict=True) if not d]

    def cost(threshold: float) -> float:
        # Both mistakes cost a user the same: a wrong "not covered" and an off-topic answer.
        wrongly_abstained = sum(s < threshold for s in inside) / max(1, len(inside))
        abstained = (turned_away + sum(s < threshold for s in outside)) / max(1, turned_away + len(outside))
        return wrongly_abstained + (1 - abstained)

    # The cost is flat near its minimum, where a tiny change in the data would jump the chosen threshold from one end
    # of the flat stretch to the other: take the middle of the thresholds within NEAR_BEST of the best.
    costs = {threshold: cost(threshold) for threshold in THRESHOLDS}
    best = min(costs.values())
    near = [threshold for threshold, value in costs.items() if value <= best + NEAR_BEST]
    return near[len(near) // 2]


def _inner_fold(question: EvalQuestion) -> int:
    # Salted, so inner folds cut across cross-validation's outer folds instead of repeating them.
    key = "inner:" + (question.context or question.text)
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % INNER_FOLDS
