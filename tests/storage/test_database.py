"""The store on both backends: migrations, guild config, ask channels, explainers, feedback, the unanswered log, gaps."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import Settings
from bot.storage import Database, open_database
from bot.storage.database import MAX_QUESTION_STORED
from bot.storage.migrations import MIGRATIONS
from tests.storage.conftest import StoreFactory
from tests.storage.stores import Store

LATEST = MIGRATIONS[-1][0]
BIG_ID = 1_300_000_000_000_000_001  # a realistic Discord snowflake: does not fit 32 bits


# -- opening and migrations -----------------------------------------------------------------------


async def test_fresh_database_is_migrated_to_latest(database: Database) -> None:
    """A new database comes up at the latest schema version with every table in place."""
    assert await database.schema_version() == LATEST
    assert await database.unanswered_count() == 0


async def test_migrate_again_is_a_no_op(store: Store, database: Database) -> None:
    """Running the migrations again keeps the version and the rows."""
    await database.add_ask_channel(1, 10)
    await database.migrate()
    assert await database.schema_version() == LATEST
    assert await store.raw_count(database, "ask_channel") == 1


async def test_reopen_keeps_data_and_version(store: Store) -> None:
    """Reopening an existing database keeps its rows and does not migrate it again."""
    first = await store.open()
    await first.add_ask_channel(1, 10)
    await first.close()
    second = await store.open()
    assert (await second.guild_config(1)).ask_channel_ids == {10}
    assert await second.schema_version() == LATEST


async def test_concurrent_first_opens_migrate_once(store: Store) -> None:
    """Several processes opening a new database at once all succeed, and each migration is applied once."""
    opened = await asyncio.gather(*(store.open() for _ in range(4)))
    assert [await db.schema_version() for db in opened] == [LATEST] * 4
    if store.kind == "postgres":
        versions = await opened[0].backend.fetch("SELECT version FROM schema_version ORDER BY version")
        assert [row[0] for row in versions] == [version for version, _ in MIGRATIONS]
    await opened[0].add_ask_channel(1, 2)
    assert (await opened[1].guild_config(1)).ask_channel_ids == {2}


async def test_sqlite_uses_wal(make_store: StoreFactory) -> None:
    """The SQLite file is in WAL mode, so readers do not block the writer."""
    database = await (await make_store("sqlite")).open()
    assert await database.journal_mode() == "wal"


async def test_ping_answers_when_open(database: Database) -> None:
    """The readiness check's ping is True on an open database."""
    assert await database.ping() is True


async def test_open_database_follows_settings(store: Store) -> None:
    """open_database picks SQLite for an empty DATABASE_URL and PostgreSQL for a postgresql:// one."""
    database = await open_database(store.settings)
    try:
        assert database.kind == store.kind
        if store.kind == "sqlite":
            assert database.path == store.settings.database_path and database.path.exists()
        await database.set_cooldown(3, 4)
        assert (await (await store.open()).guild_config(3)).cooldown_per_minute == 4
    finally:
        await database.close()


async def test_open_database_rejects_other_urls(tmp_path) -> None:
    """A DATABASE_URL that is neither empty nor postgresql:// is an error, not a silent SQLite fallback."""
    with pytest.raises(ValueError, match="DATABASE_URL"):
        await open_database(Settings(data_dir=tmp_path, database_url="mysql://somewhere/db"))


# -- guild config and ask channels ----------------------------------------------------------------


async def test_unknown_guild_gets_defaults(database: Database) -> None:
    """A guild never configured has no ask channels, the default cooldown and logs unanswered questions."""
    config = await database.guild_config(5)
    assert (config.ask_channel_ids, config.cooldown_per_minute, config.feedback_log_channel_id, config.log_unanswered) == (
        frozenset(), None, None, True,
    )


async def test_guild_setters_round_trip(store: Store, database: Database) -> None:
    """Cooldown, feedback log channel and the unanswered opt-out are stored and read back by another process."""
    await database.set_cooldown(5, 2)
    await database.set_feedback_log_channel(5, BIG_ID)
    await database.set_log_unanswered(5, False)
    config = await (await store.open()).guild_config(5)
    assert (config.cooldown_per_minute, config.feedback_log_channel_id, config.log_unanswered) == (2, BIG_ID, False)


async def test_concurrent_reads_of_an_uncached_guild_share_one_load(database: Database, monkeypatch) -> None:
    """A burst of questions from a guild whose config is not cached yet reads the database once, not once each."""
    await database.set_cooldown(6, 9)
    reads = 0
    fetchrow = database.backend.fetchrow

    async def counting_fetchrow(*args):
        nonlocal reads
        reads += 1
        return await fetchrow(*args)

    monkeypatch.setattr(database.backend, "fetchrow", counting_fetchrow)
    configs = await asyncio.gather(*(database.guild_config(6) for _ in range(50)))
    assert {config.cooldown_per_minute for config in configs} == {9}
    assert reads == 1


