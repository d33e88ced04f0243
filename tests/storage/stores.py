"""Throwaway databases for the storage tests: a SQLite file in tmp_path, or a fresh schema on the PostgreSQL server in
TEST_DATABASE_URL (CI starts one; locally `url=$(bash .ci/start-postgres.sh)`, then `bash .ci/stop-postgres.sh`)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest

from bot.settings import Settings
from bot.storage import Database

KINDS = ["sqlite", "postgres"]


def _flag(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in {"1", "true", "yes", "on"}


def postgres_url() -> str:
    """TEST_DATABASE_URL, or skip (SKIP_POSTGRES=1, or no server outside CI), or fail (no server in CI)."""
    if _flag("SKIP_POSTGRES"):
        pytest.skip("SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    url = (os.environ.get("TEST_DATABASE_URL") or "").strip()
    if url:
        return url
    if _flag("CI"):
        pytest.fail("PostgreSQL is required in CI: TEST_DATABASE_URL is not set (.ci/run starts a server)")
    pytest.skip("TEST_DATABASE_URL is not set: start a server with `url=$(bash .ci/start-postgres.sh)` to run these")


def with_search_path(url: str, schema: str) -> str:
    """`url` with the schema as its search_path (asyncpg passes unknown query parameters on as server settings)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


class Store:
    """One empty database of a kind; `open()` may be called several times (several "processes")."""

    def __init__(self, kind: str, data_dir: Path, url: str = "", schema: str = "") -> None:
        self.kind = kind
        self.data_dir = data_dir
        self.url = url
        self.schema = schema
        self._opened: list[Database] = []

    @property
    def settings(self) -> Settings:
        """Settings pointing at this store, as Settings.from_env would build them."""
        database_url = with_search_path(self.url, self.schema) if self.kind == "postgres" else ""
        return Settings(data_dir=self.data_dir, database_url=database_url)

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that make `python -m bot` use this store."""
        return {"DATA_DIR": str(self.data_dir), "DATABASE_URL": self.settings.database_url}

    async def open(self) -> Database:
        if self.kind == "sqlite":
            database = await Database.open_path(self.settings.database_path)
        else:
            database = await Database.open_postgres(self.url, schema=self.schema)
        self._opened.append(database)
        return database

    async def columns(self, database: Database, table: str) -> set[str]:
        if self.kind == "sqlite":
            rows = await database.backend.fetch(f"PRAGMA table_info({table})")
            return {row[1] for row in rows}
        rows = await database.backend.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            self.schema, table,
        )
        return {row[0] for row in rows}

    async def raw_count(self, database: Database, table: str) -> int:
        row = await database.backend.fetchrow(f"SELECT COUNT(*) FROM {table}")
        assert row is not None
        return int(row[0])

    async def aclose(self) -> None:
        for database in self._opened:
            await database.close()
        if self.kind == "postgres":
            connection = await asyncpg.connect(self.url)
            try:
                await connection.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            finally:
                await connection.close()


async def new_store(kind: str, data_dir: Path) -> Store:
    if kind == "sqlite":
        return Store(kind, data_dir)
    url = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}")
    finally:
        await connection.close()
    return Store(kind, data_dir, url, schema)
