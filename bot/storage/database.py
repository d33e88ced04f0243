"""The bot's SQLite database: one file under DATA_DIR, WAL mode, versioned migrations."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite

from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

DATABASE_FILENAME = "bot.sqlite3"
MAX_QUESTION_STORED = 500  # curators need the gist, not essays


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    ask_channel_ids: frozenset[int] = frozenset()
    cooldown_per_minute: int | None = None
    feedback_log_channel_id: int | None = None
    log_unanswered: bool = True


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
class GapReport:
    unanswered: list[tuple[str, int]] = field(default_factory=list)  # (question, times asked)
    not_helpful: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (entry id, votes, reasons)


class Database:
    """Async access to the bot's state. Open with `await Database.open(data_dir)`; close with `await db.close()`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # Guild config is read on every question; cache it and invalidate on writes.
        self._config_cache: dict[int, GuildConfig] = {}

    @classmethod
    async def open(cls, data_dir: Path, filename: str = DATABASE_FILENAME) -> Database:
        return await cls.open_path(data_dir / filename)

    @classmethod
    async def open_path(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path)
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA synchronous=NORMAL")
            database = cls(connection, path)
            await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def journal_mode(self) -> str:
        async with self._db.execute("PRAGMA journal_mode") as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else ""

    async def migrate(self) -> None:
        current = await self.schema_version()
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            log.info("applying database migration %d", version)
            # executescript commits first; the version bump rides in the same script so a crash cannot
            # leave a half-applied migration marked as done.
            await self._db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")

    # -- guild config -------------------------------------------------------------------------------

    async def guild_config(self, guild_id: int) -> GuildConfig:
        cached = self._config_cache.get(guild_id)
        if cached is not None:
            return cached
        async with self._db.execute(
            "SELECT cooldown_per_minute, feedback_log_channel_id, log_unanswered FROM guild_config WHERE guild_id = ?",
            (guild_id,),
        ) as cursor:
            row = await cursor.fetchone()
        async with self._db.execute("SELECT channel_id FROM ask_channel WHERE guild_id = ?", (guild_id,)) as cursor:
            channels = frozenset(r[0] for r in await cursor.fetchall())
        config = GuildConfig(guild_id, channels)
        if row is not None:
            config = GuildConfig(guild_id, channels, row[0], row[1], bool(row[2]))
        self._config_cache[guild_id] = config
        return config

    async def _ensure_guild(self, guild_id: int) -> None:
        await self._db.execute("INSERT OR IGNORE INTO guild_config (guild_id) VALUES (?)", (guild_id,))

    async def add_ask_channel(self, guild_id: int, channel_id: int) -> bool:
        """Returns False if it already was an ask channel."""
        cursor = await self._db.execute(
            "INSERT OR IGNORE INTO ask_channel (guild_id, channel_id) VALUES (?, ?)", (guild_id, channel_id)
        )
        await self._db.commit()
        self._config_cache.pop(guild_id, None)
        return cursor.rowcount > 0

    async def remove_ask_channel(self, guild_id: int, channel_id: int) -> bool:
        cursor = await self._db.execute(
            "DELETE FROM ask_channel WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
        )
        await self._db.commit()
        self._config_cache.pop(guild_id, None)
        return cursor.rowcount > 0

    async def set_cooldown(self, guild_id: int, per_minute: int | None) -> None:
        await self._ensure_guild(guild_id)
        await self._db.execute("UPDATE guild_config SET cooldown_per_minute = ? WHERE guild_id = ?", (per_minute, guild_id))
        await self._db.commit()
        self._config_cache.pop(guild_id, None)

    async def set_feedback_log_channel(self, guild_id: int, channel_id: int | None) -> None:
        await self._ensure_guild(guild_id)
        await self._db.execute(
            "UPDATE guild_config SET feedback_log_channel_id = ? WHERE guild_id = ?", (channel_id, guild_id)
        )
        await self._db.commit()
        self._config_cache.pop(guild_id, None)

    async def set_log_unanswered(self, guild_id: int, enabled: bool) -> None:
        await self._ensure_guild(guild_id)
        await self._db.execute("UPDATE guild_config SET log_unanswered = ? WHERE guild_id = ?", (int(enabled), guild_id))
        await self._db.commit()
        self._config_cache.pop(guild_id, None)

    # -- explainers ---------------------------------------------------------------------------------

    async def add_explainer(
        self, *, message_id: int, guild_id: int, channel_id: int, entry_id: str, fingerprint: str, pinned: bool
    ) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO explainer (message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (message_id, guild_id, channel_id, entry_id, fingerprint, int(pinned), _now()),
        )
        await self._db.commit()

    async def explainers(self, guild_id: int | None = None) -> list[ExplainerRecord]:
        query = "SELECT message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at FROM explainer"
        params: tuple[int, ...] = ()
        if guild_id is not None:
            query += " WHERE guild_id = ?"
            params = (guild_id,)
        async with self._db.execute(query + " ORDER BY posted_at, message_id", params) as cursor:
            rows = await cursor.fetchall()
        return [ExplainerRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    async def update_explainer_fingerprint(self, message_id: int, fingerprint: str) -> None:
        await self._db.execute(
            "UPDATE explainer SET fingerprint = ?, refreshed_at = ? WHERE message_id = ?", (fingerprint, _now(), message_id)
        )
        await self._db.commit()

    async def remove_explainer(self, message_id: int) -> ExplainerRecord | None:
        async with self._db.execute(
            "SELECT message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at FROM explainer"
            " WHERE message_id = ?",
            (message_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        await self._db.execute("DELETE FROM explainer WHERE message_id = ?", (message_id,))
        await self._db.commit()
        return ExplainerRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6])

    # -- feedback -----------------------------------------------------------------------------------

    async def add_feedback(self, *, guild_id: int | None, entry_id: str, question: str, helpful: bool) -> int:
        cursor = await self._db.execute(
            "INSERT INTO feedback (guild_id, entry_id, question, helpful, created_at) VALUES (?, ?, ?, ?, ?)",
            (guild_id, entry_id, question[:MAX_QUESTION_STORED], int(helpful), _now()),
        )
        await self._db.commit()
        return int(cursor.lastrowid or 0)

    async def set_feedback_reason(self, feedback_id: int, reason: str) -> None:
        await self._db.execute("UPDATE feedback SET reason = ? WHERE id = ?", (reason[:MAX_QUESTION_STORED], feedback_id))
        await self._db.commit()

    async def feedback_counts(self, entry_id: str) -> tuple[int, int]:
        """(helpful, not helpful) votes for an entry."""
        async with self._db.execute(
            "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback WHERE entry_id = ?",
            (entry_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # -- unanswered questions -----------------------------------------------------------------------

    async def log_unanswered(self, question: str) -> None:
        await self._db.execute(
            "INSERT INTO unanswered (question, asked_at) VALUES (?, ?)", (question.strip()[:MAX_QUESTION_STORED], _now())
        )
        await self._db.commit()

    async def unanswered_count(self) -> int:
        async with self._db.execute("SELECT COUNT(*) FROM unanswered") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def gaps(self, limit: int = 10) -> GapReport:
        """The most frequent unanswered questions and the entries with the most "Not helpful" votes."""
        async with self._db.execute(
            "SELECT lower(trim(question)) AS q, COUNT(*) AS n FROM unanswered GROUP BY q ORDER BY n DESC, MAX(id) DESC"
            " LIMIT ?",
            (limit,),
        ) as cursor:
            unanswered = [(row[0], int(row[1])) for row in await cursor.fetchall()]
        async with self._db.execute(
            "SELECT entry_id, COUNT(*) AS n FROM feedback WHERE helpful = 0 GROUP BY entry_id ORDER BY n DESC, entry_id"
            " LIMIT ?",
            (limit,),
        ) as cursor:
            votes = [(row[0], int(row[1])) for row in await cursor.fetchall()]
        not_helpful = []
        for entry_id, count in votes:
            async with self._db.execute(
                "SELECT reason FROM feedback WHERE entry_id = ? AND helpful = 0 AND reason != '' ORDER BY id DESC LIMIT 3",
                (entry_id,),
            ) as cursor:
                reasons = [row[0] for row in await cursor.fetchall()]
            not_helpful.append((entry_id, count, reasons))
        return GapReport(unanswered, not_helpful)