async def test_write_during_a_load_is_not_hidden_by_the_stale_load(database: Database) -> None:
    """A config write that lands while an older read is still running wins: the stale read is not cached."""
    reading = asyncio.create_task(database.guild_config(7))
    await asyncio.sleep(0)  # the read has started
    await database.set_cooldown(7, 4)
    await reading
    assert (await database.guild_config(7)).cooldown_per_minute == 4


async def test_a_cancelled_waiter_does_not_cancel_the_shared_load(database: Database) -> None:
    """One question being cancelled mid-read does not fail the others waiting for the same guild's config."""
    await database.set_cooldown(8, 2)
    first = asyncio.create_task(database.guild_config(8))
    second = asyncio.create_task(database.guild_config(8))
    await asyncio.sleep(0)
    first.cancel()
    assert (await second).cooldown_per_minute == 2


async def test_each_guild_setter_changes_only_its_setting(database: Database) -> None:
    """Clearing the cooldown leaves the feedback channel and the opt-out as they were."""
    await database.set_feedback_log_channel(5, 99)
    await database.set_log_unanswered(5, False)
    await database.set_cooldown(5, 3)
    await database.set_cooldown(5, None)
    config = await database.guild_config(5)
    assert (config.cooldown_per_minute, config.feedback_log_channel_id, config.log_unanswered) == (None, 99, False)


async def test_add_ask_channel_reports_duplicates(database: Database) -> None:
    """Adding an ask channel twice returns True then False and stores it once."""
    assert await database.add_ask_channel(5, BIG_ID) is True
    assert await database.add_ask_channel(5, BIG_ID) is False
    assert (await database.guild_config(5)).ask_channel_ids == {BIG_ID}


async def test_remove_ask_channel(database: Database) -> None:
    """Removing an ask channel returns True once, then False, and the guild has none left."""
    await database.add_ask_channel(5, 7)
    assert await database.remove_ask_channel(5, 7) is True
    assert await database.remove_ask_channel(5, 7) is False
    assert (await database.guild_config(5)).ask_channel_ids == frozenset()


async def test_ask_channels_are_per_guild(database: Database) -> None:
    """Each guild sees only its own ask channels."""
    await database.add_ask_channel(5, 7)
    await database.add_ask_channel(5, 8)
    await database.add_ask_channel(6, 9)
    assert (await database.guild_config(5)).ask_channel_ids == {7, 8}
    assert (await database.guild_config(6)).ask_channel_ids == {9}


# -- explainers -----------------------------------------------------------------------------------


async def _post(database: Database, message_id: int, guild_id: int = 5, *, pinned: bool = True, fingerprint: str = "a") -> None:
    await database.add_explainer(
        message_id=message_id, guild_id=guild_id, channel_id=9, entry_id="wro", fingerprint=fingerprint, pinned=pinned
    )


async def test_explainers_listed_per_guild(database: Database) -> None:
    """explainers(guild) lists that guild's cards; explainers() lists all."""
    await _post(database, 1, 5)
    await _post(database, 2, 6)
    assert [e.message_id for e in await database.explainers(5)] == [1]
    assert sorted(e.message_id for e in await database.explainers()) == [1, 2]


async def test_explainer_record_fields(database: Database) -> None:
    """A recorded explainer comes back with its 64-bit ids, entry, fingerprint, pin state and a UTC timestamp."""
    await database.add_explainer(
        message_id=BIG_ID, guild_id=BIG_ID + 1, channel_id=BIG_ID + 2, entry_id="wro", fingerprint="f1", pinned=False
    )
    [record] = await database.explainers(BIG_ID + 1)
    assert (record.message_id, record.channel_id, record.entry_id, record.fingerprint, record.pinned) == (
        BIG_ID, BIG_ID + 2, "wro", "f1", False,
    )
    assert record.posted_at.endswith("+00:00")


async def test_explainer_fingerprint_update(database: Database) -> None:
    """Refreshing an explainer stores its new fingerprint."""
    await _post(database, 1)
    await database.update_explainer_fingerprint(1, "b")
    assert [e.fingerprint for e in await database.explainers(5)] == ["b"]


async def test_add_explainer_replaces_same_message(database: Database) -> None:
    """Recording the same message again replaces the record instead of adding a second one."""
    await _post(database, 1, fingerprint="a", pinned=True)
    await _post(database, 1, fingerprint="b", pinned=False)
    records = await database.explainers()
    assert [(e.message_id, e.fingerprint, e.pinned) for e in records] == [(1, "b", False)]


async def test_remove_explainer_returns_it_once(database: Database) -> None:
    """Removing an explainer returns its record the first time and None after."""
    await _post(database, 1, pinned=True)
    removed = await database.remove_explainer(1)
    assert removed is not None and (removed.message_id, removed.pinned) == (1, True)
    assert await database.remove_explainer(1) is None
    assert await database.explainers() == []


