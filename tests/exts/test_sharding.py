"""With SHARD_COUNT set the bot runs as an AutoShardedBot and answers as before."""

from __future__ import annotations

import dataclasses

from bot.discord_app.bot import ShardedLawBot, create_bot
from bot.settings import Settings
from bot.testing.discord_emulator import OP_IDENTIFY, DiscordEmulator
from bot.testing.harness import running_bot
from tests.exts.conftest import ANSWERED_QUESTION
from tests.exts.helpers import message_body


async def test_sharded_bot_identifies_with_shard_and_answers(emulator: DiscordEmulator, settings: Settings) -> None:
    """SHARD_COUNT=1, SHARD_IDS=0: the shard IDENTIFYs with [0, 1] and /ask is answered.

    (One shard: discord.py spaces further IDENTIFYs 5 s apart, as Discord requires.)"""
    sharded = dataclasses.replace(settings, shard_count=1, shard_ids=(0,))
    bot = create_bot(sharded, guild_ready_timeout=0.01)
    assert isinstance(bot, ShardedLawBot)
    async with running_bot(bot, emulator):
        identified = [f.d["shard"] for f in emulator.frames.items if f.op == OP_IDENTIFY]
        assert identified == [[0, 1]]
        interaction = await emulator.slash("ask", {"question": ANSWERED_QUESTION})
        body = message_body(await emulator.wait_for_callback(interaction))
        assert body["embeds"][0]["title"] == "The UFLPA rebuttable presumption"
