"""The bot class: owns the engine, the database and the in-memory state shared by the cogs."""

from __future__ import annotations

import asyncio
import datetime
import gc
import importlib
import inspect
import logging
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import discord
from discord.backoff import ExponentialBackoff
from discord.ext import commands

import bot.exts
from bot.discord_app import errors
from bot.discord_app.answer_log import AnswerLog
from bot.discord_app.cooldown import QuestionCooldown
from bot.discord_app.messages import NO_MENTIONS, AnswerPayloads
from bot.discord_app.pacer import GlobalPacer
from bot.engine import Engine
from bot.engine.holder import EngineHolder, ReloadResult
from bot.ops.logging import log_summary
from bot.settings import Settings
from bot.storage import Database, StorageUnavailable, open_database

log = logging.getLogger(__name__)

# The bot never joins voice; discord.py's "voice will NOT be supported" warnings are noise for operators.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

# Names discord.py gives the tasks that run app commands, component/modal callbacks and event listeners.
HANDLER_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-modal", "discord.py: on_")
HANDLER_DRAIN_SECONDS = 5.0
GC_YOUNG_THRESHOLD = 50_000
CONFIG_PRELOADS_AT_ONCE = 2


def walk_extensions() -> Iterator[str]:
    """Every module under bot.exts that defines `setup` (one extension per feature module)."""
    for module in pkgutil.walk_packages(bot.exts.__path__, f"{bot.exts.__name__}."):
        if module.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        if module.ispkg:
            imported = importlib.import_module(module.name)
            if not inspect.isfunction(getattr(imported, "setup", None)):
                continue
        yield module.name


def engine_options(settings: Settings) -> dict[str, Any]:
    return {"max_chars": settings.max_question_chars}


def skip_own_message_events(state: Any) -> None:
    """Drop MESSAGE_CREATE for the bot's own messages before discord.py builds a Message from them.

    Discord sends one for every answer the bot posts; nothing here reads them (handlers ignore bot authors,
    and replies carry the message they reply to), yet building, dispatching and caching each cost about a
    tenth of the bot's CPU per /ask.
    """
    parse = state.parsers["MESSAGE_CREATE"]

    def parse_message_create(data: dict[str, Any]) -> None:
        self_id = state.self_id
        if self_id is not None and (data.get("author") or {}).get("id") == str(self_id):
            return
        parse(data)

    state.parsers["MESSAGE_CREATE"] = parse_message_create


def skip_malformed_events(state: Any) -> None:
    """Log and skip a gateway event discord.py cannot parse.

    discord.py calls the parser inside its connection loop, which lets only network errors through to a
    reconnect: a KeyError from an event with a missing field ended the whole process. One bad event must not.
    """
    for event, parse in list(state.parsers.items()):
        state.parsers[event] = _parse_or_skip(event, parse)


