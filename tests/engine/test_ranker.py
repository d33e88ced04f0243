"""The final reorder of the best entries: question intents and the pairwise fit."""

import pytest

from bot.engine.ranker import RANK_FEATURES, Intents, Ranker


@pytest.mark.parametrize(("question", "intent"), [
    ("when did the mexico mechanism take effect", "time"),
    ("what happened in 2023 with the entity list", "time"),
    ("define wro pls", "define"),
    ("what does FLETF stand for", "define"),
    ("what happens next after a detention notice", "steps"),
    ("cbp is holding my shipment of cotton shirts", "situation"),
    ("is a WRO the same as a Finding", "compare"),
    ("how many companies are on the list rn", "count"),
])
def test_question_intents(question, intent):
    """Each kind of question is recognised by its own wording."""
    assert getattr(Intents.of(question), intent)


def test_plain_question_has_no_intent():
    """A question asking about a thing itself carries no kind-of-entry intent."""
    intents = Intents.of("uflpa rebuttable presumption explained")
    assert not any((intents.time, intents.steps, intents.situation, intents.compare, intents.count))


def test_pairwise_fit_prefers_what_the_right_entries_share():
    """Fitted on pairs where the right entry is the timeline one for time questions, it scores that feature up."""
    width = len(RANK_FEATURES)
    time_x_timeline = RANK_FEATURES.index("time_x_timeline")
    right, wrong = [0.0] * width, [0.0] * width
    right[time_x_timeline] = 1.0
    wrong[RANK_FEATURES.index("strength")] = 0.0
    ranker = Ranker.fit([(right, wrong)] * 20)
    assert ranker.score(right) > ranker.score(wrong)


def test_shipped_judge_has_a_ranker(shipped_engine):
    """The shipped engine reorders with the ranker fitted on dev."""
    assert shipped_engine.retriever.ranker is not None
