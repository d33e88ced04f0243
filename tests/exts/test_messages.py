"""Mentions, replies, thread follow-ups, ask channels and DMs: the bot answers when asked, and only then."""

from __future__ import annotations

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import ChannelArg, DiscordEmulator
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import CHANNEL_MESSAGES, assert_safe_message, eventually

THREAD_FROM_MESSAGE = "POST /channels/{channel_id}/messages/{message_id}/threads"
FOLLOW_UP = "and is there an exception?"  # answered differently with the previous question as context


async def _truthy(value: object) -> bool:
    return bool(value)


async def test_mention_opens_a_thread_with_the_answer(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Mentioning the bot with a question opens a thread on that message and answers inside it."""
    asked = await emulator.post_message(ANSWERED_QUESTION, mention_bot=True)
    thread = await emulator.wait_for_request(THREAD_FROM_MESSAGE)
    assert thread.params["message_id"] == asked["id"]
    assert thread.json["name"] == ANSWERED_QUESTION
    answer = await emulator.wait_for_request(CHANNEL_MESSAGES, where=lambda r: r.params["channel_id"] == asked["id"])
    assert_safe_message(answer.json)
    assert answer.json["embeds"][0]["title"] == "The UFLPA rebuttable presumption"


async def test_thread_follow_up_uses_previous_question_as_context(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A follow-up typed in the bot's thread (no mention) is answered with the previous question as context."""
    asked = await emulator.post_message(ANSWERED_QUESTION, mention_bot=True)
    thread_id = int(asked["id"])  # a thread started from a message has the message's id
    first = await emulator.wait_for_request(CHANNEL_MESSAGES, where=lambda r: r.params["channel_id"] == asked["id"])
    await emulator.post_message(FOLLOW_UP, channel=thread_id)
    follow_up = await emulator.wait_for_request(
        CHANNEL_MESSAGES, where=lambda r: r.params["channel_id"] == asked["id"], after=first.index + 1
    )
    with_context = lawbot.engine.ask(FOLLOW_UP, context=ANSWERED_QUESTION)
    without_context = lawbot.engine.ask(FOLLOW_UP)
    assert with_context.answered and with_context.title != without_context.title  # else the check proves nothing
    assert follow_up.json["embeds"], follow_up.json
    assert follow_up.json["embeds"][0]["title"] == with_context.title


async def test_reply_to_an_answer_is_answered_with_context(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """Replying to one of the bot's answers gets a reply that used the answered question as context."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
    answer_message = callback.response["resource"]["message"]
    # People don't reply within microseconds; wait until the bot has noted which question the answer was for.
    await eventually(lambda: _truthy(lawbot.answer_log.get(int(answer_message["id"]))))
    await emulator.post_message(FOLLOW_UP, reply_to=answer_message)
    reply = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert_safe_message(reply.json)
    assert str(reply.json["message_reference"]["message_id"]) != answer_message["id"]  # replies to the user
    assert reply.json["embeds"][0]["title"] == lawbot.engine.ask(FOLLOW_UP, context=ANSWERED_QUESTION).title


async def test_no_unprompted_answers_outside_ask_channels(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A question in an ordinary channel without a mention is ignored; in an ask channel it is answered."""
    mark = emulator.mark()
    await emulator.post_message(ANSWERED_QUESTION, channel="ask")
    add = await emulator.slash("config ask-channels add", {"channel": ChannelArg(emulator.channel_ids["ask"])}, user="admin")
    await emulator.wait_for_callback(add)
    assert emulator.requests_for(CHANNEL_MESSAGES) == [] and emulator.mark() > mark
    await emulator.post_message(ANSWERED_QUESTION, channel="ask")
    answer = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert answer.params["channel_id"] == str(emulator.channel_ids["ask"])
    assert_safe_message(answer.json)


async def test_dm_question_is_answered(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A question sent in a DM, without a mention, is answered there."""
    await emulator.post_message(ANSWERED_QUESTION, dm=True, user="bob")
    answer = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert answer.params["channel_id"] == emulator.dm_channel("bob")["id"]
    assert answer.json["embeds"][0]["title"] == "The UFLPA rebuttable presumption"


async def test_bare_mention_gets_help(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A mention with no question gets the help text, not an error."""
    await emulator.post_message("", mention_bot=True)
    reply = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert_safe_message(reply.json)
    assert "/ask" in reply.json["content"]


async def test_own_answers_are_not_turned_into_message_objects(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """The MESSAGE_CREATE Discord echoes for each answer the bot posts is dropped; users' messages still arrive."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
    own_id = int(callback.response["resource"]["message"]["id"])
    asked = await emulator.post_message("just chatting here")
    await eventually(lambda: _truthy(lawbot._connection._get_message(int(asked["id"]))))
    assert lawbot._connection._get_message(own_id) is None
    assert all(message.author.id != lawbot.user.id for message in lawbot.cached_messages)


async def test_reply_to_a_forgotten_answer_is_still_recognised(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """After the bot forgets which question an answer was for (a restart), a reply to it is still answered:
    the reply's payload says whose message it replies to."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))
    answer_message = callback.response["resource"]["message"]
    await eventually(lambda: _truthy(lawbot.answer_log.get(int(answer_message["id"]))))
    lawbot.answer_log = type(lawbot.answer_log)()
    mark = emulator.mark()
    asked = await emulator.post_message("what is a withhold release order?", reply_to=answer_message)
    reply = await emulator.wait_for_request(CHANNEL_MESSAGES, after=mark)
    assert_safe_message(reply.json)
    assert reply.json["embeds"], reply.json
    # Answered as a reply in the channel (not as a mention, which would open a thread).
    assert str(reply.json["message_reference"]["message_id"]) == asked["id"]
    assert not emulator.requests_for(THREAD_FROM_MESSAGE)
