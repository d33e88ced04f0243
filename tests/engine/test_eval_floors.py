"""The evaluation floors from the answer-engine issue, held on the shipped knowledge base."""

import pytest

from bot.engine.evaluate import evaluate, load_questions
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def report(shipped_engine):
    questions = load_questions([ROOT / "tests" / "eval"])
    return evaluate(shipped_engine, questions)


def test_eval_set_is_big_enough(report):
    """At least 120 in-scope and 30 out-of-scope questions."""
    assert report.in_scope >= 120 and report.out_of_scope >= 30


def test_hit_at_3_floor(report):
    """hit@3 >= 0.95."""
    assert report.hit3 >= 0.95, "\n".join(report.failures[:30])


def test_mrr_floor(report):
    """MRR >= 0.85."""
    assert report.mrr >= 0.85, "\n".join(report.failures[:30])


def test_out_of_scope_abstention_floor(report):
    """At least 95% of out-of-scope inputs abstain."""
    assert report.abstain_recall >= 0.95, "\n".join(f for f in report.failures if "out-of-scope" in f)


def test_in_scope_abstention_ceiling(report):
    """At most 5% of in-scope questions abstain."""
    assert report.in_scope_abstained <= 0.05, "\n".join(f for f in report.failures if "abstained" in f)


def test_eval_expectations_name_real_entries(shipped_engine):
    """Every expected id in the eval set exists, so a renamed entry cannot silently pass."""
    questions = load_questions([ROOT / "tests" / "eval"])
    missing = {eid for q in questions for eid in q.expect if eid not in shipped_engine.kb.entries}
    assert not missing


def test_every_entry_has_an_eval_question(shipped_engine):
    """The question set grows with the knowledge base: each entry is expected by at least one question."""
    questions = load_questions([ROOT / "tests" / "eval"])
    expected = {eid for q in questions for eid in q.expect}
    assert sorted(set(shipped_engine.kb.entries) - expected) == []