def _parse_or_skip(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    def parse_or_skip(data: Any) -> None:
        try:
            parse(data)
        except Exception:
            log.warning("skipped a malformed %s gateway event", event, exc_info=True)

    return parse_or_skip


class LawBot(commands.Bot):
    """The product bot. Extra keyword options go to discord.py's Bot (tests pass guild_ready_timeout)."""

    def __init__(self, settings: Settings, *, engine: Engine | None = None, metrics: Any = None, **options: Any) -> None:
        intents = discord.Intents.default()
        # Privileged: only for ask channels and unmentioned thread follow-ups (mentions and DMs carry text anyway).
        intents.message_content = settings.message_content_intent
        # discord.py waits out a global 429 but does not avoid one; the pacer keeps requests under the limit.
        self.pacer = GlobalPacer(application_id=lambda: self.application_id)
        options.setdefault("http_trace", self.pacer.trace_config())
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            owner_ids=set(settings.owner_ids),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.engines: EngineHolder | None = None
        if engine is not None:
            self.engines = EngineHolder(settings.kb_dir, settings.prompts_dir, engine, **engine_options(settings))
        self.metrics = metrics
        self.db: Database | None = None
        self.cooldown = QuestionCooldown()
        self.answer_log = AnswerLog()
        self._config_preloads = asyncio.Semaphore(CONFIG_PRELOADS_AT_ONCE)
        self.payloads = AnswerPayloads()  # send arguments per answer, so a repeated question is not rendered again
        self.kb_loaded_at = datetime.datetime.now(datetime.UTC)
        self._startup_done = False
        self._close_task: asyncio.Task[None] | None = None
        self.accepting_work = True  # False once shutdown starts: new questions get a "restarting" reply
        self.tree.interaction_check = self._accept_interaction  # type: ignore[method-assign]
        self.tree.on_error = errors.on_app_command_error  # type: ignore[method-assign]
        skip_own_message_events(self._connection)
        skip_malformed_events(self._connection)  # last, so it also guards the wrappers above

    # -- lifecycle ----------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        if self.engines is None:
            # Building the index is CPU work; keep the event loop free while it runs.
            self.engines = await asyncio.to_thread(
                EngineHolder, self.settings.kb_dir, self.settings.prompts_dir, **engine_options(self.settings)
            )
        self._update_kb_metrics()
        self.db = await open_database(self.settings)
        self.db.guard.metrics = self.metrics
        for extension in walk_extensions():
            await self.load_extension(extension)
        # The knowledge base and index are long-lived: move them out of the cyclic GC's view so a full
        # collection does not walk them mid-interaction (it stalled the event loop for tens of ms).
        gc.freeze()
        # Each interaction allocates a few hundred short-lived objects and ~50 can be in flight; with the
        # default young-generation threshold (700) many are still alive at a collection, get promoted, and
        # make the older-generation passes long. A larger threshold lets them die by reference count first:
        # in `bench --discord`, time in GC went from ~85 ms per 1,000 interactions to no collection at all.
        gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
        # Command registration is never done here: Discord rate-limits it. Use the owner-only `sync`
        # command or `python -m bot sync`.

    async def connect(self, *, reconnect: bool = True) -> None:
        """discord.py's gateway loop, started again if something it does not expect escapes it.

        It reconnects on network errors only; anything else (a frame that is not JSON, a READY without its
        fields) would end the process. Such a failure is logged, the socket closed and the bot identifies again.
        Errors discord.py raises on purpose (bad token, missing intents, closed client) still end it.
        """
        backoff: ExponentialBackoff[float] = ExponentialBackoff()
        while True:
            try:
                await super().connect(reconnect=reconnect)
                return
            except discord.DiscordException:
                raise
            except Exception:
                if not reconnect or self.is_closed():
                    raise
                log.exception("the gateway connection failed on something unexpected; connecting again")
                if self.ws is not None:
                    await self.ws.close(code=4000)
                await asyncio.sleep(backoff.delay())

    async def on_ready(self) -> None:
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))
        if not self._startup_done:
            self._startup_done = True
            self.dispatch("startup_ready")  # explainers refresh themselves on this

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._load_guild_config(guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._load_guild_config(guild.id)

    async def _load_guild_config(self, guild_id: int) -> None:
        """Read a guild's config as soon as the guild arrives, so its first questions don't wait for it.

        A few at a time: at start-up thousands of guilds arrive at once, and a question's own read must not
        queue behind all of their reads."""
        async with self._config_preloads:
            if self.db is None or self.db.config_cached(guild_id):
                return
            try:
                await self.db.guild_config(guild_id)
            except Exception:  # questions will read it again; the database check in /readyz reports outages
                log.warning("could not load the config of guild %s", guild_id, exc_info=True)

    async def shutdown(self) -> None:
        """Graceful stop (SIGTERM/SIGINT): refuse new work, let work in flight finish, then close the gateway,
        HTTP and the database."""
        if not self.accepting_work:
            return
        self.accepting_work = False
        log.info("shutting down: finishing work in flight")
        await self.close()

    async def _accept_interaction(self, interaction: discord.Interaction) -> bool:
        if self.accepting_work:
            return True
        await interaction.response.send_message(
            "The bot is restarting; please ask again in a minute.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return False

    async def close(self) -> None:
        """Idempotent: every caller waits for the one full close (drain, gateway and HTTP, database)."""
        self.accepting_work = False
        if self._close_task is None:
            self._close_task = asyncio.create_task(self._close_once(), name="lawbot-close")
        await asyncio.shield(self._close_task)

    async def _close_once(self) -> None:
        await self._finish_running_handlers()
        await super().close()
        await self._close_picture_cache()
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def _close_picture_cache(self) -> None:
        """End the drawing thread (made by the first answer with a picture, see render/pictures/attach.py).

        Joined from a worker thread, so a drawing still in progress does not hold up the event loop."""
        pictures = getattr(self, "_picture_cache", None)
        if pictures is not None:
            await asyncio.to_thread(pictures.close, wait=True)

    async def _finish_running_handlers(self, timeout: float = HANDLER_DRAIN_SECONDS) -> None:
        """Let commands, clicks and message handlers that are mid-way finish before the HTTP session and the
        database close under them (their replies and database writes would fail otherwise)."""
        current = asyncio.current_task()
        running = [
            task
            for task in asyncio.all_tasks()
            if task is not current and not task.done() and task.get_name().startswith(HANDLER_TASK_PREFIXES)
        ]
        if running:
            await asyncio.wait(running, timeout=timeout)

    @property
    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the database is not open")
        return self.db

    async def on_message(self, message: discord.Message) -> None:
        # The ask extension handles messages (and hands commands to process_commands itself).
        return

    async def on_command_error(self, context: commands.Context[Any], exception: commands.CommandError, /) -> None:
        await errors.on_command_error(context, exception)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in event %s", event_method)

    # -- knowledge base -----------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine being served (swapped atomically by reload_knowledge)."""
        if self.engines is None:
            raise RuntimeError("the knowledge base is not loaded yet")
        return self.engines.engine

    async def reload_knowledge(self) -> ReloadResult:
        """Load the knowledge base again; on failure keep serving the previous one and report file:line problems."""
        if self.engines is None:
            raise RuntimeError("the knowledge base is not loaded yet")
        result = await self.engines.reload()
        self._count_reload("ok" if result.ok else "failed")
        if result.ok:
            self.kb_loaded_at = datetime.datetime.now(datetime.UTC)
            self._update_kb_metrics()
            log.info("knowledge base reloaded: %d entries, %d changed", result.entries, len(result.changed))
        else:
            log_summary(log, logging.WARNING, f"knowledge base reload failed with {len(result.problems)} problem(s); "
                        "serving the previous one", result.problems)
        return result

    def _count_reload(self, result: str) -> None:
        if self.metrics is not None:
            self.metrics.kb_reloads.labels(result=result).inc()

    def _update_kb_metrics(self) -> None:
        if self.metrics is not None and self.engines is not None:
            self.metrics.kb_entries.set(len(self.engine.kb.entries))

    # -- per-guild settings -------------------------------------------------------------------------

    async def cooldown_per_minute(self, guild_id: int | None) -> int:
        if guild_id is not None and self.db is not None:
            try:
                configured = (await self.db.guild_config(guild_id)).cooldown_per_minute
            except StorageUnavailable:
                configured = None  # questions are answered through a storage outage, with the default cooldown
            if configured is not None:
                return configured
        return self.settings.ask_cooldown_per_minute


class ShardedLawBot(LawBot, commands.AutoShardedBot):
    """The same bot run as several shards in one process (SHARD_COUNT / SHARD_IDS; needed past 2,500 guilds)."""


def create_bot(settings: Settings, **options: Any) -> LawBot:
    """The bot for these settings: sharded when SHARD_COUNT or SHARD_IDS is set."""
    if settings.shard_count or settings.shard_ids:
        shard_ids = list(settings.shard_ids) if settings.shard_ids else None
        return ShardedLawBot(settings, shard_count=settings.shard_count, shard_ids=shard_ids, **options)
    return LawBot(settings, **options)
