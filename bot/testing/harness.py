"""Run a real discord.py client against the emulator, and check that it leaves nothing running."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord

from bot.testing.discord_emulator import DiscordEmulator, patch_discord

READY_TIMEOUT = 5.0
CLOSE_TIMEOUT = 5.0


@contextlib.asynccontextmanager
async def running_bot(
    client: discord.Client, emulator: DiscordEmulator, *, ready_timeout: float = READY_TIMEOUT
) -> AsyncIterator[discord.Client]:
    """Start `client` against `emulator`, yield once it is READY, then close it and wait for it to finish.

    Pass ``guild_ready_timeout=0.05`` (or similar) to the client: discord.py waits that long after the last
    GUILD_CREATE before it fires on_ready (2 s by default).
    """
    async with running_bot_at(
        client, api_base=emulator.api_base, gateway_url=emulator.gateway_url, token=emulator.token, ready_timeout=ready_timeout
    ) as started:
        yield started


@contextlib.asynccontextmanager
async def running_bot_at(
    client: discord.Client, *, api_base: str, gateway_url: str, token: str, ready_timeout: float = READY_TIMEOUT
) -> AsyncIterator[discord.Client]:
    """running_bot for an emulator in another process (known only by its URLs)."""
    with patch_discord(api_base, gateway_url), capture_loop_errors() as loop_errors:
        runner = asyncio.create_task(client.start(token), name="bot-under-test")
        try:
            await _wait_until_ready(client, runner, ready_timeout)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(runner, CLOSE_TIMEOUT)
            gc.collect()  # "Task exception was never retrieved" is reported when the task is collected
    if loop_errors:
        raise AssertionError(f"unhandled errors in the event loop while the bot ran: {loop_errors}")


@contextlib.contextmanager
def capture_loop_errors() -> Iterator[list[dict[str, Any]]]:
    """Collect what the event loop would log as unhandled (task exceptions never retrieved, callback errors)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    errors: list[dict[str, Any]] = []

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        errors.append({"message": context.get("message"), "exception": repr(context.get("exception"))})
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)


async def _wait_until_ready(client: discord.Client, runner: asyncio.Task[None], timeout: float) -> None:
    # wait_until_ready() cannot be called before login, so poll is_ready() while watching the runner.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not client.is_ready():
        if runner.done():
            runner.result()  # raises the start-up failure
            raise RuntimeError("the client stopped before it became ready")
        if loop.time() > deadline:
            raise TimeoutError(f"the client was not READY within {timeout}s")
        await asyncio.sleep(0.005)


async def leftover_tasks(grace: float = 1.0) -> list[asyncio.Task[object]]:
    """Tasks other than the caller still running after `grace` seconds (a leak if not empty)."""
    current = asyncio.current_task()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while True:
        others = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
        if not others or loop.time() > deadline:
            return others
        await asyncio.sleep(0.01)
