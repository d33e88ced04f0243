"""Fixtures: a running emulator and a minimal discord.py bot connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import leftover_tasks, running_bot
from tests.emulator.minimal_bot import MinimalBot


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emu:
        yield emu


@pytest_asyncio.fixture
async def bot(emulator: DiscordEmulator) -> AsyncIterator[MinimalBot]:
    client = MinimalBot(guild_id=emulator.guild_id)
    async with running_bot(client, emulator):
        yield client
    leaked = await leftover_tasks()
    assert not leaked, f"tasks still running after the bot closed: {leaked}"