# -- feedback -------------------------------------------------------------------------------------


async def test_feedback_counts_votes(database: Database) -> None:
    """feedback_counts gives (helpful, not helpful) for one entry only."""
    await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=True)
    await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=True)
    await database.add_feedback(guild_id=None, entry_id="wro", question="q", helpful=False)
    await database.add_feedback(guild_id=1, entry_id="other", question="q", helpful=False)
    assert await database.feedback_counts("wro") == (2, 1)
    assert await database.feedback_counts("never-voted") == (0, 0)


async def test_feedback_ids_are_distinct(database: Database) -> None:
    """Each vote gets its own id, which set_feedback_reason uses."""
    first = await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=False)
    second = await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=False)
    assert first > 0 and second > 0 and first != second


async def test_feedback_holds_no_user_ids(store: Store, database: Database) -> None:
    """The feedback table has no column that could identify who voted."""
    await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=True)
    columns = await store.columns(database, "feedback")
    assert columns == {"id", "guild_id", "entry_id", "question", "helpful", "reason", "created_at"}


async def test_feedback_question_is_truncated(store: Store, database: Database) -> None:
    """Only the first MAX_QUESTION_STORED characters of a question are kept with a vote."""
    await database.add_feedback(guild_id=1, entry_id="wro", question="x" * (MAX_QUESTION_STORED + 50), helpful=True)
    row = await database.backend.fetchrow("SELECT question FROM feedback")
    assert row is not None and len(row[0]) == MAX_QUESTION_STORED


# -- the unanswered log ---------------------------------------------------------------------------


async def test_unanswered_log_counts_questions(database: Database) -> None:
    """Each logged unanswered question adds one to the count."""
    await database.log_unanswered("Is tea covered?")
    await database.log_unanswered("Is tea covered?")
    assert await database.unanswered_count() == 2


async def test_unanswered_holds_no_user_ids(store: Store, database: Database) -> None:
    """The unanswered table stores only the question text and the time."""
    await database.log_unanswered("anything")
    assert await store.columns(database, "unanswered") == {"id", "question", "asked_at"}


async def test_unanswered_question_text_is_cleaned(database: Database) -> None:
    """Logged questions are trimmed, lose NUL characters (PostgreSQL text cannot hold them) and are truncated."""
    await database.log_unanswered("  what about\x00 cobalt?  ")
    await database.log_unanswered("y" * (MAX_QUESTION_STORED + 1))
    rows = await database.backend.fetch("SELECT question FROM unanswered ORDER BY id")
    assert [row[0] for row in rows] == ["what about cobalt?", "y" * MAX_QUESTION_STORED]


async def test_unanswered_opt_out_is_shared_and_reversible(store: Store, database: Database) -> None:
    """A guild's opt-out of the unanswered log is seen by another process and can be turned back on."""
    await database.set_log_unanswered(5, False)
    other = await store.open()
    assert (await other.guild_config(5)).log_unanswered is False
    await database.set_log_unanswered(5, True)
    assert (await (await store.open()).guild_config(5)).log_unanswered is True


# -- gaps -----------------------------------------------------------------------------------------


async def test_gaps_group_unanswered_case_and_space_insensitively(database: Database) -> None:
    """Gaps count unanswered questions ignoring case and surrounding space, most frequent first."""
    for question in ("Is tea covered?", "What about cobalt?", "what about COBALT? ", "what about cobalt?"):
        await database.log_unanswered(question)
    report = await database.gaps()
    assert report.unanswered == [("what about cobalt?", 3), ("is tea covered?", 1)]


async def test_gaps_break_ties_by_most_recent(database: Database) -> None:
    """Among equally frequent unanswered questions, the most recently asked comes first."""
    for question in ("older", "newer"):
        await database.log_unanswered(question)
    assert [q for q, _ in (await database.gaps()).unanswered] == ["newer", "older"]


async def test_gaps_list_not_helpful_entries_with_latest_reasons(database: Database) -> None:
    """Gaps rank entries by "Not helpful" votes and show up to three of the latest non-empty reasons."""
    for reason in ("r1", "", "r2", "r3", "r4"):
        vote = await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=False)
        if reason:
            await database.set_feedback_reason(vote, reason)
    await database.add_feedback(guild_id=1, entry_id="uflpa", question="q", helpful=False)
    await database.add_feedback(guild_id=1, entry_id="helpful-one", question="q", helpful=True)
    report = await database.gaps()
    assert report.not_helpful == [("wro", 5, ["r4", "r3", "r2"]), ("uflpa", 1, [])]


async def test_gaps_respect_limit(database: Database) -> None:
    """The limit caps both lists of the gaps report."""
    for n in range(5):
        await database.log_unanswered(f"question {n}")
        await database.add_feedback(guild_id=1, entry_id=f"entry-{n}", question="q", helpful=False)
    report = await database.gaps(limit=2)
    assert (len(report.unanswered), len(report.not_helpful)) == (2, 2)
