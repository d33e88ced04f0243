"""Knowledge base versions and update notes in the store, on both backends: one successor per version, snapshots kept
only on the latest, each note claimed once, channels set after a change not sent it."""

from __future__ import annotations

import asyncio

from bot.storage import Database
from tests.storage.stores import Store

GUILD, OTHER_GUILD, CHANNEL = 1_300_000_000_000_000_001, 1_300_000_000_000_000_002, 1_300_000_000_000_000_010


async def _add(database: Database, previous_id: int, version: str, *, changes: bool = True):
    return await database.add_knowledge_version(
        previous_id=previous_id, version=version, snapshot=f"snapshot of {version}",
        changes='{"values": []}' if changes else "", has_changes=changes,
    )


async def test_only_one_successor_per_version(store: Store) -> None:
    """Two processes recording a version after the same one: the first wins, the second gets None."""
    first, second = await store.open(), await store.open()
    base = await _add(first, 0, "aaaa", changes=False)
    assert base is not None
    results = await asyncio.gather(_add(first, base.id, "bbbb"), _add(second, base.id, "bbbb"))
    assert sorted(r is None for r in results) == [False, True]
    latest = await second.latest_knowledge_version()
    assert latest is not None and latest.version == "bbbb"


async def test_older_versions_drop_their_snapshot(database: Database) -> None:
    """Only the latest version keeps its snapshot, so the table does not grow by a snapshot per reload."""
    base = await _add(database, 0, "aaaa", changes=False)
    assert base is not None
    await _add(database, base.id, "bbbb")
    latest = await database.latest_knowledge_version()
    assert latest is not None and latest.snapshot == "snapshot of bbbb"
    rows = await database.backend.fetch("SELECT version, snapshot FROM kb_version ORDER BY id")
    assert [tuple(r) for r in rows] == [("aaaa", ""), ("bbbb", "snapshot of bbbb")]


async def test_changes_listed_newest_first_without_unchanged_versions(database: Database) -> None:
    """knowledge_changes lists versions that changed something, newest first; the first (baseline) is left out."""
    base = await _add(database, 0, "aaaa", changes=False)
    second = await _add(database, base.id, "bbbb")
    third = await _add(database, second.id, "cccc")
    assert [v.version for v in await database.knowledge_changes()] == [third.version, second.version]


async def test_a_note_is_claimed_once(database: Database) -> None:
    """The second claim of the same change in the same guild is refused, so the note is never sent twice."""
    change = await _add(database, 0, "aaaa")
    assert await database.claim_note(change.id, GUILD, CHANNEL) is True
    assert await database.claim_note(change.id, GUILD, CHANNEL) is False
    await database.finish_note(change.id, GUILD, status="failed", detail="missing permission")
    post = (await database.notes(GUILD, [change.id]))[change.id]
    assert (post.status, post.detail, post.channel_id) == ("failed", "missing permission", CHANNEL)


async def test_awaiting_notes_are_configured_guilds_without_a_claim(database: Database) -> None:
    """Only guilds with an updates channel and no note for the change are waiting for one."""
    change = await _add(database, 0, "aaaa")
    await database.set_updates_channel(GUILD, CHANNEL)
    await database.set_updates_channel(OTHER_GUILD, CHANNEL)
    await database.set_cooldown(3, 5)  # a guild with config but no updates channel
    await database.backend.execute("DELETE FROM kb_change_post")  # as if both were set before the change
    assert await database.guilds_awaiting_note(change.id) == [(GUILD, CHANNEL), (OTHER_GUILD, CHANNEL)]
    await database.claim_note(change.id, GUILD, CHANNEL)
    assert await database.guilds_awaiting_note(change.id) == [(OTHER_GUILD, CHANNEL)]


async def test_channel_set_after_a_change_is_not_sent_it(database: Database) -> None:
    """Setting an updates channel marks the latest change skipped for the guild, so start-up does not post it late."""
    change = await _add(database, 0, "aaaa")
    await database.set_updates_channel(GUILD, CHANNEL)
    assert await database.guilds_awaiting_note(change.id) == []
    assert (await database.notes(GUILD, [change.id]))[change.id].status == "skipped"


async def test_updates_channel_is_part_of_guild_config(database: Database) -> None:
    """The updates channel is stored, read back with the config, and cleared with None."""
    await database.set_updates_channel(GUILD, CHANNEL)
    assert (await database.guild_config(GUILD)).updates_channel_id == CHANNEL
    await database.set_updates_channel(GUILD, None)
    assert (await database.guild_config(GUILD)).updates_channel_id is None
