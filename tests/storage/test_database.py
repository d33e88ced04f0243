"""The SQLite store: migrations, WAL, guild config, explainers, feedback and the unanswered log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest_asyncio

from bot.storage import Database
from bot.storage.migrations import MIGRATIONS


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path)
    yield database
    await database.close()


async def test_open_applies_migrations_in_wal_mode(db: Database) -> None:
    """A fresh database is migrated to the latest version and uses WAL journaling."""
    assert await db.schema_version() == MIGRATIONS[-1][0]
    assert await db.journal_mode() == "wal"


async def test_reopen_keeps_data_and_does_not_remigrate(tmp_path: Path) -> None:
    """Reopening an existing file keeps its rows and leaves the schema version alone."""
    first = await Database.open(tmp_path)
    await first.add_ask_channel(1, 10)
    await first.close()
    second = await Database.open(tmp_path)
    try:
        assert (await second.guild_config(1)).ask_channel_ids == {10}
        assert await second.schema_version() == MIGRATIONS[-1][0]
    finally:
        await second.close()


async def test_guild_config_defaults_and_updates(db: Database) -> None:
    """Unknown guilds get defaults; each setter changes only its own setting."""
    assert (await db.guild_config(5)).log_unanswered is True
    await db.set_cooldown(5, 2)
    await db.set_feedback_log_channel(5, 99)
    await db.set_log_unanswered(5, False)
    assert await db.add_ask_channel(5, 7) is True
    assert await db.add_ask_channel(5, 7) is False
    config = await db.guild_config(5)
    assert (config.cooldown_per_minute, config.feedback_log_channel_id, config.log_unanswered) == (2, 99, False)
    assert config.ask_channel_ids == {7}
    assert await db.remove_ask_channel(5, 7) is True
    assert (await db.guild_config(5)).ask_channel_ids == frozenset()


async def test_explainers_roundtrip(db: Database) -> None:
    """Posted explainers are listed per guild, refreshed by fingerprint and removable."""
    await db.add_explainer(message_id=1, guild_id=5, channel_id=9, entry_id="wro", fingerprint="a", pinned=True)
    await db.add_explainer(message_id=2, guild_id=6, channel_id=9, entry_id="wro", fingerprint="a", pinned=False)
    assert [e.message_id for e in await db.explainers(5)] == [1]
    await db.update_explainer_fingerprint(1, "b")
    assert (await db.explainers(5))[0].fingerprint == "b"
    removed = await db.remove_explainer(1)
    assert removed is not None and removed.pinned
    assert await db.remove_explainer(1) is None
    assert [e.message_id for e in await db.explainers()] == [2]


async def test_feedback_and_gaps(db: Database) -> None:
    """Gaps list the most frequent unanswered questions and the most "Not helpful" entries with reasons."""
    for question in ("What about cobalt?", "what about cobalt? ", "Is tea covered?"):
        await db.log_unanswered(question)
    await db.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=True)
    bad = await db.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=False)
    await db.set_feedback_reason(bad, "too vague")
    report = await db.gaps()
    assert report.unanswered[0] == ("what about cobalt?", 2)
    assert report.not_helpful == [("wro", 1, ["too vague"])]
    assert await db.feedback_counts("wro") == (1, 1)


async def test_unanswered_log_holds_no_user_ids(db: Database, tmp_path: Path) -> None:
    """The unanswered table stores only the question text and the time."""
    await db.log_unanswered("anything")
    async with aiosqlite.connect(tmp_path / "bot.sqlite3") as raw, raw.execute("PRAGMA table_info(unanswered)") as cursor:
        columns = {row[1] for row in await cursor.fetchall()}
    assert columns == {"id", "question", "asked_at"}
