"""Run a real discord.py client against the emulator, and check that it leaves nothing running."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from bot.testing.discord_emulator import DiscordEmulator

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
    with emulator.patch_discord():
        runner = asyncio.create_task(client.start(emulator.token), name="bot-under-test")
        try:
            await _wait_until_ready(client, runner, ready_timeout)
            yield client
        finally:
            await client.close()
            try:
                await asyncio.wait_for(runner, CLOSE_TIMEOUT)
            except asyncio.CancelledError:
                pass


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
