"""Storage outages are contained: PostgreSQL frozen (SIGSTOP) or stopped, SQLite gone. Operations fail within the
timeout as StorageUnavailable, best-effort writes never raise, and the database is used again once it is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.ops.metrics import Metrics
from bot.settings import Settings
from bot.storage import Database, StorageUnavailable, open_database
from tests.exts.helpers import eventually
from tests.storage.outages import OUTAGES, outage, sqlite_write_locked
from tests.storage.stores import Store, new_store

TIMEOUT = 0.5
DISCORD_DEADLINE = 3.0


class Opened:
    def __init__(self, store: Store, database: Database, kind: str) -> None:
        self.store, self.database, self.kind = store, database, kind
        self.metrics = Metrics()
        database.guard.metrics = self.metrics

    def outage(self):
        return outage(self.kind, self.database, self.store.url)


@pytest_asyncio.fixture(params=OUTAGES)
async def opened(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opened]:
    kind = request.param
    store = await new_store("sqlite" if kind.startswith("sqlite") else "postgres", tmp_path / "data")
    if store.kind == "sqlite":
        database = await Database.open_path(store.settings.database_path, timeout=TIMEOUT)
    else:
        database = await Database.open_postgres(store.url, schema=store.schema, timeout=TIMEOUT)
    store._opened.append(database)
    yield Opened(store, database, kind)
    await store.aclose()


def _count(metrics: Metrics, name: str, operation: str) -> float:
    return metrics.registry.get_sample_value(f"{name}_total", {"operation": operation}) or 0.0


async def test_read_fails_as_storage_unavailable_within_the_timeout(opened: Opened) -> None:
    """During an outage a read raises StorageUnavailable, in well under Discord's 3 s."""
    async with opened.outage():
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            await opened.database.explainers(1)
        assert time.monotonic() - started < DISCORD_DEADLINE
    assert _count(opened.metrics, "flx_storage_errors", "explainers") == 1


async def test_later_operations_fail_at_once_while_the_database_is_down(opened: Opened) -> None:
    """After one timeout, a command's further reads fail without waiting again, so two reads fit in 3 s."""
    async with opened.outage():
        started = time.monotonic()
        for _ in range(3):
            with pytest.raises(StorageUnavailable):
                await opened.database.unanswered_count()
        assert time.monotonic() - started < DISCORD_DEADLINE


async def test_best_effort_writes_never_raise(opened: Opened) -> None:
    """Logging an unanswered question and recording feedback return quietly during an outage, and are counted."""
    async with opened.outage():
        assert await opened.database.log_unanswered("what is the weather", guild_id=7) is False
        assert await opened.database.add_feedback(guild_id=7, entry_id="e", question="q", helpful=True) == 0
        await opened.database.set_feedback_reason(0, "reason")
    assert _count(opened.metrics, "flx_storage_writes_dropped", "log_unanswered") == 1
    assert _count(opened.metrics, "flx_storage_writes_dropped", "add_feedback") == 1


@pytest.mark.parametrize("opened", ["postgres-frozen", "postgres-stopped"], indirect=True)
async def test_database_is_used_again_once_it_is_back(opened: Opened) -> None:
    """When PostgreSQL answers again, operations succeed again without a restart."""
    async with opened.outage():
        with pytest.raises(StorageUnavailable):
            await opened.database.unanswered_count()

    async def answers() -> bool:
        try:
            return await opened.database.unanswered_count() == 0
        except StorageUnavailable:
            return False

    await eventually(answers, timeout=15)


async def test_sqlite_write_lock_held_elsewhere_makes_writes_unavailable(tmp_path: Path) -> None:
    """Another process holding SQLite's write lock makes a write fail as StorageUnavailable, not hang."""
    database = await Database.open_path(tmp_path / "db.sqlite3", timeout=TIMEOUT)
    try:
        with sqlite_write_locked(tmp_path / "db.sqlite3"):
            with pytest.raises(StorageUnavailable):
                await database.set_cooldown(1, 3)
            assert await database.log_unanswered("question") is False
    finally:
        await database.close()


async def test_unreachable_database_at_open_is_named_without_its_password(tmp_path: Path) -> None:
    """Opening a PostgreSQL URL nobody listens on raises StorageUnavailable naming the database, not the password."""
    settings = Settings(data_dir=tmp_path, database_url="postgresql://flx:s3cret@127.0.0.1:1/flx",
                        database_open_timeout_seconds=5.0)
    with pytest.raises(StorageUnavailable) as raised:
        await open_database(settings)
    assert "PostgreSQL at 127.0.0.1:1/flx" in str(raised.value)
    assert "s3cret" not in str(raised.value)


async def test_open_gives_up_within_its_timeout_on_a_frozen_server(tmp_path: Path) -> None:
    """A server that accepts the connection but never answers makes the open fail within its timeout."""
    silent = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    settings = Settings(data_dir=tmp_path, database_url=f"postgresql://flx@127.0.0.1:{port}/flx",
                        database_open_timeout_seconds=0.5)
    try:
        with pytest.raises(StorageUnavailable):
            await open_database(settings)
    finally:
        silent.close()
