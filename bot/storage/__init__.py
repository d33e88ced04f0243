"""Persistent bot state, in SQLite (aiosqlite) or PostgreSQL (asyncpg): guild config, posted explainers, feedback,
unanswered questions. Open with `await open_database(settings)`."""

from bot.storage.database import (
    ChangePost,
    Database,
    ExplainerRecord,
    GapReport,
    GuildConfig,
    KnowledgeVersion,
    PendingExplainer,
    open_database,
)
from bot.storage.guard import StorageUnavailable

__all__ = [
    "ChangePost",
    "Database",
    "ExplainerRecord",
    "GapReport",
    "GuildConfig",
    "KnowledgeVersion",
    "PendingExplainer",
    "StorageUnavailable",
    "open_database",
]
