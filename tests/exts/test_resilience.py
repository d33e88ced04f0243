"""The bot survives a dropped gateway, REST 429s and 500s, and exceptions inside commands."""

from __future__ import annotations

import logging

import pytest

from bot.discord_app.bot import LawBot
from bot.testing.discord_emulator import OP_RESUME, DiscordEmulator
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import CALLBACK, CHANNEL_MESSAGES, is_ephemeral, message_body

TITLE = "The UFLPA rebuttable presumption"


async def test_gateway_drop_resumes_and_keeps_answering(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """With the websocket dropped mid-session, the bot RESUMEs, gets the /ask sent meanwhile, and answers it."""
    mark = emulator.frame_mark()
    await emulator.drop_connection(4000)
    missed = await emulator.slash("ask", {"question": ANSWERED_QUESTION})
    await emulator.wait_for_frame(direction="from_bot", op=OP_RESUME, after=mark)
    body = message_body(await emulator.wait_for_callback(missed))
    assert body["embeds"][0]["title"] == TITLE
    after = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}, user="bob")))
    assert after["embeds"][0]["title"] == TITLE


async def test_rate_limited_callback_is_retried_in_time(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A 429 with retry_after on the interaction callback: the client waits, retries, and the answer lands once."""
    emulator.fail_next(CALLBACK, status=429, retry_after=0.2)
    interaction = await emulator.slash("ask", {"question": ANSWERED_QUESTION})
    callback = await emulator.wait_for_callback(interaction)
    assert [r.status for r in emulator.requests_for(CALLBACK)] == [429, 200]
    assert callback.time - interaction.sent_at < 3.0
    assert message_body(callback)["embeds"][0]["title"] == TITLE


async def test_server_error_on_reply_is_retried_and_nothing_lost(emulator: DiscordEmulator, lawbot: LawBot) -> None:
    """A 500 on the reply to a DM question is retried; the answer is delivered exactly once."""
    emulator.fail_next(CHANNEL_MESSAGES, status=500)
    await emulator.post_message(ANSWERED_QUESTION, dm=True)
    delivered = await emulator.wait_for_request(CHANNEL_MESSAGES, status=200, timeout=5)
    assert [r.status for r in emulator.requests_for(CHANNEL_MESSAGES)] == [500, 200]
    assert delivered.json["embeds"][0]["title"] == TITLE
    assert len(emulator.bot_messages(int(delivered.params["channel_id"]))) == 1


async def test_exception_in_command_gets_short_message_and_bot_stays_up(
    emulator: DiscordEmulator, lawbot: LawBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception inside /ask gives the user a short ephemeral message, logs the traceback, and the bot goes on."""
    def broken_ask(question: str, context: str | None = None) -> None:
        raise RuntimeError("index corrupted")

    monkeypatch.setattr(lawbot.engine, "ask", broken_ask)
    with caplog.at_level(logging.ERROR):
        body = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    assert is_ephemeral(body) and "Something went wrong" in body["content"]
    assert "index corrupted" not in body["content"]
    assert any("index corrupted" in (record.exc_text or str(record.exc_info)) for record in caplog.records)
    monkeypatch.undo()
    ok = message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    assert ok["embeds"][0]["title"] == TITLE


async def test_exception_in_button_gets_short_message(
    emulator: DiscordEmulator, lawbot: LawBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception inside a button callback still gets the user a short ephemeral message."""
    callback = await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION}))

    async def broken_feedback(**kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(lawbot.database, "add_feedback", broken_feedback)
    click = await emulator.click_button(callback.response["resource"]["message"], "Helpful")
    body = message_body(await emulator.wait_for_callback(click))
    assert is_ephemeral(body) and "Something went wrong" in body["content"]


async def test_exception_in_message_handler_keeps_bot_alive(
    emulator: DiscordEmulator, lawbot: LawBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception while answering a mention is logged; the next question is answered."""
    original = lawbot.engine.ask
    calls = {"n": 0}

    def flaky_ask(question: str, context: str | None = None):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("first call fails")
        return original(question, context=context)

    monkeypatch.setattr(lawbot.engine, "ask", flaky_ask)
    await emulator.post_message(ANSWERED_QUESTION, dm=True)
    await emulator.post_message(ANSWERED_QUESTION, dm=True)
    answer = await emulator.wait_for_request(CHANNEL_MESSAGES)
    assert answer.json["embeds"][0]["title"] == TITLE
