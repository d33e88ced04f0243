"""Cross-validation on dev: every question answered by models fitted without it."""

from bot.engine.crossval import fold_of, held_out_answers, leave_one_writer_out
from bot.engine.evaluate import EvalQuestion, load_questions
from bot.engine.train import fit_judge
from tests.conftest import ROOT


def test_follow_up_shares_its_question_fold():
    """A follow-up is held out with the question it follows, so its context was never fitted on."""
    first = EvalQuestion("what is a wro", ("wro",))
    follow = EvalQuestion("and who issues them?", ("wro",), context=first.text)
    assert fold_of(first) == fold_of(follow)


def test_no_question_is_answered_by_a_judge_fitted_on_it(shipped_engine):
    """Each fold's judge is fitted without that fold: the fit never sees the questions it then answers."""
    questions = load_questions([ROOT / "tests" / "eval" / "dev"])[::10]
    seen: list[tuple[set[int], set[int]]] = []  # question instances (two writers may share a wording)

    def recording_fit(engine, train):
        fitted = {id(q) for q in train}
        seen.append((fitted, {id(q) for q in questions} - fitted))
        return fit_judge(engine, train)

    answers = held_out_answers(shipped_engine, questions, recording_fit)
    assert len(answers) == len(questions) and len(seen) == 5
    assert all(not (train & held) for train, held in seen)
    assert set().union(*(held for _, held in seen)) == {id(q) for q in questions}


def test_cross_validation_restores_the_shipped_judge(shipped_engine):
    """After cross-validating, the engine answers with its own judge and ranker again."""
    judge, ranker = shipped_engine.judge, shipped_engine.retriever.ranker
    held_out_answers(shipped_engine, load_questions([ROOT / "tests" / "eval" / "dev"])[::20], fit_judge)
    assert shipped_engine.judge is judge and shipped_engine.retriever.ranker is ranker


def test_leave_one_writer_out_never_fits_on_the_file_it_answers(shipped_engine):
    """Each blind file is answered by models fitted on the other files only."""
    questions = [q for q in load_questions([ROOT / "tests" / "eval" / "dev"]) if q.file.startswith("blind")][::15]
    fitted_on: list[set[str]] = []

    def recording_fit(engine, train):
        fitted_on.append({q.file for q in train})
        return fit_judge(engine, train)

    held, answers = leave_one_writer_out(shipped_engine, questions, recording_fit)
    files = {q.file for q in questions}
    assert len(fitted_on) == len(files) and all(len(files - seen) == 1 for seen in fitted_on)
    assert len(held) == len(answers) == len(questions) and all(answers)
