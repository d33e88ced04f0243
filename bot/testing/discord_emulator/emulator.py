"""The emulator: its state, lifecycle, and the parts it is made of (one mixin per concern)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Any

from aiohttp import web

from bot.testing.discord_emulator.faults import Fault, FaultsMixin
from bot.testing.discord_emulator.gateway import GatewayConnection, GatewayMixin, GatewaySession
from bot.testing.discord_emulator.interactions import InteractionRoutesMixin
from bot.testing.discord_emulator.limits import DEFAULT_PIN_LIMIT, MessageLimitsMixin
from bot.testing.discord_emulator.messages import MessagesMixin
from bot.testing.discord_emulator.protocol import API_PREFIX, DEFAULT_TOKEN
from bot.testing.discord_emulator.rate_limits import GlobalLimitMixin, GlobalRateLimit
from bot.testing.discord_emulator.recording import RecordingMixin
from bot.testing.discord_emulator.records import GatewayFrame, RecordedRequest, SentInteraction, _WaitableLog
from bot.testing.discord_emulator.routes import RestRoutesMixin
from bot.testing.discord_emulator.server import HttpMixin, _ArrivalStampingSite, patch_discord
from bot.testing.discord_emulator.uploads import UploadsMixin
from bot.testing.discord_emulator.users import SimulatedUsersMixin
from bot.testing.discord_emulator.world import BOT_PERMISSIONS, WorldMixin


class DiscordEmulator(
    WorldMixin,
    FaultsMixin,
    RecordingMixin,
    HttpMixin,
    GlobalLimitMixin,
    RestRoutesMixin,
    MessagesMixin,
    MessageLimitsMixin,
    UploadsMixin,
    InteractionRoutesMixin,
    GatewayMixin,
    SimulatedUsersMixin,
):
    """A local Discord: gateway + REST on 127.0.0.1, with recording, waiting helpers and fault injection."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float = 3.0,
        echo_own_messages: bool = True,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        # Discord rejects an initial interaction response later than 3 s after the interaction was created.
        self.interaction_deadline = interaction_deadline
        # Real Discord sends MESSAGE_CREATE for the bot's own messages too.
        self.echo_own_messages = echo_own_messages
        self.pin_limit = DEFAULT_PIN_LIMIT

        self.requests: _WaitableLog[RecordedRequest] = _WaitableLog()
        self.frames: _WaitableLog[GatewayFrame] = _WaitableLog()
        self.unknown_requests: list[RecordedRequest] = []
        self.limit_violations: list[tuple[str, list[str]]] = []
        self.attachment_refusals: list[int] = []  # statuses of uploads refused (size, count, form fields)
        self.uploads: dict[str, bytes] = {}  # attachment id -> the uploaded bytes
        self._faults: list[Fault] = []
        self.global_limit = GlobalRateLimit()

        self._ids = itertools.count(1)
        self._connection_ids = itertools.count(1)
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self._invalidate_resumes = False

        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.members: dict[tuple[int, int], dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.pins: dict[int, list[int]] = {}
        self.interactions: dict[int, SentInteraction] = {}
        # First accepted-or-refused (not retried) callback per interaction id, for O(1) waiting under load.
        self.callbacks: dict[int, RecordedRequest] = {}
        self._callback_waiters: dict[int, asyncio.Future[RecordedRequest]] = {}
        self._interactions_by_token: dict[str, SentInteraction] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.bot_permissions = BOT_PERMISSIONS

        self._runner: web.AppRunner | None = None
        self._arrivals: dict[object, float] = {}  # connection (aiohttp protocol) -> when its bytes last arrived
        self.port: int = 0
        self._build_world()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-resume"

    async def start(self) -> DiscordEmulator:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_get("/gateway-resume", self._gateway_handler)
        self._add_rest_routes(app)
        app.router.add_route("*", "/{tail:.*}", self._unknown_route)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = _ArrivalStampingSite(self._runner, 0, self._arrivals)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for connection in list(self.connections):
            if not connection.ws.closed:
                await connection.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def patch_discord(self) -> contextlib.AbstractContextManager[None]:
        """Point discord.py's REST base and default gateway at this emulator (restored on exit)."""
        return patch_discord(self.api_base, self.gateway_url)
