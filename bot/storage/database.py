"""The bot's state store: SQLite (one file under DATA_DIR, WAL) or PostgreSQL (DATABASE_URL, for several shard
processes), with the same schema and versioned migrations. Open it with `await open_database(settings)`."""

from __future__ import annotations

import asyncio
import datetime
import functools
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from bot.storage.backends import Backend, PostgresBackend, Session, SQLiteBackend
from bot.storage.guard import StorageGuard, StorageUnavailable, within

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

DATABASE_FILENAME = "bot.sqlite3"
MAX_QUESTION_STORED = 500  # curators need the gist, not essays
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_TIMEOUT_SECONDS = 2.0  # under Discord's 3 s, so a command can still say "storage unavailable" in time
DEFAULT_OPEN_TIMEOUT_SECONDS = 10.0

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def _guarded(method: F) -> F:
    """The method runs under the database's deadline; an outage raises StorageUnavailable."""
    operation = method.__name__.lstrip("_")

    @functools.wraps(method)
    async def wrapper(self: Database, *args: Any, **kwargs: Any) -> Any:
        return await self.guard.run(operation, lambda: method(self, *args, **kwargs))

    return wrapper  # type: ignore[return-value]


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def clean_text(text: str, limit: int = MAX_QUESTION_STORED) -> str:
    """User text as stored: at most `limit` characters and no NUL (PostgreSQL text cannot hold one)."""
    return text.replace("\x00", "")[:limit]


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    ask_channel_ids: frozenset[int] = frozenset()
    cooldown_per_minute: int | None = None
    feedback_log_channel_id: int | None = None
    log_unanswered: bool = True
    updates_channel_id: int | None = None  # where a note about each knowledge base update goes


@dataclass(frozen=True)
class ExplainerRecord:
    message_id: int
    guild_id: int
    channel_id: int
    entry_id: str
    fingerprint: str
    pinned: bool
    posted_at: str


@dataclass(frozen=True)
class PendingExplainer:
    id: int
    guild_id: int
    channel_id: int
    entry_id: str
    pinned: bool
    message_id: int | None
    created_at: str


@dataclass(frozen=True)
class KnowledgeVersion:
    id: int
    version: str  # the knowledge base's stable hash
    snapshot: str  # JSON; '' on all but the latest row
    changes: str  # JSON change set from the version before; '' for the first recorded
    has_changes: bool
    recorded_at: str


@dataclass(frozen=True)
class ChangePost:
    change_id: int
    guild_id: int
    channel_id: int | None
    status: str  # posting, posted, failed, skipped
    detail: str
    updated_at: str


_VERSION_COLUMNS = "id, version, snapshot, changes, has_changes, recorded_at"
_POST_COLUMNS = "change_id, guild_id, channel_id, status, detail, updated_at"


def _version(row: Any) -> KnowledgeVersion:
    return KnowledgeVersion(int(row[0]), row[1], row[2], row[3], bool(row[4]), row[5])


def _post(row: Any) -> ChangePost:
    return ChangePost(int(row[0]), int(row[1]), row[2], row[3], row[4], row[5])


@dataclass(frozen=True)
class GapReport:
    unanswered: list[tuple[str, int]] = field(default_factory=list)  # (question, times asked)
    not_helpful: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (entry id, votes, reasons)


