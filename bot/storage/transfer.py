"""`python -m bot db export|import`: the bot's state as one JSON document, for backups and for moving between SQLite
and PostgreSQL.

The document holds guild config (with ask channels), posted explainers, feedback and the unanswered log; surrogate
keys (feedback and unanswered row ids) are left out. Import merges into an empty or existing database and is
idempotent: guild config and explainers are upserted by their Discord ids, ask channels added if missing, and
feedback and unanswered rows (which have no natural key: two people may ask the same thing in the same second) are
added only as many times as the file holds them more often than the database already does.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg

from bot.storage.database import Database, clean_text, open_database

if TYPE_CHECKING:
    from bot.settings import Settings

FORMAT = "flx-database-export"
FORMAT_VERSION = 1


class ImportFormatError(ValueError):
    """The file is not an export this version can read."""


# What the command line reports in one line rather than a traceback: bad files, unreachable or refusing databases.
EXPECTED_ERRORS = (OSError, ValueError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(frozen=True)
class ImportReport:
    guilds: int = 0
    ask_channels_added: int = 0
    explainers: int = 0
    feedback_added: int = 0
    unanswered_added: int = 0

    def summary(self) -> str:
        return (
            f"imported: {self.guilds} guild config(s), {self.ask_channels_added} new ask channel(s), "
            f"{self.explainers} explainer(s), {self.feedback_added} new feedback row(s), "
            f"{self.unanswered_added} new unanswered question(s)"
        )


# -- export -----------------------------------------------------------------------------------------


async def export_document(db: Database) -> dict[str, Any]:
    """Everything worth keeping, in a stable order, read in one consistent snapshot."""
    async with db.transaction(readonly=True) as tx:
        configs = await tx.fetch(
            "SELECT guild_id, cooldown_per_minute, feedback_log_channel_id, log_unanswered, updates_channel_id"
            " FROM guild_config"
        )
        channel_rows = await tx.fetch("SELECT guild_id, channel_id FROM ask_channel")
        explainers = await tx.fetch(
            "SELECT message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at, refreshed_at"
            " FROM explainer ORDER BY message_id"
        )
        feedback = await tx.fetch(
            "SELECT guild_id, entry_id, question, helpful, reason, created_at FROM feedback ORDER BY created_at, id"
        )
        unanswered = await tx.fetch("SELECT question, asked_at FROM unanswered ORDER BY asked_at, id")

    channels: dict[int, list[int]] = defaultdict(list)
    for guild_id, channel_id in channel_rows:
        channels[int(guild_id)].append(int(channel_id))
    # A guild with ask channels but no config row gets the defaults, as `Database.guild_config` reports it.
    settings = {int(r[0]): (r[1], r[2], bool(r[3]), r[4]) for r in configs}
    defaults = (None, None, True, None)
    guilds = [
        {
            "guild_id": guild_id,
            "cooldown_per_minute": settings.get(guild_id, defaults)[0],
            "feedback_log_channel_id": settings.get(guild_id, defaults)[1],
            "log_unanswered": settings.get(guild_id, defaults)[2],
            "updates_channel_id": settings.get(guild_id, defaults)[3],
            "ask_channel_ids": sorted(channels.get(guild_id, [])),
        }
        for guild_id in sorted(set(settings) | set(channels))
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "guilds": guilds,
        "explainers": [
            {
                "message_id": r[0], "guild_id": r[1], "channel_id": r[2], "entry_id": r[3], "fingerprint": r[4],
                "pinned": bool(r[5]), "posted_at": r[6], "refreshed_at": r[7],
            }
            for r in explainers
        ],
        "feedback": [
            {"guild_id": r[0], "entry_id": r[1], "question": r[2], "helpful": bool(r[3]), "reason": r[4], "created_at": r[5]}
            for r in feedback
        ],
        "unanswered": [{"question": r[0], "asked_at": r[1]} for r in unanswered],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- import -----------------------------------------------------------------------------------------


def _field(record: dict[str, Any], name: str, where: str, check: Callable[[Any], bool], expected: str) -> Any:
    if name not in record:
        raise ImportFormatError(f"{where}: missing {name!r}")
    value = record[name]
    if not check(value):
        raise ImportFormatError(f"{where}.{name}: expected {expected}, got {value!r}")
    return value


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _is_optional_id(value: Any) -> bool:
    return value is None or _is_id(value)


def _is_optional_int(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_optional_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _records(document: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    records = document.get(key, [])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ImportFormatError(f"{key!r} must be a list of objects")
    return [(f"{key}[{i}]", r) for i, r in enumerate(records)]


def parse_document(document: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Checks an export and returns its rows as tuples ready to insert (raises ImportFormatError)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFormatError(f"not a database export (expected \"format\": {FORMAT!r})")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ImportFormatError(f"unsupported export format_version {version!r} (this version reads {FORMAT_VERSION})")
    guilds, channels = [], []
    for where, r in _records(document, "guilds"):
        guild_id = _field(r, "guild_id", where, _is_id, "a Discord id")
        guilds.append((
            guild_id,
            _field(r, "cooldown_per_minute", where, _is_optional_int, "a whole number or null"),
            _field(r, "feedback_log_channel_id", where, _is_optional_id, "a Discord id or null"),
            int(_field(r, "log_unanswered", where, _is_bool, "true or false")),
            # Added after the first exports: those have no updates channel.
            _field(r, "updates_channel_id", where, _is_optional_id, "a Discord id or null")
            if "updates_channel_id" in r else None,
        ))
        ids = _field(r, "ask_channel_ids", where, lambda v: isinstance(v, list) and all(map(_is_id, v)), "Discord ids")
        channels.extend((guild_id, channel_id) for channel_id in ids)
    explainers = [
        (
            _field(r, "message_id", where, _is_id, "a Discord id"),
            _field(r, "guild_id", where, _is_id, "a Discord id"),
            _field(r, "channel_id", where, _is_id, "a Discord id"),
            _field(r, "entry_id", where, _is_str, "a string"),
            _field(r, "fingerprint", where, _is_str, "a string"),
            int(_field(r, "pinned", where, _is_bool, "true or false")),
            _field(r, "posted_at", where, _is_str, "a timestamp string"),
            _field(r, "refreshed_at", where, _is_optional_str, "a timestamp string or null"),
        )
        for where, r in _records(document, "explainers")
    ]
    feedback = [
        (
            _field(r, "guild_id", where, _is_optional_id, "a Discord id or null"),
            _field(r, "entry_id", where, _is_str, "a string"),
            clean_text(_field(r, "question", where, _is_str, "a string")),
            int(_field(r, "helpful", where, _is_bool, "true or false")),
            _field(r, "created_at", where, _is_str, "a timestamp string"),
            clean_text(_field(r, "reason", where, _is_str, "a string")),
        )
        for where, r in _records(document, "feedback")
    ]
    unanswered = [
        (
            clean_text(_field(r, "question", where, _is_str, "a string")),
            _field(r, "asked_at", where, _is_str, "a timestamp string"),
        )
        for where, r in _records(document, "unanswered")
    ]
    return {"guilds": guilds, "ask_channels": channels, "explainers": explainers, "feedback": feedback,
            "unanswered": unanswered}


async def import_document(db: Database, document: Any) -> ImportReport:
    """Merges an export into `db` in one transaction; importing the same file again changes nothing."""
    rows = parse_document(document)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO guild_config (guild_id, cooldown_per_minute, feedback_log_channel_id, log_unanswered,"
            " updates_channel_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
            " cooldown_per_minute = excluded.cooldown_per_minute,"
            " feedback_log_channel_id = excluded.feedback_log_channel_id, log_unanswered = excluded.log_unanswered,"
            " updates_channel_id = excluded.updates_channel_id",
            rows["guilds"],
        )
        existing_channels = {(int(g), int(c)) for g, c in await tx.fetch("SELECT guild_id, channel_id FROM ask_channel")}
        new_channels = sorted(set(rows["ask_channels"]) - existing_channels)
        await tx.executemany("INSERT INTO ask_channel (guild_id, channel_id) VALUES (?, ?)", new_channels)
        await tx.executemany(
            "INSERT INTO explainer (message_id, guild_id, channel_id, entry_id, fingerprint, pinned, posted_at,"
            " refreshed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE SET"
            " guild_id = excluded.guild_id, channel_id = excluded.channel_id, entry_id = excluded.entry_id,"
            " fingerprint = excluded.fingerprint, pinned = excluded.pinned, posted_at = excluded.posted_at,"
            " refreshed_at = excluded.refreshed_at",
            rows["explainers"],
        )
        # Feedback is matched without its reason: a reason added after an export must not make the vote count twice.
        have = Counter(
            tuple(r) for r in await tx.fetch("SELECT guild_id, entry_id, question, helpful, created_at FROM feedback")
        )
        new_feedback = _missing(rows["feedback"], have, key=lambda row: row[:5])
        await tx.executemany(
            "INSERT INTO feedback (guild_id, entry_id, question, helpful, created_at, reason) VALUES (?, ?, ?, ?, ?, ?)",
            new_feedback,
        )
        have = Counter(tuple(r) for r in await tx.fetch("SELECT question, asked_at FROM unanswered"))
        new_unanswered = _missing(rows["unanswered"], have, key=lambda row: row)
        await tx.executemany("INSERT INTO unanswered (question, asked_at) VALUES (?, ?)", new_unanswered)
    db.clear_cache()
    return ImportReport(
        guilds=len(rows["guilds"]),
        ask_channels_added=len(new_channels),
        explainers=len(rows["explainers"]),
        feedback_added=len(new_feedback),
        unanswered_added=len(new_unanswered),
    )


def _missing(rows: list[tuple[Any, ...]], have: Counter, key: Callable[[tuple[Any, ...]], tuple[Any, ...]]) -> list:
    """The rows of `rows` beyond those the database already holds (as a multiset, by `key`), in file order."""
    remaining = Counter(have)
    missing = []
    for row in rows:
        k = key(row)
        if remaining[k] > 0:
            remaining[k] -= 1
        else:
            missing.append(row)
    return missing


# -- the command line -------------------------------------------------------------------------------


async def export_to(settings: Settings, target: str) -> None:
    """Writes the export of the configured database to the file `target` ("-": standard output)."""
    if not settings.database_url and not settings.database_path.exists():
        raise FileNotFoundError(f"no database at {settings.database_path} (check DATA_DIR or DATABASE_URL)")
    db = await open_database(settings)
    try:
        text = dumps(await export_document(db))
    finally:
        await db.close()
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(target)
    # Written beside the target and renamed, so an interrupted export never leaves half a backup.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def import_from(settings: Settings, source: str) -> ImportReport:
    """Imports the export in the file `source` ("-": standard input) into the configured database."""
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{source}: not JSON ({exc})") from exc
    parse_document(document)  # refuse a bad file before touching (or creating) the database
    db = await open_database(settings)
    try:
        return await import_document(db, document)
    finally:
        await db.close()
