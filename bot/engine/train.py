"""Fit the abstention judge on the development set (`python -m bot eval --tune`); never on tests/eval/test."""

from __future__ import annotations

from bot.engine.evaluate import EvalQuestion
from bot.engine.judge import Judge, Logistic, features
from bot.engine.ranker import RERANKED, Ranker
from bot.engine.screening import screen
from bot.engine.service import Engine
from bot.engine.word_odds import WordOdds

THRESHOLDS = [i / 100 for i in range(5, 96)]
NEAR_BEST = 0.005  # thresholds whose summed error rates are this close to the best count as equally good


def training_rows(engine: Engine, questions: list[EvalQuestion],
                  odds: WordOdds | None = None) -> tuple[list[list[float]], list[bool], list[bool], int]:
    """Features of each searchable question, whether it is in scope, whether its top entry is right, and how many
    out-of-scope inputs never reach the judge (screened out, too long or without a search term)."""
    rows, in_domain, correct = [], [], []
    turned_away = 0
    for question in questions:
        if len(question.text) > engine.max_chars or screen(question.text):
            turned_away += not question.expect
            continue  # turned away before retrieval: nothing for the judge to learn
        result = engine.retriever.search(question.text, question.context)
        if result.top is None or not result.query_terms:
            turned_away += not question.expect
            continue
        rows.append(features(result, odds))
        in_domain.append(bool(question.expect))
        correct.append(result.top.entry.id in question.expect)
    return rows, in_domain, correct, turned_away


def fit_ranker(engine: Engine, questions: list[EvalQuestion]) -> Ranker:
    """Pairs (right entry, each wrong entry among the first RERANKED) from the strength order alone: every wrong
    candidate, not only those near the right one (chosen by cross-validation on dev)."""
    retriever = engine.retriever
    saved, retriever.ranker = retriever.ranker, None
    try:
        pairs = []
        for question in questions:
            if not question.expect or len(question.text) > engine.max_chars or screen(question.text):
                continue
            ranked = list(retriever.search(question.text, question.context).ranked)
            rows = retriever.candidate_features(question.text, ranked) if ranked else []
            right = [i for i, r in enumerate(ranked[:RERANKED]) if r.entry.id in question.expect]
            if not right:
                continue
            best = right[0]
            pairs += [(rows[best], rows[i]) for i in range(len(rows)) if i not in right]
    finally:
        retriever.ranker = saved
    return Ranker.fit(pairs)


def fit_judge(engine: Engine, questions: list[EvalQuestion]) -> Judge:
    ranker = fit_ranker(engine, questions)
    engine.retriever.ranker = ranker  # the judge learns from the order users will see
    odds = fit_word_odds(engine, questions)
    rows, in_domain, correct, turned_away = training_rows(engine, questions, odds)
    domain_model = Logistic.fit(rows, in_domain)
    correct_model = Logistic.fit(rows, correct)
    scores = [domain_model.probability(row) for row in rows]
    inside = [s for s, d in zip(scores, in_domain, strict=True) if d]
    outside = [s for s, d in zip(scores, in_domain, strict=True) if not d]

    def rates(threshold: float) -> tuple[float, float]:
        wrongly_abstained = sum(s < threshold for s in inside) / max(1, len(inside))
        abstained = (turned_away + sum(s < threshold for s in outside)) / max(1, turned_away + len(outside))
        return wrongly_abstained, abstained

    def cost(threshold: float) -> float:
        # Both mistakes cost a user the same: a wrong "not covered" and an off-topic answer.
        wrongly, abstained = rates(threshold)
        return wrongly + (1 - abstained)

    # The cost is flat near its minimum, where a tiny change in the data would jump the chosen threshold from one end
    # of the flat stretch to the other: take the middle of the thresholds within NEAR_BEST of the best.
    costs = {threshold: cost(threshold) for threshold in THRESHOLDS}
    best = min(costs.values())
    near = [threshold for threshold, value in costs.items() if value <= best + NEAR_BEST]
    threshold = near[len(near) // 2]
    return Judge(domain_model, correct_model, threshold=threshold, ranker=ranker, word_odds=odds)


def fit_word_odds(engine: Engine, questions: list[EvalQuestion]) -> WordOdds:
    """Each term's log-odds of coming with an out-of-scope question, over the searchable questions' own terms."""
    return WordOdds.fit((engine.retriever.search(q.text).query_terms, bool(q.expect))
                        for q in questions if len(q.text) <= engine.max_chars and not screen(q.text))
