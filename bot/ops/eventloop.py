"""Which event loop runs the bot: uvloop (libuv, in C) when installed and enabled, else asyncio's own.

uvloop does the same job as asyncio's pure-Python loop machinery (scheduling callbacks, sockets, timers)
with less CPU; the bot's code does not change. It is not available on Windows, where asyncio's loop runs.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def uvloop_available() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def loop_factory(use_uvloop: bool = True) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """A factory for uvloop's loop, or None (asyncio's default) when disabled or not installed."""
    if not use_uvloop or not uvloop_available():
        return None
    import uvloop

    return uvloop.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Coroutine[Any, Any, T], *, use_uvloop: bool = True) -> T:
    """asyncio.run(main) on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(use_uvloop)) as runner:
        return runner.run(main)
