"""Storage faults, contained: every database operation gets a deadline, and an outage is one exception type.

A database that is down, frozen or refusing connections makes an operation raise `StorageUnavailable` within the
configured timeout (DATABASE_TIMEOUT_SECONDS) instead of hanging a command past Discord's 3 s deadline. Once one
operation has failed that way, the next ones fail at once while a background probe pings the database, so a command
that needs several reads still answers in time; the first successful ping ends the outage.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

log = logging.getLogger(__name__)

T = TypeVar("T")

PROBE_INTERVAL_SECONDS = 0.25

# Errors that mean "the database cannot be used right now", not "this query is wrong": connection refused or lost,
# server shutting down or out of resources, SQLite locked, read-only, out of disk or unreadable.
_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    TimeoutError,
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.InternalClientError,  # a pooled connection left mid-operation when the server vanished
    sqlite3.OperationalError,
)


class StorageUnavailable(Exception):
    """The database did not answer within its timeout, or refused or lost the connection."""


def is_outage(error: BaseException) -> bool:
    if isinstance(error, (StorageUnavailable, *_OUTAGE_ERRORS)):
        return True
    # aiosqlite reports a closed connection as ValueError; a corrupt or vanished file as a bare DatabaseError.
    return type(error) is sqlite3.DatabaseError or (isinstance(error, ValueError) and "connection" in str(error).lower())


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


async def within(seconds: float, work: Awaitable[T]) -> T:
    """`work` finished within `seconds`, or TimeoutError. Unlike wait_for, it does not wait for a cancelled driver call
    to unwind (asyncpg's cancel request to a frozen server can itself hang): the deadline is the deadline."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except BaseException:
        task.cancel()
        task.add_done_callback(_retrieve)
        raise
    if not done:
        task.cancel()
        task.add_done_callback(_retrieve)
        raise TimeoutError(f"no answer within {seconds:g} s")
    return task.result()


class StorageGuard:
    """Deadlines and outage state for one database."""

    def __init__(self, timeout: float, ping: Callable[[], Awaitable[Any]], metrics: Any = None) -> None:
        self.timeout = timeout
        self.metrics = metrics  # bot.ops.metrics.Metrics or None; set by the bot after opening
        self._ping = ping
        self._outage: str | None = None  # why the database is down, while it is
        self._probe: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def outage(self) -> str | None:
        """The reason the database is currently considered down, or None."""
        return self._outage

    async def run(self, operation: str, work: Callable[[], Awaitable[T]]) -> T:
        """`work()` with the deadline; StorageUnavailable on an outage (other errors are bugs and pass through)."""
        if self._outage is not None:
            self._count(operation)
            raise StorageUnavailable(f"{operation}: the database is unavailable ({self._outage})")
        try:
            return await within(self.timeout, work())
        except Exception as exc:
            if not is_outage(exc):
                raise
            self._count(operation)
            self._mark_down(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            raise StorageUnavailable(f"{operation}: {self._outage}") from exc

    async def best_effort(self, operation: str, work: Callable[[], Awaitable[T]], default: T) -> T:
        """For writes that must never fail a command (unanswered log, feedback): `default` when storage is down."""
        try:
            return await self.run(operation, work)
        except StorageUnavailable as exc:
            log.warning("dropped a best-effort %s: %s", operation, exc)
            if self.metrics is not None:
                self.metrics.storage_writes_dropped.labels(operation=operation).inc()
            return default

    def _count(self, operation: str) -> None:
        if self.metrics is not None:
            self.metrics.storage_errors.labels(operation=operation).inc()

    def _mark_down(self, reason: str) -> None:
        if self._outage is None:
            log.warning("database unavailable (%s); failing fast until it answers again", reason)
        self._outage = reason
        if self._probe is None and not self._closed:
            self._probe = asyncio.create_task(self._probe_until_up(), name="storage-probe")

    async def _probe_until_up(self) -> None:
        try:
            while True:
                await asyncio.sleep(PROBE_INTERVAL_SECONDS)
                try:
                    if await within(self.timeout, self._ping()):
                        break
                except Exception as exc:
                    if not is_outage(exc):
                        log.warning("database probe failed", exc_info=True)
            log.info("database answers again")
            self._outage = None
        finally:
            self._probe = None

    async def close(self) -> None:
        self._closed = True
        probe = self._probe
        if probe is not None:
            probe.cancel()
            await asyncio.gather(probe, return_exceptions=True)
