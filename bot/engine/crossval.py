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
    return _answer_groups(engine, questions, fit, [fold_of(q, folds) for q in questions])


def leave_one_writer_out(engine: Engine, questions: list[EvalQuestion], fit: Fit,
                         prefix: str = "blind") -> tuple[list[EvalQuestion], list[Answer]]:
    """Each blind-written file answered by models fitted on every other file: how the engine does on a writer
    it has never seen, which k-fold (where one writer's topics fall in every fold) overstates."""
    files = sorted({q.file for q in questions if q.file.startswith(prefix)})
    groups = [files.index(q.file) if q.file in files else -1 for q in questions]
    answers = _answer_groups(engine, questions, fit, groups, skip=-1)
    kept = [i for i, group in enumerate(groups) if group != -1]
    return [questions[i] for i in kept], [answers[i] for i in kept]


def _answer_groups(engine: Engine, questions: list[EvalQuestion], fit: Fit, groups: list[int],
                   skip: int | None = None) -> list[Answer]:
    """For each group, fit on every other question and answer the group's (none for the `skip` group)."""
    saved_judge, saved_retriever = engine.judge, engine.retriever
    saved_ranker = saved_retriever.ranker
    answers: dict[int, Answer] = {}
    try:
        for fold in sorted(set(groups) - {skip}):
            train = [q for q, group in zip(questions, groups, strict=True) if group != fold]
            held = [i for i, group in enumerate(groups) if group == fold]
            # Fitting starts from the engine's own index, never one holding another fold's learned questions.
            engine.retriever, saved_retriever.ranker = saved_retriever, None
            engine.use_judge(fit(engine, train))
            for i in held:
                answers[i] = engine.ask(questions[i].text, questions[i].context)
    finally:
        engine.judge, engine.retriever, saved_retriever.ranker = saved_judge, saved_retriever, saved_ranker
        engine.clear_cache()
    return [answers.get(i) for i in range(len(questions))]
