"""LOG_LEVEL=DEBUG with LOG_USER_IDS=false: discord.py's payload dumps reach the log without user ids or message text."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.discord_app.bot import LawBot
from bot.ops.logging import configure_logging
from bot.settings import Settings
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import running_bot
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import message_body


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


async def _debug_log_of_one_question(emulator: DiscordEmulator, settings: Settings, *, user_ids: bool) -> str:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", secrets=[settings.discord_token], stream=stream, user_ids=user_ids)
    async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator):
        message_body(await emulator.wait_for_callback(await emulator.slash("ask", {"question": ANSWERED_QUESTION})))
    return stream.getvalue()


@pytest.mark.usefixtures("restore_logging")
async def test_debug_log_holds_no_user_id_or_question_text(emulator: DiscordEmulator, settings: Settings) -> None:
    """With LOG_USER_IDS=false the DEBUG log has the gateway and HTTP traffic, but no user id and no question."""
    output = await _debug_log_of_one_question(emulator, settings, user_ids=False)
    assert "WebSocket Event" in output  # discord.py's payload dumps are there, emptied
    assert str(emulator.user_id("alice")) not in output
    assert ANSWERED_QUESTION not in output


@pytest.mark.usefixtures("restore_logging")
async def test_debug_log_keeps_payloads_when_user_ids_are_allowed(emulator: DiscordEmulator, settings: Settings) -> None:
    """With LOG_USER_IDS=true the payload dumps stay whole (the filter is what removes them)."""
    output = await _debug_log_of_one_question(emulator, settings, user_ids=True)
    assert str(emulator.user_id("alice")) in output
