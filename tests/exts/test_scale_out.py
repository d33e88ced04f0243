"""Scale-out: shard processes share their state through PostgreSQL (DATABASE_URL), not their local SQLite."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.discord_app.bot import LawBot, create_bot
from bot.settings import Settings
from bot.testing.discord_emulator import DiscordEmulator
from bot.testing.harness import running_bot
from tests.exts.conftest import NOT_COVERED_QUESTION
from tests.exts.helpers import eventually, message_body
from tests.storage.stores import new_store


async def test_two_shard_processes_share_state_in_postgresql(
    emulator: DiscordEmulator, settings: Settings, tmp_path: Path
) -> None:
    """What shard 0 records (an unanswered question) is what shard 1, with its own empty data dir, reports."""
    store = await new_store("postgres", tmp_path / "unused")
    try:
        shared = dataclasses.replace(settings, database_url=store.settings.database_url, shard_count=2)
        first = create_bot(dataclasses.replace(shared, shard_ids=(0,), data_dir=tmp_path / "shard-0"),
                           guild_ready_timeout=0.01)
        async with running_bot(first, emulator):
            assert first.database.kind == "postgres"
            await emulator.wait_for_callback(await emulator.slash("ask", {"question": NOT_COVERED_QUESTION}))

            async def logged() -> bool:
                return await first.database.unanswered_count() == 1

            await eventually(logged)
        second: LawBot = create_bot(dataclasses.replace(shared, shard_ids=(1,), data_dir=tmp_path / "shard-1"),
                                    guild_ready_timeout=0.01)
        async with running_bot(second, emulator):
            body = message_body(await emulator.wait_for_callback(await emulator.slash("kb gaps", user="admin")))
            assert "1× what is the weather in paris tomorrow?" in body["embeds"][0]["fields"][0]["value"]
        assert not (tmp_path / "shard-0" / "flx.sqlite3").exists()
    finally:
        await store.aclose()
