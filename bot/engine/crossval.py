"""K-fold cross-validation on the development set: how a model choice would do on dev questions it was not
fitted on (`python -m bot eval --cv`). Every choice of features or settings is made by this figure, never by
the frozen test set.

Folds are fixed by a hash of each question's text, so a run is repeatable; a follow-up goes in its question's
fold, so its context is never a question the models were fitted on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from bot.engine.answer import Answer
from bot.engine.evaluate import EvalQuestion, EvalReport, evaluate
from bot.engine.judge import Judge
from bot.engine.service import Engine

FOLDS = 5


def fold_of(question: EvalQuestion, folds: int = FOLDS) -> int:
    key = question.context or question.text
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % folds


Fit = Callable[[Engine, list[EvalQuestion]], Judge]


def cross_validate(engine: Engine, questions: list[EvalQuestion], fit: Fit, folds: int = FOLDS) -> EvalReport:
    """The evaluation report over every question, each answered by models fitted without its fold."""
    return evaluate(engine, questions, held_out_answers(engine, questions, fit, folds))


def held_out_answers(engine: Engine, questions: list[EvalQuestion], fit: Fit, folds: int = FOLDS) -> list[Answer]:
    """Fit on all folds but one, answer that one, for each fold in turn."""
    saved_judge, saved_ranker = engine.judge, engine.retriever.ranker
    answers: dict[int, Answer] = {}
    try:
        for fold in range(folds):
            train = [q for q in questions if fold_of(q, folds) != fold]
            held = [i for i, q in enumerate(questions) if fold_of(q, folds) == fold]
            engine.retriever.ranker = None
            judge = fit(engine, train)
            engine.judge, engine.retriever.ranker = judge, judge.ranker
            engine.clear_cache()
            for i in held:
                answers[i] = engine.ask(questions[i].text, questions[i].context)
    finally:
        engine.judge, engine.retriever.ranker = saved_judge, saved_ranker
        engine.clear_cache()
    return [answers[i] for i in range(len(questions))]
