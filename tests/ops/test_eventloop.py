"""The bot's event loop: uvloop when installed and enabled, asyncio's own otherwise."""

from __future__ import annotations

import asyncio

import pytest

from bot.ops import eventloop
from bot.settings import Settings

needs_uvloop = pytest.mark.skipif(not eventloop.uvloop_available(), reason="uvloop is not installed on this platform")


async def _running_loop_name() -> str:
    await asyncio.sleep(0)
    return eventloop.loop_name(asyncio.get_running_loop())


@needs_uvloop
def test_run_uses_uvloop_when_enabled():
    """With uvloop installed and UVLOOP on (the default), the coroutine runs on uvloop's loop."""
    assert eventloop.run(_running_loop_name(), use_uvloop=True) == "uvloop"


def test_run_uses_asyncio_when_disabled():
    """UVLOOP=0 runs the coroutine on asyncio's own loop."""
    assert eventloop.run(_running_loop_name(), use_uvloop=False) == "asyncio"


def test_uvloop_setting_defaults_on_and_can_be_turned_off():
    """UVLOOP unset means on; 0/false turn it off."""
    assert Settings.from_env({}, load_dotenv=False).uvloop is True
    assert Settings.from_env({"UVLOOP": "0"}, load_dotenv=False).uvloop is False
    assert Settings.from_env({"UVLOOP": "false"}, load_dotenv=False).uvloop is False
