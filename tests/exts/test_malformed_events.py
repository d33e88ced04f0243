"""A gateway event or frame discord.py cannot read never ends the bot: it is skipped, or the bot reconnects."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import OP_IDENTIFY, DiscordEmulator
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import CHANNEL_MESSAGES, message_body

TITLE = "The UFLPA rebuttable presumption"
MALFORMED = range(len(DiscordEmulator().malformed_events()))


async def ask_and_get_title(emulator: DiscordEmulator) -> str:
    body = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    return body["embeds"][0]["title"]


@pytest.mark.parametrize("index", MALFORMED)
async def test_malformed_event_is_skipped_and_next_question_answered(
    emulator: DiscordEmulator, lawbot: LawBot, caplog: pytest.LogCaptureFixture, index: int
) -> None:
    """An event with missing or ill-typed fields is logged and skipped; the next /ask is answered."""
    event, data = emulator.malformed_events()[index]
    with caplog.at_level(logging.WARNING, logger="bot.discord_app.bot"):
        await emulator.dispatch(event, data)
        assert await ask_and_get_title(emulator) == TITLE
    assert any(record.getMessage() == f"skipped a malformed {event} gateway event" for record in caplog.records)


async def test_messages_are_answered_after_a_malformed_message_event(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """After a MESSAGE_CREATE without channel or author, a mention is still answered."""
    await emulator.dispatch("MESSAGE_CREATE", {"id": str(emulator.new_id()), "content": "no channel, no author"})
    await emulator.post_message(ANSWERED_QUESTION, dm=True)
    answer = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert answer.json["embeds"][0]["title"] == TITLE


@pytest.mark.parametrize("frame", ["[]", "{not json", '{"op": 0, "t": "READY", "s": 99, "d": {}}'])
async def test_unreadable_frame_reconnects_and_next_question_answered(
    emulator: DiscordEmulator, lawbot: LawBot, frame: str
) -> None:
    """A frame the gateway client cannot read: the bot identifies again, is READY again, and answers the next /ask."""
    mark = emulator.frame_mark()
    ready_again = asyncio.ensure_future(lawbot.wait_for("ready", timeout=5))
    await emulator.send_raw_frame(frame)
    await emulator.wait_for_frame(direction="from_bot", op=OP_IDENTIFY, after=mark, timeout=5)
    await ready_again
    assert await ask_and_get_title(emulator) == TITLE
