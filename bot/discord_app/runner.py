"""Start the bot (`python -m bot run` with DISCORD_TOKEN) and register commands (`python -m bot sync`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
import discord

from bot.discord_app.bot import LawBot, create_bot
from bot.ops import eventloop
from bot.ops.logging import configure_logging
from bot.settings import Settings
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)


def _configure_logging(settings: Settings) -> None:
    configure_logging(
        settings.log_level,
        fmt=getattr(settings, "log_format", "text"),
        secrets=[settings.discord_token],
        user_ids=getattr(settings, "log_user_ids", False),
    )


def run_bot(settings: Settings) -> int:
    _configure_logging(settings)
    try:
        return eventloop.run(serve(settings), use_uvloop=settings.uvloop)
    except Exception:
        # Through logging (JSON under LOG_FORMAT=json, token redacted), not Python's plain traceback.
        log.critical("the bot stopped on an unexpected error", exc_info=True)
        return 1


async def serve(settings: Settings, *, client: LawBot | None = None, connect_options: dict | None = None) -> int:
    """Run the bot until SIGTERM/SIGINT (graceful shutdown); SIGHUP reloads the knowledge base.

    Also serves /healthz, /readyz and /metrics on HEALTH_HOST:HEALTH_PORT while the bot runs.
    """
    from bot.ops.health import HealthServer
    from bot.ops.metrics import Metrics

    metrics = Metrics()
    if client is None:
        client = create_bot(settings, metrics=metrics)
    else:
        client.metrics = client.metrics or metrics
    metrics = client.metrics
    health = HealthServer(metrics, readiness_checks(client), host=settings.health_host, port=settings.health_port,
                          details=readiness_details(client))
    client.health_server = health  # type: ignore[attr-defined]  # lets tests and tools find the bound port
    if settings.health_port >= 0:
        await health.start()
    loop = asyncio.get_running_loop()
    log.info("event loop: %s", eventloop.loop_name(loop))
    installed = install_signal_handlers(loop, client)
    sampler = asyncio.create_task(_sample_gateway_latency(client, metrics), name="gateway-latency-sampler")
    try:
        async with client:
            await client.start(settings.discord_token, **(connect_options or {}))
        await client.close()  # a close begun by a signal may still be draining: wait for all of it
    except discord.LoginFailure:
        log.error("Discord rejected the bot token; check DISCORD_TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("MESSAGE_CONTENT_INTENT is on but the intent is not enabled for the bot in the developer portal")
        return 1
    except StorageUnavailable as exc:  # before OSError: a refused database connection is not Discord's fault
        log.error("%s; check DATABASE_URL (or DATA_DIR) and that the database is running", exc)
        return 1
    except (aiohttp.ClientError, OSError) as exc:
        log.error("cannot reach Discord (%s); check the network and try again", exc)
        return 1
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        for signum in installed:
            loop.remove_signal_handler(signum)
        await health.stop()
    log.info("stopped cleanly")
    return 0


def readiness_checks(client: LawBot) -> dict:
    async def database_reachable() -> bool:
        if client.db is None:
            return False
        ping = getattr(client.db, "ping", None)
        return bool(await ping()) if ping is not None else True

    def gateway_connected() -> bool:
        socket = client.ws
        return client.is_ready() and not client.is_closed() and socket is not None and bool(getattr(socket, "open", True))

    return {
        "accepting_work": lambda: client.accepting_work,
        "gateway": gateway_connected,
        "knowledge_base": lambda: client.engines is not None,
        "database": database_reachable,
    }


def readiness_details(client: LawBot) -> dict:
    """Shown in /readyz's body without deciding readiness: the last knowledge base reload (null before the first)."""

    def last_reload() -> dict | None:
        result = client.engines.last_reload if client.engines is not None else None
        return result.summary() if result is not None else None

    return {"last_reload": last_reload}


def install_signal_handlers(loop: asyncio.AbstractEventLoop, client: LawBot) -> list[int]:
    """SIGTERM/SIGINT: graceful shutdown. SIGHUP: reload the knowledge base (the old one serves on failure)."""
    installed: list[int] = []

    def stop() -> None:
        loop.create_task(client.shutdown(), name="shutdown")

    def reload() -> None:
        loop.create_task(reload_from_signal(client), name="sighup-reload")

    for signum, handler in ((signal.SIGTERM, stop), (signal.SIGINT, stop), (signal.SIGHUP, reload)):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # no signals on Windows/threads
            loop.add_signal_handler(signum, handler)
            installed.append(signum)
    return installed


async def reload_from_signal(client: LawBot) -> None:
    result = await client.reload_knowledge()
    if not result.ok:
        return  # reload_knowledge logged a summary of the problems
    explainers = client.get_cog("Explainers")
    if explainers is not None:
        refreshed = await explainers.refresh_explainers()  # type: ignore[attr-defined]
        log.info("SIGHUP reload: %d explainer(s) refreshed", refreshed)
    admin = client.get_cog("KnowledgeAdmin")
    if admin is not None:
        await admin.announce_update()  # type: ignore[attr-defined]  # update notes; never raises


async def _sample_gateway_latency(client: LawBot, metrics, every: float = 15.0) -> None:
    while True:
        latency = client.latency
        if latency == latency and latency != float("inf"):  # NaN or inf until the first heartbeat
            metrics.gateway_latency.set(latency)
        await asyncio.sleep(every)


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
        except (aiohttp.ClientError, OSError) as exc:
            print(f"Cannot reach Discord ({exc}); check the network and try again.")
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
