"""Closing the bot ends what it started: the picture cache's drawing thread."""

from __future__ import annotations

import threading

import pytest

from bot.discord_app.bot import LawBot
from bot.render.pictures import cache as picture_cache
from bot.settings import Settings
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import running_bot

LADDER = "ladder-ilo-supervision"  # in the small fixture knowledge base


def _drawing_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name.startswith("pictures")}


async def test_closing_the_bot_ends_the_drawing_thread(
    emulator: DiscordEmulator, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After /escalation drew its ladder on the drawing thread, closing the bot leaves that thread ended."""
    # The thread is what is tested, not the drawing: a stand-in PNG keeps matplotlib (~60 MB) out of this
    # process this early, as the reload tests in tests/engine measure a child's peak memory, which inherits ours.
    monkeypatch.setattr(picture_cache, "render_png", lambda layout: b"\x89PNG\r\n\x1a\n")
    already_running = _drawing_threads()
    async with running_bot(LawBot(settings, guild_ready_timeout=0.01), emulator):
        callback = await emulator.wait_for_callback(await emulator.slash("escalation", {"ladder": LADDER}))
        assert callback.response["resource"]["message"]["attachments"]  # the picture was drawn
        started = _drawing_threads() - already_running
        assert started
    assert not any(thread.is_alive() for thread in started)
