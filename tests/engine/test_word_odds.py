"""Words that come with out-of-scope questions, learned from dev."""

import json

from bot.engine.judge import Judge
from bot.engine.word_odds import WordOdds


def test_a_word_seen_only_out_of_scope_gets_positive_odds():
    """A term only out-of-scope questions use scores above one only in-scope questions use; unseen terms score 0."""
    odds = WordOdds.fit([(["tariff", "cotton"], False), (["tariff", "rate"], False), (["wro", "cotton"], True),
                         (["wro", "detain"], True)])
    assert odds.strongest(["tariff"]) > 0 > odds.strongest(["wro"])
    assert odds.strongest(["never-seen"]) == 0.0


def test_strongest_takes_the_most_out_of_scope_word():
    """Among a question's unfound terms, the most telling one decides."""
    odds = WordOdds({"tariff": 2.0, "wro": -1.0})
    assert odds.strongest(["wro", "tariff"]) == 2.0 / 5.0


def test_shipped_judge_keeps_its_word_odds(shipped_engine):
    """The fitted odds survive saving and loading with the judge."""
    judge = shipped_engine.judge
    assert judge.word_odds.odds
    again = Judge.from_json(json.loads(json.dumps(judge.to_json())))
    assert again.word_odds == judge.word_odds


def test_question_about_a_tariff_rate_flags_its_unfound_word(shipped_engine):
    """A near-domain question's telling word is among the terms its best entry lacks, and it weighs out of scope."""
    result = shipped_engine.retriever.search("how much is the us tariff on chinese cotton t-shirts rn")
    assert shipped_engine.judge.word_odds.strongest(result.unfound_terms) > 0
