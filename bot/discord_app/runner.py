"""Start the bot (`python -m bot run` with DISCORD_TOKEN) and register commands (`python -m bot sync`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import discord

from bot.discord_app.bot import LawBot, create_bot
from bot.ops.logging import configure_logging
from bot.settings import Settings

log = logging.getLogger(__name__)


def _configure_logging(settings: Settings) -> None:
    configure_logging(settings.log_level, fmt=getattr(settings, "log_format", "text"), secrets=[settings.discord_token])


def run_bot(settings: Settings) -> int:
    _configure_logging(settings)
    return asyncio.run(_run(settings))


async def _run(settings: Settings) -> int:
    from bot.ops.health import HealthServer
    from bot.ops.metrics import Metrics

    if settings.database_url:
        log.warning("DATABASE_URL is not supported yet; using SQLite at %s", settings.database_path)
    metrics = Metrics()
    client = create_bot(settings, metrics=metrics)
    health: HealthServer | None = None
    health_port = getattr(settings, "health_port", None)
    if health_port:
        checks = {"gateway": client.is_ready, "database": lambda: client.db is not None}
        health = HealthServer(metrics, checks, host=getattr(settings, "health_host", "127.0.0.1"), port=health_port)
        await health.start()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(client.close()))
    try:
        async with client:
            await client.start(settings.discord_token)
    except discord.LoginFailure:
        log.error("Discord rejected the bot token; check DISCORD_TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("enable the Message Content intent for the bot in the Discord developer portal")
        return 1
    finally:
        if health is not None:
            await health.stop()
    return 0


def sync_commands(settings: Settings, guild_id: int | None = None) -> int:
    """Register the slash commands once (global, or one guild for instant testing), without connecting the gateway."""
    _configure_logging(settings)
    if not settings.discord_token:
        print("DISCORD_TOKEN is not set: nothing to sync.")
        return 1
    return asyncio.run(sync_registered_commands(settings, guild_id if guild_id is not None else settings.sync_guild_id))


async def sync_registered_commands(settings: Settings, guild_id: int | None = None) -> int:
    client = LawBot(settings)
    async with client:
        try:
            await client.login(settings.discord_token)  # runs setup_hook, which loads every extension's commands
        except discord.LoginFailure:
            print("Discord rejected the bot token; check DISCORD_TOKEN.")
            return 1
        if guild_id is not None:
            guild = discord.Object(guild_id)
            client.tree.copy_global_to(guild=guild)
            synced = await client.tree.sync(guild=guild)
            print(f"Synced {len(synced)} command(s) to guild {guild_id}.")
        else:
            synced = await client.tree.sync()
            print(f"Synced {len(synced)} command(s) globally (they can take up to an hour to appear).")
    return 0
