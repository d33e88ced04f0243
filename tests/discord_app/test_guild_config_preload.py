"""Guild settings are read when guilds arrive, a few at a time so questions never queue behind them."""

from __future__ import annotations

import asyncio

from bot.discord_app.bot import CONFIG_PRELOADS_AT_ONCE, LawBot
from bot.settings import Settings
from bot.storage import Database


async def test_many_arriving_guilds_are_read_a_few_at_a_time(settings: Settings, monkeypatch) -> None:
    """Thousands of guilds arriving at start-up are read at most CONFIG_PRELOADS_AT_ONCE at a time, and all end
    up cached."""
    bot = LawBot(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    bot.db = await Database.open_path(settings.database_path)
    in_flight = peak = 0
    fetchrow = bot.db.backend.fetchrow

    async def counting_fetchrow(*args):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await fetchrow(*args)
        finally:
            in_flight -= 1

    monkeypatch.setattr(bot.db.backend, "fetchrow", counting_fetchrow)
    try:
        await asyncio.gather(*(bot._load_guild_config(guild_id) for guild_id in range(1, 41)))
        assert peak == CONFIG_PRELOADS_AT_ONCE
        assert all(bot.db.config_cached(guild_id) for guild_id in range(1, 41))
    finally:
        await bot.close()  # closes the database too
