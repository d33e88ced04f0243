"""Persistent bot state in SQLite (aiosqlite): guild config, posted explainers, feedback, unanswered questions."""

from bot.storage.database import Database, ExplainerRecord, GapReport, GuildConfig

__all__ = ["Database", "ExplainerRecord", "GapReport", "GuildConfig"]
