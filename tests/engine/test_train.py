"""Fitting on dev: learned questions, and features that never come from an index holding the question itself."""

from bot.engine.evaluate import EvalQuestion, load_questions
from bot.engine.train import inner_folds, learned_questions
from tests.conftest import ROOT


def test_learned_questions_take_standalone_in_scope_questions_under_their_first_entry():
    """A follow-up or an out-of-scope question is never learned; an in-scope one goes to its first expected entry."""
    questions = [EvalQuestion("what is a wro", ("wro", "glossary-wro")), EvalQuestion("who issues them?", ("wro",),
                 context="what is a wro"), EvalQuestion("what year is it", ())]
    assert learned_questions(questions) == {"wro": ("what is a wro",)}


def test_no_training_question_is_searched_in_an_index_that_learned_it(shipped_engine):
    """Each inner fold's index holds the other folds' learned questions, never its own fold's standalone ones."""
    questions = load_questions([ROOT / "tests" / "eval" / "dev"])[::4]
    retrievers, folds = inner_folds(shipped_engine, questions, questions)
    for retriever, fold in zip(retrievers, folds, strict=True):
        learned = {text for texts in retriever.questions.values() for text in texts}
        curated = {text for entry in shipped_engine.kb.entries.values() for text in entry.questions}
        assert all(q.text not in learned or q.text in curated for q in fold if not q.context)
    assert sum(len(fold) for fold in folds) == len(questions)


def test_shipped_engine_searches_dev_wording(shipped_engine):
    """A dev question's exact wording is one of the questions its entry is searched by."""
    question = next(q for q in load_questions([ROOT / "tests" / "eval" / "dev" / "blind-e.yaml"]) if q.expect and not q.context)
    assert question.text in shipped_engine.retriever.questions[question.expect[0]]
    assert question.text not in shipped_engine.kb.entries[question.expect[0]].questions  # the knowledge base is untouched
