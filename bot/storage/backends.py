"""Connections for the two backends behind `Database`: SQLite (aiosqlite, one file, WAL) and PostgreSQL (asyncpg pool).

Both expose the same small surface, a `Session`: `fetch`, `fetchrow`, `execute` (returns the rows affected),
`execute_returning` (a write whose `RETURNING` row is wanted) and `executemany`. Queries are written once with `?`
placeholders; each backend passes them through its `Dialect`. Outside `transaction()` every write is committed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
import asyncpg

from bot.storage.dialect import POSTGRES, SQLITE, Dialect
from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

LATEST_VERSION = MIGRATIONS[-1][0]
# Any constant works: it only has to be the same in every process that migrates this database.
MIGRATION_LOCK_KEY = 0x666C_785F_6D69_67  # "flx_mig"
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 10  # per process: several shard processes share one server
PING_TIMEOUT_SECONDS = 2.0
WAL_SWITCH_TIMEOUT_SECONDS = 10.0
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

Row = Sequence[Any]


class Session(Protocol):
    dialect: Dialect

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def fetchrow(self, sql: str, *args: Any) -> Row | None: ...

    async def execute(self, sql: str, *args: Any) -> int: ...

    async def execute_returning(self, sql: str, *args: Any) -> Row | None: ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...


class Backend(Session, Protocol):
    kind: str  # "sqlite" or "postgres"
    path: Path | None  # the SQLite file; None for PostgreSQL

    def transaction(self, *, readonly: bool = False) -> contextlib.AbstractAsyncContextManager[Session]: ...

    async def migrate(self) -> None: ...

    async def schema_version(self) -> int: ...

    async def journal_mode(self) -> str: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


# -- SQLite -----------------------------------------------------------------------------------------


def split_statements(script: str) -> list[str]:
    """A migration script as single statements (sqlite3 runs one per `execute`)."""
    statements: list[str] = []
    buffer = ""
    for char in script:
        buffer += char
        if char == ";" and sqlite3.complete_statement(buffer):  # False for a `;` inside a string or comment
            statements.append(buffer.strip())
            buffer = ""
    leftover = "\n".join(line for line in buffer.splitlines() if not line.strip().startswith("--")).strip()
    if leftover:
        raise ValueError(f"incomplete SQL statement at the end of a migration: {leftover[:80]!r}")
    return statements


async def _enable_wal(connection: aiosqlite.Connection) -> None:
    """WAL mode (it sticks to the file). Switching a new file needs an exclusive lock, and SQLite answers "locked"
    at once, without waiting, when another process is opening the same new file: retry for a while then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAL_SWITCH_TIMEOUT_SECONDS
    while True:
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or loop.time() > deadline:
                raise
            await asyncio.sleep(0.02 + random.random() * 0.03)


class _SQLiteSession:
    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection, lock: asyncio.Lock | None) -> None:
        self._conn = connection
        self._lock = lock  # None inside a transaction: the transaction holds it and commits at its end

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[None]:
        if self._lock is None:
            yield
            return
        async with self._lock:
            yield
            await self._conn.commit()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._conn.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        async with self._conn.execute(sql, args) as cursor:
            return await cursor.fetchone()

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._write():
            cursor = await self._conn.execute(sql, args)
            count = cursor.rowcount
            await cursor.close()
        return count

    async def execute_returning(self, sql: str, *args: Any) -> Row | None:
        async with self._write(), self._conn.execute(sql, args) as cursor:
            rows = list(await cursor.fetchall())  # RETURNING rows must be read before the commit
        return rows[0] if rows else None

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._write():
            await self._conn.executemany(sql, [tuple(row) for row in rows])


