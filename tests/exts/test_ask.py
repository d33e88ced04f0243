"""/ask, "Explain this", cooldown and input limits, through the real client and the emulator."""

from __future__ import annotations

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import CALLBACK_MESSAGE, DiscordEmulator
from tests.exts.conftest import ANSWERED_QUESTION, NOT_COVERED_QUESTION
from tests.exts.helpers import assert_safe_message, button_labels, eventually, is_ephemeral, message_body


async def test_ask_answered_embed_has_citations_sources_and_disclaimer(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """An answered /ask is an embed with [n] excerpts, a sources field with link and pinpoint, and the disclaimer."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
    assert callback.json["type"] == CALLBACK_MESSAGE
    body = message_body(callback)
    assert_safe_message(body)
    [embed] = body["embeds"]
    assert embed["title"] == "The UFLPA rebuttable presumption"
    assert "**[1]**" in embed["description"]
    sources = next(f for f in embed["fields"] if f["name"] == "Sources")["value"]
    assert "[1] [UFLPA, § 3(a)](https://www.govinfo.gov/" in sources
    assert "Last reviewed 2026-11-27" in embed["footer"]["text"]
    assert lawbot.engine.prompts.disclaimer in embed["footer"]["text"]
    assert button_labels(body)[:3] == ["More sources", "Helpful", "Not helpful"]
    assert "Related: The exception to the UFLPA presumption" in button_labels(body)
    assert embed["footer"]["text"].startswith("Confidence: high")
    assert not is_ephemeral(body)


async def test_ask_not_covered_suggests_topics_and_logs_question(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A question outside the KB gets a short reply with up to 3 topic buttons; the question text is logged."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": NOT_COVERED_QUESTION}))
    body = message_body(callback)
    assert_safe_message(body)
    assert body["embeds"] == [] and body["content"]
    assert 1 <= len(button_labels(body)) <= 3
    assert all(c["custom_id"].startswith("flx:topic:") for row in body["components"] for c in row["components"])

    async def logged() -> bool:
        return (await lawbot.database.gaps()).unanswered == [(NOT_COVERED_QUESTION.lower(), 1)]

    await eventually(logged)


async def test_unanswered_log_can_be_turned_off(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """With /config unanswered-log off, a not-covered question is not stored."""
    await emulator.wait_for_callback(await emulator.slash("config unanswered-log", {"enabled": False}, user="admin"))
    await emulator.wait_for_callback(await emulator.slash("ask", {"question": NOT_COVERED_QUESTION}))
    # A DM question is still logged; once it is, the guild one would have been too if logging were on.
    await emulator.wait_for_callback(await emulator.slash("ask", {"question": "What about cobalt?"}, dm=True))

    async def dm_logged() -> bool:
        return await lawbot.database.unanswered_count() >= 1

    await eventually(dm_logged)
    assert (await lawbot.database.gaps()).unanswered == [("what about cobalt?", 1)]


async def test_question_over_length_cap_is_refused_privately(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A question longer than MAX_QUESTION_CHARS gets an ephemeral refusal, not an answer."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": "forced labour " * 100}))
    body = message_body(callback)
    assert is_ephemeral(body) and body["embeds"] == []
    assert "1,000" in body["content"]


async def test_cooldown_gives_friendly_ephemeral_message(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """The 6th question within a minute (default 5) gets a friendly ephemeral wait message."""
    for _ in range(5):
        answered = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
        assert message_body(answered)["embeds"]
    limited = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    assert is_ephemeral(limited)
    assert "Please wait" in limited["content"]
    other_user = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}, user="bob"))
    assert message_body(other_user)["embeds"]


async def test_cooldown_is_configurable_per_guild(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/config cooldown 1 makes the second question in a minute wait."""
    await emulator.wait_for_callback(await emulator.slash("config cooldown", {"per_minute": 1}, user="admin"))
    await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
    second = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    assert "Please wait" in second["content"]


async def test_explain_this_context_menu_answers_the_message(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """"Explain this" on someone's message answers the question in it."""
    target = await emulator.post_message(ANSWERED_QUESTION, user="bob")
    callback = await emulator.wait_for_callback(await emulator.message_command("Explain this", target))
    body = message_body(callback)
    assert_safe_message(body)
    assert body["embeds"][0]["title"] == "The UFLPA rebuttable presumption"


async def test_ask_works_in_dms(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/ask from a DM is answered."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}, dm=True))
    assert message_body(callback)["embeds"][0]["title"] == "The UFLPA rebuttable presumption"


async def test_user_text_cannot_ping(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Even a question full of mentions is answered with allowed_mentions parse []."""
    question = "@everyone <@&1> what does the UFLPA presume about goods from Xinjiang?"
    body = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": question})))
    assert body["allowed_mentions"] == {"parse": []}
