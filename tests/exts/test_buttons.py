"""Every button under answers (More sources, Helpful, Not helpful with its modal, topics) and the ladder buttons."""

from __future__ import annotations

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import CALLBACK_MODAL, CALLBACK_UPDATE_MESSAGE, ChannelArg, DiscordEmulator
from tests.exts.conftest import ANSWERED_QUESTION, MANY_EXCERPTS_QUESTION, NOT_COVERED_QUESTION
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, button_labels, eventually, is_ephemeral, message_body


async def _answer_message(emulator: DiscordEmulator, question: str) -> dict:
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": question}))
    return callback.response["resource"]["message"]


async def test_more_sources_shows_the_next_excerpts_privately(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """"More sources" answers ephemerally with the excerpts after the first three, numbered [4] and [5]."""
    answer = await _answer_message(emulator, MANY_EXCERPTS_QUESTION)
    assert emulator.find_button(answer, "More sources")["disabled"] is False
    body = message_body(await emulator.wait_for_callback(await emulator.click_button(answer, "More sources")))
    assert_safe_message(body)
    assert is_ephemeral(body)
    description = body["embeds"][0]["description"]
    assert "**[4]**" in description and "**[5]**" in description and "**[1]**" not in description


async def test_more_sources_disabled_when_nothing_more(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """An answer whose excerpts all fit has its "More sources" button disabled."""
    answer = await _answer_message(emulator, ANSWERED_QUESTION)
    assert emulator.find_button(answer, "More sources")["disabled"] is True


async def test_helpful_is_recorded(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """"Helpful" records a vote (with the question) and thanks the user privately."""
    answer = await _answer_message(emulator, ANSWERED_QUESTION)
    body = message_body(await emulator.wait_for_callback(await emulator.click_button(answer, "Helpful", user="bob")))
    assert is_ephemeral(body) and "Thanks" in body["content"]
    assert await lawbot.database.feedback_counts("uflpa-rebuttable-presumption") == (1, 0)


async def test_not_helpful_opens_reason_modal_and_records_reason(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """"Not helpful" records a vote and opens a one-line reason modal; the submitted reason is stored."""
    answer = await _answer_message(emulator, ANSWERED_QUESTION)
    modal = await emulator.wait_for_callback(await emulator.click_button(answer, "Not helpful"))
    assert modal.json["type"] == CALLBACK_MODAL
    assert await lawbot.database.feedback_counts("uflpa-rebuttable-presumption") == (0, 1)
    thanks = await emulator.wait_for_callback(await emulator.submit_modal(modal, {"reason": "needs the CBP guidance"}))
    assert is_ephemeral(message_body(thanks))

    async def reason_stored() -> bool:
        return (await lawbot.database.gaps()).not_helpful == [("uflpa-rebuttable-presumption", 1, ["needs the CBP guidance"])]

    await eventually(reason_stored)


async def test_feedback_goes_to_the_feedback_log_channel(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """With a feedback-log channel configured, a "Not helpful" reason is posted there, escaped and ping-free."""
    log_channel = emulator.channel_ids["explainers"]
    configure = await emulator.slash("config feedback-log", {"channel": ChannelArg(log_channel)}, user="admin")
    await emulator.wait_for_callback(configure)
    answer = await _answer_message(emulator, ANSWERED_QUESTION)
    modal = await emulator.wait_for_callback(await emulator.click_button(answer, "Not helpful"))
    await emulator.wait_for_callback(await emulator.submit_modal(modal, {"reason": "@everyone *wrong*"}))
    posted = await emulator.wait_for_request(CHANNEL_MESSAGES, where=lambda r: r.params["channel_id"] == str(log_channel))
    assert_safe_message(posted.json)
    assert "@\u200beveryone" in posted.json["content"] and "\\*wrong\\*" in posted.json["content"]


async def test_topic_button_opens_the_topic(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A suggested-topic button on a not-covered reply opens that topic's card (ephemeral)."""
    reply = await _answer_message(emulator, NOT_COVERED_QUESTION)
    first_topic = reply["components"][0]["components"][0]
    body = message_body(await emulator.wait_for_callback(await emulator.click(reply, first_topic["custom_id"])))
    assert_safe_message(body)
    assert is_ephemeral(body)
    assert body["embeds"][0]["title"] == first_topic["label"]


async def test_ladder_next_and_previous_edit_the_step(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """/escalation shows step 1 with Previous disabled; Next edits to step 2; Previous goes back."""
    shown = await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": "ladder-ilo-supervision"}))
    message = shown.response["resource"]["message"]
    assert message["embeds"][0]["title"].endswith("step 1 of 2")
    assert emulator.find_button(message, "Previous")["disabled"] is True
    forward = await emulator.wait_for_callback(await emulator.click_button(message, "Next"))
    assert forward.json["type"] == CALLBACK_UPDATE_MESSAGE
    assert_safe_message(forward.json["data"])
    assert emulator.messages[int(message["id"])]["embeds"][0]["title"].endswith("step 2 of 2")
    assert emulator.find_button(message, "Next")["disabled"] is True
    await emulator.wait_for_callback(await emulator.click_button(message, "Previous"))
    assert emulator.messages[int(message["id"])]["embeds"][0]["title"].endswith("step 1 of 2")


async def test_buttons_work_after_a_restart(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Buttons are matched by custom_id, so a button on a message the bot never saw still works."""
    answer = await _answer_message(emulator, ANSWERED_QUESTION)
    lawbot.answer_log = type(lawbot.answer_log)()  # forget everything, as after a restart
    body = message_body(await emulator.wait_for_callback(await emulator.click_button(answer, "Helpful")))
    assert "Thanks" in body["content"]
    assert button_labels(answer)[:3] == ["More sources", "Helpful", "Not helpful"]


async def test_other_match_button_opens_that_entry(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """An answer's "Other match" button opens the runner-up entry's card, privately, so a wrong top costs one click."""
    answer = await _answer_message(emulator, "uflpa exception or presumption")
    label = next(label for label in button_labels(answer) if label.startswith("Other match: "))
    body = message_body(await emulator.wait_for_callback(await emulator.click_button(answer, label)))
    assert is_ephemeral(body)
    assert body["embeds"][0]["title"] == label.removeprefix("Other match: ")


async def test_related_topics_are_buttons(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Related topics are buttons that open the entry, not a comma-joined list of titles."""
    answer = await _answer_message(emulator, ANSWERED_QUESTION)
    assert not any(field["name"] == "Related" for field in answer["embeds"][0]["fields"])
    body = message_body(await emulator.wait_for_callback(
        await emulator.click_button(answer, "Related: The exception to the UFLPA presumption")))
    assert body["embeds"][0]["title"] == "The exception to the UFLPA presumption"