class SQLiteBackend(_SQLiteSession):
    kind = "sqlite"

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        # One connection per process; the lock keeps a transaction's statements from being committed half-way by
        # another task's write on the same connection.
        super().__init__(connection, asyncio.Lock())
        self.path: Path | None = path

    @classmethod
    async def open(cls, path: Path, *, busy_timeout: float = 5.0) -> SQLiteBackend:
        """`busy_timeout`: how long a statement waits for another process's lock before "database is locked"."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, timeout=busy_timeout)
        try:
            await _enable_wal(connection)
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            await connection.close()
            raise
        return cls(connection, path)

    @contextlib.asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[Session]:
        assert self._lock is not None
        async with self._lock:
            # IMMEDIATE takes the write lock up front, so a writer never fails half-way on a busy database;
            # a deferred BEGIN gives readers one consistent snapshot (WAL).
            await self._conn.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
            try:
                yield _SQLiteSession(self._conn, None)
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    async def schema_version(self) -> int:
        row = await self.fetchrow("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def journal_mode(self) -> str:
        row = await self.fetchrow("PRAGMA journal_mode")
        return str(row[0]) if row else ""

    async def migrate(self) -> None:
        if await self.schema_version() >= LATEST_VERSION:
            return
        # Several processes may open a new file at once: the version is read again under the write lock, so each
        # migration runs once, and the version bump commits with it.
        async with self.transaction():
            current = await self.schema_version()
            for version, script in MIGRATIONS:
                if version <= current:
                    continue
                log.info("applying database migration %d (sqlite)", version)
                for statement in split_statements(self.dialect.ddl(script)):
                    await self._conn.execute(statement)
                await self._conn.execute(f"PRAGMA user_version = {int(version)}")

    async def ping(self) -> bool:
        try:
            return await self.fetchrow("SELECT 1") is not None
        except (sqlite3.Error, ValueError):
            return False

    async def close(self) -> None:
        await self._conn.close()


# -- PostgreSQL -------------------------------------------------------------------------------------


def _rows_affected(status: str) -> int:
    """asyncpg's command status ("INSERT 0 1", "UPDATE 3", "DELETE 0") as a row count."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _PostgresSession:
    dialect = POSTGRES

    def __init__(self, target: asyncpg.Pool | asyncpg.Connection) -> None:
        self._target = target

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._target.fetch(self.dialect.sql(sql), *args))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._target.fetchrow(self.dialect.sql(sql), *args)

    async def execute(self, sql: str, *args: Any) -> int:
        return _rows_affected(await self._target.execute(self.dialect.sql(sql), *args))

    async def execute_returning(self, sql: str, *args: Any) -> Row | None:
        return await self._target.fetchrow(self.dialect.sql(sql), *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._target.executemany(self.dialect.sql(sql), [tuple(row) for row in rows])


class PostgresBackend(_PostgresSession):
    kind = "postgres"
    path: Path | None = None

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, schema: str | None = None, timeout: float = 60.0) -> PostgresBackend:
        """A pool on `url`; `schema` (optional) becomes the search_path, so tables live in that schema. `timeout`
        bounds each new connection's set-up (a reconnect to a server that is down must not hang)."""
        options: dict[str, Any] = {}
        if schema is not None:
            if not _SCHEMA_NAME.fullmatch(schema):
                raise ValueError(f"schema name must be lower-case letters, digits and _, got {schema!r}")
            options["server_settings"] = {"search_path": schema}
        pool = await asyncpg.create_pool(url, min_size=POOL_MIN_SIZE, max_size=POOL_MAX_SIZE, timeout=timeout, **options)
        return cls(pool)

    @contextlib.asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[Session]:
        isolation = "repeatable_read" if readonly else None  # readers get one snapshot
        async with self._pool.acquire() as connection, connection.transaction(isolation=isolation, readonly=readonly):
            yield _PostgresSession(connection)

    async def schema_version(self) -> int:
        async with self._pool.acquire() as connection:
            # Two statements: a query naming a table that does not exist yet fails even in an untaken branch.
            if await connection.fetchval("SELECT to_regclass('schema_version')") is None:
                return 0
            return int(await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    async def journal_mode(self) -> str:
        return ""  # a SQLite notion; PostgreSQL always writes ahead

    async def migrate(self) -> None:
        if await self.schema_version() >= LATEST_VERSION:
            return
        async with self._pool.acquire() as connection, connection.transaction():
            # Shard processes start together: the transaction-level advisory lock lets one migrate while the
            # others wait, then they read the new version and find nothing to do. DDL is transactional here, so a
            # failed migration leaves no trace.
            await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            current = await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            for version, script in MIGRATIONS:
                if version <= current:
                    continue
                log.info("applying database migration %d (postgres)", version)
                await connection.execute(self.dialect.ddl(script))  # no arguments: several statements allowed
                await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", version)

    async def ping(self) -> bool:
        try:
            return await asyncio.wait_for(self._pool.fetchval("SELECT 1"), PING_TIMEOUT_SECONDS) == 1
        except (asyncpg.PostgresError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self._pool.close()