async def open_database(settings: Settings) -> Database:
    """The database `settings` point at: PostgreSQL when DATABASE_URL is set, else SQLite at `settings.database_path`.

    Migrates it to the latest schema version first (safe when several processes start at once)."""
    url = settings.database_url.strip()
    timeout = getattr(settings, "database_timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
    open_timeout = getattr(settings, "database_open_timeout_seconds", DEFAULT_OPEN_TIMEOUT_SECONDS)
    if not url:
        opening = Database.open_path(settings.database_path, timeout=timeout)
    elif url.startswith(POSTGRES_SCHEMES):
        opening = Database.open_postgres(url, timeout=timeout)
    else:
        raise ValueError("DATABASE_URL must be empty (SQLite under DATA_DIR) or a postgresql:// URL")
    try:
        return await within(open_timeout, opening)
    except Exception as exc:
        # Named as the database (never as Discord), without the password a URL may carry.
        raise StorageUnavailable(f"cannot open the database ({describe_target(settings)}): {type(exc).__name__}: {exc}") from exc


def describe_target(settings: Settings) -> str:
    """Which database the settings point at, safe to log (no credentials)."""
    url = settings.database_url.strip()
    if not url:
        return f"SQLite file {settings.database_path}"
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        port = "?"
    return f"PostgreSQL at {parts.hostname or 'localhost'}:{port}{parts.path or ''}"


async def _upsert_explainer(
    session: Session, message_id: int, guild_id: int, channel_id: int, entry_id: str, fingerprint: str, pinned: bool
) -> None:
    await session.execute(
        "INSERT INTO explainer (message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (message_id) DO UPDATE SET guild_id = excluded.guild_id, channel_id = excluded.channel_id,"
        " entry_id = excluded.entry_id, fingerprint = excluded.fingerprint, pinned = excluded.pinned,"
        " posted_at = excluded.posted_at, refreshed_at = NULL",
        message_id, guild_id, channel_id, entry_id, fingerprint, int(pinned), now_iso(),
    )


def _retrieve_exception(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()


class Database:
    """Async access to the bot's state. Open with `await open_database(settings)` (or `Database.open_path(path)` for a
    SQLite file, `Database.open_postgres(url)`); close with `await db.close()`."""

    def __init__(self, backend: Backend, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.backend = backend  # the low-level connection (storage package and tests only)
        self.guard = StorageGuard(timeout, backend.ping)
        self.path: Path | None = backend.path  # the SQLite file; None on PostgreSQL
        # Guild config is read on every question; cache it and invalidate on writes. Sharding sends each guild's
        # commands to one process, so a per-process cache stays right with several shards on one PostgreSQL.
        self._config_cache: dict[int, GuildConfig] = {}
        # One read per guild at a time: after a restart, a burst of questions from one guild waits for one load.
        self._config_loads: dict[int, asyncio.Task[GuildConfig]] = {}

    @property
    def kind(self) -> str:
        """"sqlite" or "postgres"."""
        return self.backend.kind

    @classmethod
    async def open(cls, data_dir: Path, filename: str = DATABASE_FILENAME) -> Database:
        return await cls.open_path(data_dir / filename)

    @classmethod
    async def open_path(cls, path: Path, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Database:
        """The SQLite database in the file `path` (created if missing), migrated."""
        return await cls._opened(await SQLiteBackend.open(path, busy_timeout=timeout), timeout)

    @classmethod
    async def open_postgres(
        cls, url: str, *, schema: str | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> Database:
        """The PostgreSQL database at `url` (a connection pool), migrated; `schema` puts the tables in that schema."""
        return await cls._opened(await PostgresBackend.open(url, schema=schema, timeout=timeout), timeout)

    @classmethod
    async def _opened(cls, backend: Backend, timeout: float) -> Database:
        try:
            await backend.migrate()
        except BaseException:
            await backend.close()
            raise
        return cls(backend, timeout=timeout)

    async def close(self) -> None:
        await self.guard.close()
        await self.backend.close()

    @property
    def outage(self) -> str | None:
        """Why the database is considered down right now (None when it answers)."""
        return self.guard.outage

    async def ping(self) -> bool:
        """True when the database answers within its timeout (the readiness check)."""
        try:
            return bool(await within(self.guard.timeout, self.backend.ping()))
        except TimeoutError:
            return False

    @_guarded
    async def schema_version(self) -> int:
        return await self.backend.schema_version()

    @_guarded
    async def journal_mode(self) -> str:
        """SQLite's journal mode ("wal"); empty on PostgreSQL."""
        return await self.backend.journal_mode()

    async def migrate(self) -> None:
        await self.backend.migrate()

    def clear_cache(self) -> None:
        """Forget cached guild config (after writes that bypass the setters, e.g. an import)."""
        self._config_cache.clear()
        self._config_loads.clear()

    def _forget_config(self, guild_id: int) -> None:
        self._config_cache.pop(guild_id, None)
        self._config_loads.pop(guild_id, None)  # a load already running read the old values: don't let it cache them

    # -- guild config -------------------------------------------------------------------------------

    def config_cached(self, guild_id: int) -> bool:
        """Whether the guild's config is in memory (a question from it needs no database read)."""
        return guild_id in self._config_cache

    async def guild_config(self, guild_id: int) -> GuildConfig:
        cached = self._config_cache.get(guild_id)
        if cached is not None:
            return cached
        load = self._config_loads.get(guild_id)
        if load is None:
            load = asyncio.ensure_future(self._load_guild_config(guild_id))
            load.add_done_callback(_retrieve_exception)  # its waiters may all be gone by the time it fails
            self._config_loads[guild_id] = load
        # shield: one waiter being cancelled must not cancel the load the others wait for.
        return await asyncio.shield(load)

    async def _load_guild_config(self, guild_id: int) -> GuildConfig:
        load = asyncio.current_task()
        try:
            config = await self.guard.run("guild_config", lambda: self._read_guild_config(guild_id))
        finally:
            if self._config_loads.get(guild_id) is load:
                del self._config_loads[guild_id]
                current = True
            else:
                current = False  # config was written meanwhile: this answer may be stale, so don't cache it
        if current:
            self._config_cache[guild_id] = config
        return config

    async def _read_guild_config(self, guild_id: int) -> GuildConfig:
        row = await self.backend.fetchrow(
            "SELECT cooldown_per_minute, feedback_log_channel_id, log_unanswered, updates_channel_id FROM guild_config"
            " WHERE guild_id = ?",
            guild_id,
        )
        rows = await self.backend.fetch("SELECT channel_id FROM ask_channel WHERE guild_id = ?", guild_id)
        channels = frozenset(r[0] for r in rows)
        if row is None:
            return GuildConfig(guild_id, channels)
        return GuildConfig(guild_id, channels, row[0], row[1], bool(row[2]), row[3])

    @_guarded
    async def _set_guild_value(self, guild_id: int, column: str, value: int | None) -> None:
        if column not in {"cooldown_per_minute", "feedback_log_channel_id", "log_unanswered", "updates_channel_id"}:
            raise ValueError(column)
        # One statement (an upsert), so two processes configuring a new guild at once cannot collide.
        await self.backend.execute(
            f"INSERT INTO guild_config (guild_id, {column}) VALUES (?, ?)"
            f" ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}",
            guild_id,
            value,
        )
        self._forget_config(guild_id)

    @_guarded
    async def add_ask_channel(self, guild_id: int, channel_id: int) -> bool:
        """Returns False if it already was an ask channel."""
        added = await self.backend.execute(
            "INSERT INTO ask_channel (guild_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING", guild_id, channel_id
        )
        self._forget_config(guild_id)
        return added > 0

    @_guarded
    async def remove_ask_channel(self, guild_id: int, channel_id: int) -> bool:
        removed = await self.backend.execute(
            "DELETE FROM ask_channel WHERE guild_id = ? AND channel_id = ?", guild_id, channel_id
        )
        self._forget_config(guild_id)
        return removed > 0

    async def set_cooldown(self, guild_id: int, per_minute: int | None) -> None:
        await self._set_guild_value(guild_id, "cooldown_per_minute", per_minute)

    async def set_feedback_log_channel(self, guild_id: int, channel_id: int | None) -> None:
        await self._set_guild_value(guild_id, "feedback_log_channel_id", channel_id)

    async def set_log_unanswered(self, guild_id: int, enabled: bool) -> None:
        await self._set_guild_value(guild_id, "log_unanswered", int(enabled))

    async def set_updates_channel(self, guild_id: int, channel_id: int | None) -> None:
        """Where knowledge base update notes go (None: nowhere). A channel set now gets notes about later updates
        only: the latest one is marked skipped for this guild, so a restart does not post it as if it were new."""
        await self._set_guild_value(guild_id, "updates_channel_id", channel_id)
        if channel_id is not None:
            await self._skip_latest_change(guild_id)

    @_guarded
    async def _skip_latest_change(self, guild_id: int) -> None:
        row = await self.backend.fetchrow("SELECT MAX(id) FROM kb_version WHERE has_changes = 1")
        if row is None or row[0] is None:
            return
        await self.backend.execute(
            "INSERT INTO kb_change_post (change_id, guild_id, status, updated_at) VALUES (?, ?, 'skipped', ?)"
            " ON CONFLICT DO NOTHING",
            int(row[0]), guild_id, now_iso(),
        )

    # -- explainers ---------------------------------------------------------------------------------

    @_guarded
    async def add_explainer(
        self, *, message_id: int, guild_id: int, channel_id: int, entry_id: str, fingerprint: str, pinned: bool
    ) -> None:
        """Records a posted explainer (replacing any record of the same message)."""
        await _upsert_explainer(self.backend, message_id, guild_id, channel_id, entry_id, fingerprint, pinned)

    @_guarded
    async def explainers(self, guild_id: int | None = None) -> list[ExplainerRecord]:
        query = "SELECT message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at FROM explainer"
        params: tuple[int, ...] = ()
        if guild_id is not None:
            query += " WHERE guild_id = ?"
            params = (guild_id,)
        rows = await self.backend.fetch(query + " ORDER BY posted_at, message_id", *params)
        return [ExplainerRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    @_guarded
    async def update_explainer_fingerprint(self, message_id: int, fingerprint: str) -> None:
        await self.backend.execute(
            "UPDATE explainer SET fingerprint = ?, refreshed_at = ? WHERE message_id = ?", fingerprint, now_iso(), message_id
        )

    @_guarded
    async def remove_explainer(self, message_id: int) -> ExplainerRecord | None:
        row = await self.backend.execute_returning(
            "DELETE FROM explainer WHERE message_id = ?"
            " RETURNING message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at",
            message_id,
        )
        if row is None:
            return None
        return ExplainerRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6])

    @_guarded
    async def begin_explainer(self, *, guild_id: int, channel_id: int, entry_id: str, pinned: bool) -> int:
        """Records an explainer about to be posted (before anything is sent); returns the pending record's id."""
        row = await self.backend.execute_returning(
            "INSERT INTO explainer_pending (guild_id, channel_id, entry_id, pinned, created_at) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id",
            guild_id, channel_id, entry_id, int(pinned), now_iso(),
        )
        assert row is not None
        return int(row[0])

    @_guarded
    async def note_pending_message(self, pending_id: int, message_id: int) -> None:
        """The card of a pending explainer was sent as `message_id` (so start-up finds it even if it is not pinned)."""
        await self.backend.execute("UPDATE explainer_pending SET message_id = ? WHERE id = ?", message_id, pending_id)

    @_guarded
    async def complete_explainer(
        self, pending_id: int, *, message_id: int, fingerprint: str, pinned: bool | None = None
    ) -> None:
        """The pending explainer's card is posted (and pinned if asked): it becomes an explainer record, atomically.
        `pinned` overrides what the pending record asked for (start-up records a card as it finds it)."""
        async with self.backend.transaction() as tx:
            row = await tx.fetchrow(
                "SELECT guild_id, channel_id, entry_id, pinned FROM explainer_pending WHERE id = ?", pending_id
            )
            if row is None:
                raise LookupError(f"no pending explainer {pending_id}")
            was_pinned = bool(row[3]) if pinned is None else pinned
            await _upsert_explainer(tx, message_id, int(row[0]), int(row[1]), str(row[2]), fingerprint, was_pinned)
            await tx.execute("DELETE FROM explainer_pending WHERE id = ?", pending_id)

    @_guarded
    async def discard_pending_explainer(self, pending_id: int) -> None:
        await self.backend.execute("DELETE FROM explainer_pending WHERE id = ?", pending_id)

    @_guarded
    async def pending_explainers(self, *, created_before: str | None = None) -> list[PendingExplainer]:
        """Explainers recorded as about to be posted and never completed (a crash or an outage in between)."""
        query = "SELECT id, guild_id, channel_id, entry_id, pinned, message_id, created_at FROM explainer_pending"
        params: tuple[str, ...] = ()
        if created_before is not None:
            query += " WHERE created_at <= ?"
            params = (created_before,)
        rows = await self.backend.fetch(query + " ORDER BY id", *params)
        return [PendingExplainer(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows]

    # -- knowledge base versions and update notes ----------------------------------------------------

    @_guarded
    async def latest_knowledge_version(self) -> KnowledgeVersion | None:
        row = await self.backend.fetchrow(f"SELECT {_VERSION_COLUMNS} FROM kb_version ORDER BY id DESC LIMIT 1")
        return _version(row) if row else None

    @_guarded
    async def add_knowledge_version(
        self, *, previous_id: int, version: str, snapshot: str, changes: str, has_changes: bool
    ) -> KnowledgeVersion | None:
        """Records the version that follows `previous_id` (0: the first); None if another process already recorded
        a successor to it. Older rows drop their snapshot: only the latest is ever compared with."""
        async with self.backend.transaction() as tx:
            row = await tx.execute_returning(
                "INSERT INTO kb_version (previous_id, version, snapshot, changes, has_changes, recorded_at)"
                f" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (previous_id) DO NOTHING RETURNING {_VERSION_COLUMNS}",
                previous_id, version, snapshot, changes, int(has_changes), now_iso(),
            )
            if row is None:
                return None
            await tx.execute("UPDATE kb_version SET snapshot = '' WHERE id < ? AND snapshot != ''", int(row[0]))
        return _version(row)

    @_guarded
    async def knowledge_changes(self, limit: int = 10) -> list[KnowledgeVersion]:
        """The latest versions that changed something, newest first."""
        rows = await self.backend.fetch(
            f"SELECT {_VERSION_COLUMNS} FROM kb_version WHERE has_changes = 1 ORDER BY id DESC LIMIT ?", limit
        )
        return [_version(r) for r in rows]

    @_guarded
    async def guilds_awaiting_note(self, change_id: int) -> list[tuple[int, int]]:
        """(guild, updates channel) for every guild with an updates channel and no note (or claim) for the change."""
        rows = await self.backend.fetch(
            "SELECT g.guild_id, g.updates_channel_id FROM guild_config g WHERE g.updates_channel_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM kb_change_post p WHERE p.change_id = ? AND p.guild_id = g.guild_id)"
            " ORDER BY g.guild_id",
            change_id,
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    @_guarded
    async def claim_note(self, change_id: int, guild_id: int, channel_id: int) -> bool:
        """True if this process is the one to post the change's note in the guild (before it sends anything)."""
        added = await self.backend.execute(
            "INSERT INTO kb_change_post (change_id, guild_id, channel_id, status, updated_at) VALUES (?, ?, ?, 'posting', ?)"
            " ON CONFLICT DO NOTHING",
            change_id, guild_id, channel_id, now_iso(),
        )
        return added > 0

    @_guarded
    async def finish_note(self, change_id: int, guild_id: int, *, status: str, detail: str = "") -> None:
        await self.backend.execute(
            "UPDATE kb_change_post SET status = ?, detail = ?, updated_at = ? WHERE change_id = ? AND guild_id = ?",
            status, clean_text(detail, 300), now_iso(), change_id, guild_id,
        )

    @_guarded
    async def notes(self, guild_id: int, change_ids: list[int]) -> dict[int, ChangePost]:
        """The guild's notes for these changes, by change id."""
        if not change_ids:
            return {}
        marks = ", ".join("?" for _ in change_ids)
        rows = await self.backend.fetch(
            f"SELECT {_POST_COLUMNS} FROM kb_change_post WHERE guild_id = ? AND change_id IN ({marks})",
            guild_id, *change_ids,
        )
        return {int(r[0]): _post(r) for r in rows}

    # -- feedback -----------------------------------------------------------------------------------

    async def add_feedback(self, *, guild_id: int | None, entry_id: str, question: str, helpful: bool) -> int:
        """Records a vote and returns its id; best effort: 0 when storage is down (the click still gets its thanks)."""

        async def write() -> int:
            row = await self.backend.execute_returning(
                "INSERT INTO feedback (guild_id, entry_id, question, helpful, created_at) VALUES (?, ?, ?, ?, ?)"
                " RETURNING id",
                guild_id, entry_id, clean_text(question), int(helpful), now_iso(),
            )
            return int(row[0]) if row else 0

        return await self.guard.best_effort("add_feedback", write, 0)

    async def set_feedback_reason(self, feedback_id: int, reason: str) -> None:
        """Best effort, like the vote itself."""
        if feedback_id <= 0:
            return  # the vote was not stored, so there is nothing to attach the reason to

        async def write() -> None:
            await self.backend.execute("UPDATE feedback SET reason = ? WHERE id = ?", clean_text(reason), feedback_id)

        await self.guard.best_effort("set_feedback_reason", write, None)

    @_guarded
    async def feedback_counts(self, entry_id: str) -> tuple[int, int]:
        """(helpful, not helpful) votes for an entry."""
        row = await self.backend.fetchrow(
            "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback WHERE entry_id = ?", entry_id
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # -- unanswered questions -----------------------------------------------------------------------

    async def log_unanswered(self, question: str, *, guild_id: int | None = None) -> bool:
        """Keeps a question the knowledge base did not cover, unless the guild turned the log off. Best effort: a
        database outage is logged and counted, never raised (the asker already has their answer). True if stored."""

        async def write() -> bool:
            if guild_id is not None and not (await self.guild_config(guild_id)).log_unanswered:
                return False
            await self.backend.execute(
                "INSERT INTO unanswered (question, asked_at) VALUES (?, ?)", clean_text(question.strip()), now_iso()
            )
            return True

        return await self.guard.best_effort("log_unanswered", write, False)

    @_guarded
    async def unanswered_count(self) -> int:
        row = await self.backend.fetchrow("SELECT COUNT(*) FROM unanswered")
        return int(row[0]) if row else 0

    @_guarded
    async def gaps(self, limit: int = 10) -> GapReport:
        """The most frequent unanswered questions and the entries with the most "Not helpful" votes."""
        rows = await self.backend.fetch(
            "SELECT lower(trim(question)) AS q, COUNT(*) AS n FROM unanswered GROUP BY q ORDER BY n DESC, MAX(id) DESC"
            " LIMIT ?",
            limit,
        )
        unanswered = [(row[0], int(row[1])) for row in rows]
        votes = await self.backend.fetch(
            "SELECT entry_id, COUNT(*) AS n FROM feedback WHERE helpful = 0 GROUP BY entry_id ORDER BY n DESC, entry_id"
            " LIMIT ?",
            limit,
        )
        not_helpful = []
        for entry_id, count in votes:
            reasons = await self.backend.fetch(
                "SELECT reason FROM feedback WHERE entry_id = ? AND helpful = 0 AND reason != '' ORDER BY id DESC LIMIT 3",
                entry_id,
            )
            not_helpful.append((entry_id, int(count), [row[0] for row in reasons]))
        return GapReport(unanswered, not_helpful)

    # -- one transaction ----------------------------------------------------------------------------

    def transaction(self, *, readonly: bool = False) -> AbstractAsyncContextManager[Session]:
        """Several statements as one transaction (export and import use it); writes commit at the end."""
        return self.backend.transaction(readonly=readonly)
