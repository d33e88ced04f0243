"""Send arguments built from rendered answers, and the per-answer cache of them."""

from __future__ import annotations

import dataclasses

from bot.discord_app.messages import NO_MENTIONS, AnswerPayloads

QUESTION = "What does the UFLPA presume about goods from Xinjiang?"


def test_an_answer_is_rendered_once_and_reused(small_engine):
    """A repeated question's answer (the same object from the engine's cache) reuses its send arguments."""
    payloads = AnswerPayloads()
    answer = small_engine.ask(QUESTION)
    first = payloads.kwargs(answer)
    assert payloads.kwargs(small_engine.ask(QUESTION)) is first
    assert first["embeds"][0].title == answer.title
    assert first["allowed_mentions"] is NO_MENTIONS


def test_cache_is_keyed_by_identity_not_equality(small_engine):
    """A different answer object, even an equal one, gets its own arguments (ids of dead objects can be reused)."""
    payloads = AnswerPayloads()
    answer = small_engine.ask(QUESTION)
    copy = dataclasses.replace(answer, title="Another title")
    assert payloads.kwargs(copy)["embeds"][0].title == "Another title"
    assert payloads.kwargs(answer)["embeds"][0].title == answer.title


def test_cache_keeps_only_the_most_recent_answers(small_engine):
    """Past its capacity the least recently used answer is dropped."""
    payloads = AnswerPayloads(capacity=2)
    answers = [small_engine.explain(entry_id) for entry_id in list(small_engine.kb.entries)[:3]]
    first = payloads.kwargs(answers[0])
    payloads.kwargs(answers[1])
    payloads.kwargs(answers[2])
    assert len(payloads) == 2
    assert payloads.kwargs(answers[0]) is not first


def test_over_long_questions_are_not_kept(small_engine):
    """A refusal of a 50,000-character question is sent but not cached, so it cannot pile up in memory."""
    payloads = AnswerPayloads()
    refusal = small_engine.ask("x" * 50_000)
    assert refusal.reason == "too_long"
    assert payloads.kwargs(refusal)["content"]
    assert len(payloads) == 0
