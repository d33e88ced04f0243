"""Persistent bot state, in SQLite (aiosqlite) or PostgreSQL (asyncpg): guild config, posted explainers, feedback,
unanswered questions. Open with `await open_database(settings)`."""

from bot.storage.database import Database, ExplainerRecord, GapReport, GuildConfig, PendingExplainer, open_database
from bot.storage.guard import StorageUnavailable

__all__ = [
    "Database", "ExplainerRecord", "GapReport", "GuildConfig", "PendingExplainer", "StorageUnavailable", "open_database",
]
