"""Versioned schema migrations. Append only: never edit a migration that has shipped; add the next one."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE guild_config (
            guild_id INTEGER PRIMARY KEY,
            cooldown_per_minute INTEGER,             -- NULL: the ASK_COOLDOWN_PER_MINUTE default
            feedback_log_channel_id INTEGER,
            log_unanswered INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE ask_channel (
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            PRIMARY KEY (guild_id, channel_id)
        );
        CREATE TABLE explainer (
            message_id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            entry_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            pinned INTEGER NOT NULL,
            posted_at TEXT NOT NULL,
            refreshed_at TEXT
        );
        CREATE INDEX explainer_guild ON explainer (guild_id, entry_id);
        -- Feedback and unanswered questions hold no user ids (privacy): only what curators need.
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id INTEGER,
            entry_id TEXT NOT NULL,
            question TEXT NOT NULL DEFAULT '',
            helpful INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX feedback_entry ON feedback (entry_id, helpful);
        CREATE TABLE unanswered (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            question TEXT NOT NULL,
            asked_at TEXT NOT NULL
        );
        """,
    ),
]
