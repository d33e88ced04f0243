"""Real storage outages for tests: the PostgreSQL server in TEST_DATABASE_URL frozen (SIGSTOP on the postmaster and its
backends) or stopped (pg_ctl stop, started again afterwards), and SQLite made unavailable (its connection gone, or
its write lock held by another process)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg

from bot.storage import Database

OUTAGES = ["postgres-frozen", "postgres-stopped", "sqlite-gone"]


async def data_directory(url: str) -> Path:
    connection = await asyncpg.connect(url)
    try:
        return Path(await connection.fetchval("SELECT setting FROM pg_settings WHERE name = 'data_directory'"))
    finally:
        await connection.close()


def server_processes(data_dir: Path) -> list[int]:
    """The postmaster (first line of postmaster.pid) and every process it started (backends, background workers)."""
    postmaster = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


@contextlib.contextmanager
def frozen_postgres(data_dir: Path) -> Iterator[None]:
    """The whole server stopped in its tracks (as a hung host looks): connections stay open, nothing answers."""
    pids = server_processes(data_dir)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _pg_ctl(data_dir: Path, *args: str) -> None:
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name))[-1]
    command = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


@contextlib.contextmanager
def stopped_postgres(data_dir: Path) -> Iterator[None]:
    """The server shut down (connections closed, new ones refused), then started again with its own options."""
    _pg_ctl(data_dir, "-m", "fast", "-w", "stop")
    try:
        yield
    finally:
        _pg_ctl(data_dir, "-w", "restart")  # restart reads the options the server was started with


@contextlib.asynccontextmanager
async def sqlite_gone(database: Database) -> AsyncIterator[None]:
    """The bot's SQLite connection is gone (every statement fails), as after the file's disk went away."""
    await database.backend.close()
    yield


@contextlib.contextmanager
def sqlite_write_locked(path: Path) -> Iterator[None]:
    """Another process holds SQLite's write lock (a backup tool, a stuck writer): writes wait, then fail."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.asynccontextmanager
async def outage(kind: str, database: Database, url: str = "") -> AsyncIterator[None]:
    """One of OUTAGES, for as long as the block runs (PostgreSQL is back afterwards)."""
    if kind == "sqlite-gone":
        async with sqlite_gone(database):
            yield
        return
    data_dir = await data_directory(url)
    with frozen_postgres(data_dir) if kind == "postgres-frozen" else stopped_postgres(data_dir):
        yield
