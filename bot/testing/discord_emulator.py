"""A local Discord API emulator for end-to-end tests with the real discord.py client.

It serves the gateway (a real websocket) and the REST routes a bot uses (real HTTP) on 127.0.0.1, keeps a
small world (one guild with channels, roles and members, DM channels, messages, pins, threads, registered
commands), records every request and every gateway frame, and can inject faults (429 with Discord's headers,
500) and drop the gateway connection. It enforces Discord's global limit (50 requests per second per bot,
interaction endpoints exempt) with a global 429, and counts what it served (``emulator.global_limit``).

discord.py builds REST URLs from ``discord.http.Route.BASE`` and connects to
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``; ``DiscordEmulator.patch_discord()`` points both here.

Typical use (see bot/testing/harness.py and tests/emulator/):

    async with DiscordEmulator() as emulator, running_bot(MyBot(guild_ready_timeout=0.01), emulator):
        interaction = await emulator.slash("ask", {"question": "What is a WRO?"}, user="alice")
        callback = await emulator.wait_for_callback(interaction)      # the recorded POST .../callback
        assert callback.json["data"]["allowed_mentions"] == {"parse": []}
        await emulator.click_button(callback.response["resource"]["message"], "Helpful")
        emulator.fail_next("POST /channels/{channel_id}/messages", status=429, retry_after=0.2)
        await emulator.drop_connection(4000)                          # the client RESUMEs; missed events replay

The world: one guild with channels "general", "ask", "explainers"; users "owner", "alice", "bob", "mod"
(Manage Messages) and "admin" (Manage Server); the bot member has BOT_PERMISSIONS (change
``emulator.bot_permissions`` to take one away). Unknown routes answer 404 and land in ``unknown_requests``;
messages over Discord's limits answer 400 and land in ``limit_violations``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import itertools
import json
import logging
import math
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import aiohttp
import discord
import discord.gateway
import discord.http
import orjson
import yarl
from aiohttp import web

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000
JSON_CONTENT_TYPE = "application/json"  # discord.py parses a body as JSON only for exactly this value
DEFAULT_TOKEN = "emulator-bot-token"
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # default upload limit for bots (all files of one message together)
ATTACHMENTS_PER_MESSAGE = 10
BODY_CONTENT_TYPES = ("application/json", "multipart/form-data")

# Gateway opcodes
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11

# Interaction types and callback types
INTERACTION_PING, INTERACTION_COMMAND, INTERACTION_COMPONENT = 1, 2, 3
INTERACTION_AUTOCOMPLETE, INTERACTION_MODAL_SUBMIT = 4, 5
CALLBACK_PONG, CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE = 1, 4, 5
CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE, CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL = 6, 7, 8, 9

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Discord's documented limits, enforced so that a bot exceeding them fails in tests as it would in production.
MESSAGE_CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL_CHARS = 6000
EMBED_TITLE, EMBED_DESCRIPTION, EMBED_FIELDS = 256, 4096, 25
EMBED_FIELD_NAME, EMBED_FIELD_VALUE, EMBED_FOOTER, EMBED_AUTHOR = 256, 1024, 2048, 256
ACTION_ROWS, BUTTONS_PER_ROW, CUSTOM_ID_LIMIT, BUTTON_LABEL_LIMIT = 5, 5, 100, 80
AUTOCOMPLETE_CHOICES, CHOICE_NAME_LIMIT, CHOICE_VALUE_LIMIT = 25, 100, 100
DEFAULT_PIN_LIMIT = 250
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504, 524})
CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{interaction_token}/callback"
GLOBAL_RATE_LIMIT, GLOBAL_WINDOW_SECONDS = 50, 1.0  # requests per second per bot (topics/rate-limits#global-rate-limit)

T = TypeVar("T")


class EmulatorTimeout(AssertionError):
    """Raised when an awaited request or frame does not arrive in time (an assertion failure in tests)."""


class _ArrivalStampingProtocol(asyncio.Protocol):
    """Wraps aiohttp's per-connection protocol and notes when bytes last arrived on the connection.

    A request is "received" when its bytes arrive, not when the emulator's busy loop gets round to handling it:
    the emulator stands in for Discord, and its own queueing is not the bot's latency.
    """

    def __init__(self, inner: asyncio.Protocol, arrivals: dict[object, float]) -> None:
        self.inner = inner
        self.arrivals = arrivals

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.arrivals[self.inner] = time.perf_counter()
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.arrivals.pop(self.inner, None)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _ArrivalStampingSite(web.BaseSite):
    """A TCP site on 127.0.0.1 whose connections note when each request's bytes arrived."""

    __slots__ = ("_arrivals", "_port")

    def __init__(self, runner: web.BaseRunner, port: int, arrivals: dict[object, float]) -> None:
        super().__init__(runner)
        self._port = port
        self._arrivals = arrivals

    @property
    def name(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        await super().start()
        factory = self._runner.server
        assert factory is not None
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _ArrivalStampingProtocol(factory(), self._arrivals), "127.0.0.1", self._port
        )


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, with the emulator's answer."""

    index: int
    method: str
    path: str  # without the /api/v10 prefix
    route: str  # "POST /channels/{channel_id}/messages", or "UNKNOWN <method> <path>"
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    time: float  # time.perf_counter() when the request arrived
    status: int = 0
    response: Any = None


RECORDED = web.RequestKey("recorded", RecordedRequest)


@dataclass
class GatewayFrame:
    """One gateway frame; direction is "to_bot" or "from_bot"."""

    index: int
    connection_id: int
    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any
    time: float


@dataclass
class SentInteraction:
    """An INTERACTION_CREATE the emulator dispatched."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    sent_at: float = 0.0
    responded: bool = False
    original_message_id: int | None = None


@dataclass
class Fault:
    route: str
    status: int
    remaining: int
    retry_after: float
    is_global: bool
    scope: str


class GlobalRateLimit:
    """Discord's global limit: `limit` requests per bot in any `window` seconds, beyond it a global 429.

    Discord does not document whether its window is fixed or sliding; a sliding window is the stricter reading
    (a bot that passes it passes a fixed one too). Interaction endpoints are exempt, as Discord documents. Keeps
    the arrival time of every counted request served, and how many were refused, so tests can assert on them.
    """

    def __init__(self, limit: int = GLOBAL_RATE_LIMIT, window: float = GLOBAL_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self.served: list[float] = []  # when each counted request was let through, in order
        self.refused = 0
        self._recent: deque[float] = deque()

    @staticmethod
    def counts(route: str, params: dict[str, str], application_id: int) -> bool:
        """Interaction endpoints (the callback, and the webhook routes an interaction token opens) are exempt."""
        if route.startswith("POST /interactions/"):
            return False
        return not (route.split(" ", 1)[-1].startswith("/webhooks/") and params.get("webhook_id") == str(application_id))

    def admit(self, at: float) -> float:
        """0 and the request is counted, or the seconds until the window has room again (the request is refused)."""
        at = max(at, self._recent[-1]) if self._recent else at  # requests are handled in order, keep time monotonic
        while self._recent and at - self._recent[0] >= self.window:
            self._recent.popleft()
        if len(self._recent) >= self.limit:
            self.refused += 1
            return self.window - (at - self._recent[0])
        self._recent.append(at)
        self.served.append(at)
        return 0.0

    def busiest_second(self) -> int:
        """The most counted requests served within any `window` seconds."""
        best, start = 0, 0
        for end, at in enumerate(self.served):
            while at - self.served[start] >= self.window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def per_second(self) -> list[int]:
        """Counted requests served in each whole second since the first one."""
        if not self.served:
            return []
        first = self.served[0]
        counts = [0] * (int((self.served[-1] - first) // self.window) + 1)
        for at in self.served:
            counts[int((at - first) // self.window)] += 1
        return counts

    @staticmethod
    def response(retry_after: float) -> web.Response:
        """A global 429 as Discord sends it (discord.py treats a 429 without Via as a Cloudflare ban)."""
        headers = {
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
            "Via": "1.1 google",
        }
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": True}
        return _json_response(body, 429, headers)


@dataclass
class GatewaySession:
    session_id: str
    user_id: int
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)  # dispatch frames, for RESUME replay
    connection: GatewayConnection | None = None


@dataclass
class GatewayConnection:
    id: int
    ws: web.WebSocketResponse
    path: str
    session: GatewaySession | None = None
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    heartbeats: int = 0


@dataclass(frozen=True)
class ChannelArg:
    """A channel option value for a slash command (sent as type 7 with resolved data)."""

    channel_id: int


@dataclass(frozen=True)
class UserArg:
    """A user/member option value for a slash command (sent as type 6 with resolved data)."""

    user_id: int


class _WaitableLog(Generic[T]):
    """An append-only list that coroutines can wait on for the first item matching a predicate."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._waiters: list[asyncio.Future[None]] = []

    def __len__(self) -> int:
        return len(self.items)

    def append(self, item: T) -> None:
        self.items.append(item)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_for(
        self, match: Callable[[T], bool], *, after: int, timeout: float, what: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = after
        while True:
            while index < len(self.items):
                item = self.items[index]
                index += 1
                if match(item):
                    return item
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise EmulatorTimeout(f"timed out after {timeout}s waiting for {what()}")
            waiter = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)


def snowflake_time_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def _json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    all_headers = {"Content-Type": JSON_CONTENT_TYPE}
    all_headers.update(headers or {})
    return web.Response(body=orjson.dumps(payload), status=status, headers=all_headers)


def _error(status: int, code: int, message: str, errors: Any = None) -> web.Response:
    payload: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        payload["errors"] = errors
    return _json_response(payload, status)


@contextlib.contextmanager
def patch_discord(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST base (Route.BASE) and default gateway at an emulator (restored on exit)."""
    previous_base = discord.http.Route.BASE
    previous_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = previous_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = previous_gateway


def permission_bits(**flags: bool) -> int:
    return discord.Permissions(**flags).value


EVERYONE_PERMISSIONS = permission_bits(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_application_commands=True,
    create_public_threads=True,
    send_messages_in_threads=True,
)
MODERATOR_PERMISSIONS = permission_bits(manage_messages=True, pin_messages=True, manage_threads=True)
ADMIN_PERMISSIONS = permission_bits(manage_guild=True, manage_messages=True, pin_messages=True, manage_channels=True)
BOT_PERMISSIONS = permission_bits(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    pin_messages=True,
    add_reactions=True,
)


def embed_problems(embed: dict[str, Any]) -> list[str]:
    """Discord's per-embed limits; returns human-readable violations."""
    problems: list[str] = []

    def check(label: str, value: Any, limit: int) -> int:
        text = value or ""
        if not isinstance(text, str):
            problems.append(f"{label} is not a string")
            return 0
        if len(text) > limit:
            problems.append(f"{label} has {len(text)} chars > {limit}")
        return len(text)

    total = check("title", embed.get("title"), EMBED_TITLE)
    total += check("description", embed.get("description"), EMBED_DESCRIPTION)
    total += check("footer.text", (embed.get("footer") or {}).get("text"), EMBED_FOOTER)
    total += check("author.name", (embed.get("author") or {}).get("name"), EMBED_AUTHOR)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        problems.append(f"{len(fields)} fields > {EMBED_FIELDS}")
    for position, embed_field in enumerate(fields):
        if not embed_field.get("name") or not embed_field.get("value"):
            problems.append(f"fields[{position}] has an empty name or value")
        total += check(f"fields[{position}].name", embed_field.get("name"), EMBED_FIELD_NAME)
        total += check(f"fields[{position}].value", embed_field.get("value"), EMBED_FIELD_VALUE)
    if total > EMBED_TOTAL_CHARS:
        problems.append(f"embed has {total} chars in total > {EMBED_TOTAL_CHARS}")
    return problems


def message_problems(body: dict[str, Any]) -> list[str]:
    """Discord's message limits (content, embeds, components); returns violations."""
    problems: list[str] = []
    content = body.get("content")
    if content is not None and len(content) > MESSAGE_CONTENT_LIMIT:
        problems.append(f"content has {len(content)} chars > {MESSAGE_CONTENT_LIMIT}")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    grand_total = 0
    for position, embed in enumerate(embeds):
        problems.extend(f"embeds[{position}]: {p}" for p in embed_problems(embed))
        grand_total += sum(
            len(embed.get(key) or "") for key in ("title", "description")
        ) + sum(len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or [])
    if grand_total > EMBED_TOTAL_CHARS:
        problems.append(f"all embeds together have {grand_total} chars > {EMBED_TOTAL_CHARS}")
    rows = body.get("components") or []
    if len(rows) > ACTION_ROWS:
        problems.append(f"{len(rows)} action rows > {ACTION_ROWS}")
    for row_position, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") == 1 and len(children) > BUTTONS_PER_ROW:
            problems.append(f"components[{row_position}] has {len(children)} items > {BUTTONS_PER_ROW}")
        for child in children:
            custom_id = child.get("custom_id")
            if custom_id is not None and len(custom_id) > CUSTOM_ID_LIMIT:
                problems.append(f"custom_id {custom_id!r} longer than {CUSTOM_ID_LIMIT}")
            label = child.get("label")
            if label is not None and len(label) > BUTTON_LABEL_LIMIT:
                problems.append(f"label {label!r} longer than {BUTTON_LABEL_LIMIT}")
    return problems


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    """A multipart/form-data body as Discord reads it: the JSON in payload_json, and files[n] parts under "_files"."""
    payload: dict[str, Any] = {}
    files = []
    reader = await request.multipart()
    async for part in reader:
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        else:
            data = bytes(await part.read())
            files.append({"name": part.name, "filename": part.filename, "content_type": part.headers.get("Content-Type", ""),
                          "size": len(data), "data": data})
    if files:
        payload["_files"] = files
    return payload


def body_content_type_problem(request: web.Request) -> web.Response | None:
    """Discord reads a body only as JSON or multipart/form-data; anything else is refused."""
    if request.method in ("POST", "PATCH", "PUT") and request.body_exists and request.content_type not in BODY_CONTENT_TYPES:
        return _error(400, 50109, "The request body contains invalid JSON.")
    return None


def attachment_problems(files: list[dict[str, Any]], described: list[dict[str, Any]] | None) -> web.Response | None:
    """Discord's checks on uploaded files: files[n] names, matching attachments entries, count and size limit."""
    if not files:
        return None
    if len(files) > ATTACHMENTS_PER_MESSAGE:
        return _error(400, 50035, "Invalid Form Body", {"files": f"{len(files)} files > {ATTACHMENTS_PER_MESSAGE}"})
    if sum(f["size"] for f in files) > ATTACHMENT_SIZE_LIMIT:
        return _error(413, 40005, "Request entity too large")
    ids = {str(a.get("id")) for a in described or []}
    for upload in files:
        name = upload["name"] or ""
        if not (name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit()):
            return _error(400, 50035, "Invalid Form Body", {"files": f"unexpected form field {name!r}"})
        if described is not None and name[6:-1] not in ids:
            return _error(400, 50035, "Invalid Form Body", {"attachments": f"no attachment entry for {name}"})
        if not upload["filename"]:
            return _error(400, 50035, "Invalid Form Body", {"files": f"{name} has no filename"})
    return None


def stored_attachments(new_id: Callable[[], int], files: list[dict[str, Any]], described: list[dict[str, Any]] | None
                       ) -> list[dict[str, Any]]:
    """The attachment objects Discord returns for uploaded files (descriptions are the files' alt text)."""
    by_id = {str(a.get("id")): a for a in described or []}
    stored = []
    for upload in files:
        meta = by_id.get(upload["name"][6:-1], {})
        attachment = {
            "id": str(new_id()),
            "filename": meta.get("filename") or upload["filename"],
            "size": upload["size"],
            "url": f"https://cdn.discordapp.com/attachments/emulator/{upload['filename']}",
            "proxy_url": f"https://media.discordapp.net/attachments/emulator/{upload['filename']}",
            "content_type": upload["content_type"] or "application/octet-stream",
        }
        if meta.get("description"):
            attachment["description"] = meta["description"]
        if upload["data"].startswith(b"\x89PNG\r\n\x1a\n") and len(upload["data"]) >= 24:
            attachment["width"] = int.from_bytes(upload["data"][16:20], "big")
            attachment["height"] = int.from_bytes(upload["data"][20:24], "big")
        stored.append(attachment)
    return stored


class DiscordEmulator:
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

    # ------------------------------------------------------------------ world

    def new_id(self) -> int:
        """A realistic, unique snowflake."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (now_ms << 22) | (next(self._ids) & 0x3FFFFF)

    def _make_user(self, name: str, *, bot: bool = False) -> dict[str, Any]:
        user = {
            "id": str(self.new_id()),
            "username": name,
            "global_name": name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
        }
        self.users[int(user["id"])] = user
        return user

    def _build_world(self) -> None:
        self.bot_user = self._make_user("lawbot", bot=True)
        self.bot_user.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})
        self.application_id = int(self.bot_user["id"])  # as on Discord: the bot user id is the application id
        self.user_ids: dict[str, int] = {}
        for name in ("owner", "alice", "bob", "mod", "admin"):
            self.user_ids[name] = int(self._make_user(name)["id"])

        self.guild_id = self.new_id()
        self.role_ids = {
            "everyone": self.guild_id,
            "moderator": self.new_id(),
            "admin": self.new_id(),
            "bot": self.new_id(),
        }
        roles = [
            self._role(self.role_ids["everyone"], "@everyone", EVERYONE_PERMISSIONS, 0),
            self._role(self.role_ids["moderator"], "Moderator", MODERATOR_PERMISSIONS, 1),
            self._role(self.role_ids["admin"], "Admin", ADMIN_PERMISSIONS, 2),
            self._role(self.role_ids["bot"], "lawbot", BOT_PERMISSIONS, 3, managed=True),
        ]
        self.channel_ids: dict[str, int] = {}
        channels = []
        for position, name in enumerate(("general", "ask", "explainers")):
            channel = self._text_channel(name, position)
            channels.append(channel)
            self.channel_ids[name] = int(channel["id"])
        self.guilds[self.guild_id] = {
            "id": str(self.guild_id),
            "name": "Forced Labour Law Test Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.user_ids["owner"]),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "large": False,
            "unavailable": False,
            "member_count": 0,
            "joined_at": snowflake_time_iso(),
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        for channel in channels:
            self.channels[int(channel["id"])] = channel
        member_roles = {
            "owner": [],
            "alice": [],
            "bob": [],
            "mod": [self.role_ids["moderator"]],
            "admin": [self.role_ids["admin"]],
        }
        for name, role_ids in member_roles.items():
            self._add_member(self.user_ids[name], role_ids)
        self._add_member(self.application_id, [self.role_ids["bot"]])

    @staticmethod
    def _role(role_id: int, name: str, permissions: int, position: int, *, managed: bool = False) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }

    def _text_channel(self, name: str, position: int) -> dict[str, Any]:
        return {
            "id": str(self.new_id()),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }

    def _add_member(self, user_id: int, role_ids: list[int]) -> None:
        self.members[(self.guild_id, user_id)] = {
            "user": self.users[user_id],
            "nick": None,
            "avatar": None,
            "roles": [str(r) for r in role_ids],
            "joined_at": snowflake_time_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }
        self.guilds[self.guild_id]["member_count"] = sum(1 for key in self.members if key[0] == self.guild_id)

    def add_member(self, name: str, roles: tuple[str, ...] = ()) -> int:
        """A new user who is a member of the guild (with these role names); returns the user id."""
        user_id = int(self._make_user(name)["id"])
        self.user_ids[name] = user_id
        self._add_member(user_id, [self.role_ids[role] for role in roles])
        return user_id

    def user_id(self, who: str | int) -> int:
        return who if isinstance(who, int) else self.user_ids[who]

    def channel_id(self, where: str | int) -> int:
        return where if isinstance(where, int) else self.channel_ids[where]

    def member_permissions(self, user_id: int, guild_id: int | None = None) -> int:
        guild_id = guild_id or self.guild_id
        guild = self.guilds[guild_id]
        if str(user_id) == guild["owner_id"]:
            return discord.Permissions.all().value
        if user_id == self.application_id:
            return self.bot_permissions
        member = self.members[(guild_id, user_id)]
        by_id = {int(role["id"]): int(role["permissions"]) for role in guild["roles"]}
        value = by_id[guild_id]
        for role_id in member["roles"]:
            value |= by_id.get(int(role_id), 0)
        if value & discord.Permissions(administrator=True).value:
            return discord.Permissions.all().value
        return value

    def set_member_roles(self, who: str | int, role_names: list[str]) -> None:
        member = self.members[(self.guild_id, self.user_id(who))]
        member["roles"] = [str(self.role_ids[name]) for name in role_names]

    def dm_channel(self, who: str | int) -> dict[str, Any]:
        """The DM channel between the bot and a user (created on first use)."""
        user = self.users[self.user_id(who)]
        for channel in self.channels.values():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == user["id"]:
                return channel
        channel = {"id": str(self.new_id()), "type": 1, "last_message_id": None, "recipients": [user], "flags": 0}
        self.channels[int(channel["id"])] = channel
        return channel

    def add_text_channel(self, name: str) -> int:
        channel = self._text_channel(name, len(self.channel_ids))
        self.channels[int(channel["id"])] = channel
        self.channel_ids[name] = int(channel["id"])
        return int(channel["id"])

    # ------------------------------------------------------------------ lifecycle

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

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        route: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.2,
        is_global: bool = False,
        scope: str = "user",
    ) -> None:
        """Answer the next `times` requests to `route` (e.g. "POST /channels/{channel_id}/messages") with an error."""
        self._faults.append(Fault(route, status, times, retry_after, is_global, scope))

    def _take_fault(self, route: str) -> Fault | None:
        for fault in self._faults:
            if fault.route == route and fault.remaining > 0:
                fault.remaining -= 1
                return fault
        return None

    @staticmethod
    def _fault_response(fault: Fault, route: str) -> web.Response:
        if fault.status == 429:
            bucket = format(abs(hash(route)) & 0xFFFFFFFF, "x")
            headers = {
                "Retry-After": str(max(1, int(fault.retry_after + 0.999))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": bucket,
                "X-RateLimit-Scope": fault.scope,
                "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = {"message": "You are being rate limited.", "retry_after": fault.retry_after, "global": fault.is_global}
            return _json_response(body, 429, headers)
        return _json_response({"message": f"{fault.status}: Internal Server Error", "code": 0}, fault.status)

    # ------------------------------------------------------------------ recording / waiting

    def mark(self) -> int:
        """The current request count; pass as `after=` to wait only for requests made from now on."""
        return len(self.requests)

    def frame_mark(self) -> int:
        return len(self.frames)

    def requests_for(self, route: str, *, status: int | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests.items if r.route == route and (status is None or r.status == status)]

    async def wait_for_request(
        self,
        route: str | None = None,
        *,
        where: Callable[[RecordedRequest], bool] | None = None,
        after: int = 0,
        status: int | None = None,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """The first answered request (at index >= after) matching route, where and status."""

        def match(request: RecordedRequest) -> bool:
            return (
                (route is None or request.route == route)
                and (status is None or request.status == status)
                and (where is None or where(request))
            )

        return await self.requests.wait_for(
            match, after=after, timeout=timeout, what=lambda: f"request {route or 'any'} (last answered: {self._recent_routes()})"
        )

    def _note_callback(self, recorded: RecordedRequest) -> None:
        interaction_id = int(recorded.params["interaction_id"])
        if interaction_id in self.callbacks:
            return
        self.callbacks[interaction_id] = recorded
        waiter = self._callback_waiters.pop(interaction_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(recorded)

    def _recent_routes(self) -> list[str]:
        return [f"{r.route} -> {r.status}" for r in self.requests.items[-8:]]

    async def wait_for_frame(
        self,
        *,
        direction: str | None = None,
        op: int | None = None,
        event: str | None = None,
        after: int = 0,
        where: Callable[[GatewayFrame], bool] | None = None,
        timeout: float = 5.0,
    ) -> GatewayFrame:
        def match(frame: GatewayFrame) -> bool:
            return (
                (direction is None or frame.direction == direction)
                and (op is None or frame.op == op)
                and (event is None or frame.t == event)
                and (where is None or where(frame))
            )

        return await self.frames.wait_for(
            match, after=after, timeout=timeout, what=lambda: f"gateway frame op={op} t={event} direction={direction}"
        )

    def _record_frame(self, connection: GatewayConnection, direction: str, frame: dict[str, Any]) -> None:
        self.frames.append(
            GatewayFrame(
                index=len(self.frames),
                connection_id=connection.id,
                direction=direction,
                op=frame.get("op", -1),
                t=frame.get("t"),
                s=frame.get("s"),
                d=frame.get("d"),
                time=time.perf_counter(),
            )
        )

    # ------------------------------------------------------------------ HTTP plumbing

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path in ("/gateway", "/gateway-resume"):
            return await handler(request)
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else ""
        path = request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX) else request.path
        if handler == self._unknown_route or not canonical.startswith(API_PREFIX):
            route = f"UNKNOWN {request.method} {path}"
        else:
            route = f"{request.method} {canonical[len(API_PREFIX):]}"
        body = await self._read_body(request)
        recorded = RecordedRequest(
            index=-1,
            method=request.method,
            path=path,
            route=route,
            params=dict(request.match_info),
            query=dict(request.query),
            headers=dict(request.headers),
            json=body,
            time=self._arrivals.get(request.protocol) or time.perf_counter(),
        )
        request[RECORDED] = recorded

        fault = self._take_fault(route)
        refused = body_content_type_problem(request)
        if fault is not None:
            response: web.StreamResponse = self._fault_response(fault, route)
        elif (over_global := self._over_global_limit(recorded)) is not None:
            response = over_global
        elif refused is not None:
            response = refused
        elif not self._authorised(request, route):
            response = _error(401, 0, "401: Unauthorized")
        else:
            try:
                response = await handler(request)
            except web.HTTPException:
                raise
            except Exception:  # a bug in the emulator must be visible, not a hang
                log.exception("emulator handler failed for %s", route)
                response = _error(500, 0, "emulator handler crashed")
        if response.status < 400 and "X-RateLimit-Limit" not in response.headers:
            # Generous limits keep discord.py from serialising requests per bucket.
            response.headers.update(
                {
                    "X-RateLimit-Limit": "10000",
                    "X-RateLimit-Remaining": "9999",
                    "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
                    "X-RateLimit-Reset-After": "1.000",
                    "X-RateLimit-Bucket": format(abs(hash(route)) & 0xFFFFFFFF, "x"),
                }
            )
        recorded.status = response.status
        if isinstance(response, web.Response) and response.body is not None:
            with contextlib.suppress(ValueError, TypeError):
                recorded.response = orjson.loads(response.body)  # type: ignore[arg-type]
        # Recorded once answered, so waiting for a request also waits for its answer (index = answer order).
        recorded.index = len(self.requests)
        self.requests.append(recorded)
        if route == CALLBACK_ROUTE and recorded.status not in RETRIED_STATUSES:
            self._note_callback(recorded)
        if route.startswith("UNKNOWN"):
            self.unknown_requests.append(recorded)
        return response

    def _over_global_limit(self, recorded: RecordedRequest) -> web.Response | None:
        if not GlobalRateLimit.counts(recorded.route, recorded.params, self.application_id):
            return None
        retry_after = self.global_limit.admit(recorded.time)
        return GlobalRateLimit.response(retry_after) if retry_after > 0 else None

    @staticmethod
    async def _read_body(request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "multipart/form-data":
            return await _read_multipart(request)
        raw = await request.read()
        if not raw:
            return None
        try:
            return orjson.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")

    def _authorised(self, request: web.Request, route: str) -> bool:
        # Interaction callbacks and webhook-token routes are authorised by their token, not the bot token.
        if route.startswith(("POST /interactions/", "GET /webhooks/", "POST /webhooks/", "PATCH /webhooks/")) or (
            route.startswith("DELETE /webhooks/") or route.startswith("UNKNOWN") or route.endswith("/gateway")
        ):
            return True
        return request.headers.get("Authorization") == f"Bot {self.token}"

    async def _unknown_route(self, request: web.Request) -> web.Response:
        return _error(404, 0, "404: Not Found")

    def _add_rest_routes(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/{user_id}", self._get_user),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{application_id}/commands", self._get_global_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_global_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._get_guild_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_guild_commands),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("GET", "/channels/{channel_id}", self._get_channel),
            # pins before /messages/{message_id}, which would otherwise swallow them
            ("GET", "/channels/{channel_id}/messages/pins", self._get_pins),
            ("PUT", "/channels/{channel_id}/messages/pins/{message_id}", self._pin),
            ("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", self._unpin),
            ("GET", "/channels/{channel_id}/pins", self._get_pins_legacy),
            ("GET", "/channels/{channel_id}/messages", self._get_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._create_thread_from_message),
            ("POST", "/channels/{channel_id}/threads", self._create_thread),
            ("POST", "/channels/{channel_id}/typing", self._no_content),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._no_content),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._execute_webhook),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._delete_webhook_message),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)

    # ------------------------------------------------------------------ REST: identity, guilds, commands

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json_response(self.bot_user)

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        return _json_response(user) if user else _error(404, 10013, "Unknown User")

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = request[RECORDED].json or {}
        recipient = int(body.get("recipient_id", 0))
        if recipient not in self.users:
            return _error(404, 10013, "Unknown User")
        return _json_response(self.dm_channel(recipient))

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "lawbot",
            "icon": None,
            "description": "Explains forced-labour trade law.",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "owner": self.users[self.user_ids["owner"]],
            "team": None,
            "bot": self.bot_user,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": 1,
        }

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json_response(self.application_payload())

    def _store_commands(self, body: Any, guild_id: int | None) -> list[dict[str, Any]]:
        stored = []
        for command in body or []:
            record = dict(command)
            record.setdefault("type", 1)
            record.setdefault("description", "")
            record.setdefault("options", [])
            record.update({"id": str(self.new_id()), "application_id": str(self.application_id), "version": "1"})
            record.setdefault("default_member_permissions", None)
            record.setdefault("nsfw", False)
            if guild_id is not None:
                record["guild_id"] = str(guild_id)
            stored.append(record)
        return stored

    async def _get_global_commands(self, request: web.Request) -> web.Response:
        return _json_response(self.global_commands)

    async def _put_global_commands(self, request: web.Request) -> web.Response:
        self.global_commands = self._store_commands(request[RECORDED].json, None)
        return _json_response(self.global_commands)

    async def _get_guild_commands(self, request: web.Request) -> web.Response:
        return _json_response(self.guild_commands.get(int(request.match_info["guild_id"]), []))

    async def _put_guild_commands(self, request: web.Request) -> web.Response:
        guild_id = int(request.match_info["guild_id"])
        self.guild_commands[guild_id] = self._store_commands(request[RECORDED].json, guild_id)
        return _json_response(self.guild_commands[guild_id])

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self.guilds.get(int(request.match_info["guild_id"]))
        return _json_response(self._guild_rest_payload(guild)) if guild else _error(404, 10004, "Unknown Guild")

    @staticmethod
    def _guild_rest_payload(guild: dict[str, Any]) -> dict[str, Any]:
        skip = {"members", "channels", "threads", "presences", "voice_states", "joined_at", "large", "member_count"}
        return {key: value for key, value in guild.items() if key not in skip}

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        guild_id = request.match_info["guild_id"]
        return _json_response([c for c in self.channels.values() if c.get("guild_id") == guild_id])

    async def _get_member(self, request: web.Request) -> web.Response:
        key = (int(request.match_info["guild_id"]), int(request.match_info["user_id"]))
        member = self.members.get(key)
        return _json_response(member) if member else _error(404, 10007, "Unknown Member")

    async def _no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    # ------------------------------------------------------------------ REST: channels and messages

    def _channel_or_none(self, request: web.Request) -> dict[str, Any] | None:
        return self.channels.get(int(request.match_info["channel_id"]))

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_none(request)
        return _json_response(channel) if channel else _error(404, 10003, "Unknown Channel")

    def new_message(
        self,
        channel_id: int,
        author: dict[str, Any],
        body: dict[str, Any],
        *,
        webhook_id: int | None = None,
        interaction: SentInteraction | None = None,
        extra_flags: int = 0,
    ) -> dict[str, Any]:
        """Create and store a message as Discord would return it."""
        channel = self.channels.get(channel_id, {})
        reference = body.get("message_reference")
        message: dict[str, Any] = {
            "id": str(self.new_id()),
            "channel_id": str(channel_id),
            "type": 0,
            "content": body.get("content") or "",
            "embeds": [dict(embed, type=embed.get("type", "rich")) for embed in body.get("embeds") or []],
            "components": body.get("components") or [],
            "attachments": [],
            "timestamp": snowflake_time_iso(),
            "edited_timestamp": None,
            "pinned": False,
            "mention_everyone": False,
            "tts": bool(body.get("tts", False)),
            "mentions": list(body.get("_mentions", [])),
            "mention_roles": [],
            "author": author,
            "flags": (body.get("flags") or 0) | extra_flags,
            "allowed_mentions": body.get("allowed_mentions"),  # kept only for assertions; Discord does not echo it
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        if interaction is not None:
            message["type"] = 20 if interaction.type == INTERACTION_COMMAND else 0
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self._interaction_user(interaction.payload),
                "authorizing_integration_owners": {},
            }
        if reference and reference.get("message_id"):
            referenced = self.messages.get(int(reference["message_id"]))
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel_id),
                "guild_id": channel.get("guild_id"),
            }
            message["referenced_message"] = referenced
        self.messages[int(message["id"])] = message
        if channel:
            channel["last_message_id"] = message["id"]
        return message

    @staticmethod
    def _interaction_user(payload: dict[str, Any]) -> dict[str, Any]:
        return payload["member"]["user"] if "member" in payload else payload["user"]

    def _check_limits(self, route: str, body: dict[str, Any]) -> web.Response | None:
        problems = message_problems(body)
        if problems:
            self.limit_violations.append((route, problems))
            return _error(400, 50035, "Invalid Form Body", {"_errors": [{"code": "LIMIT", "message": p} for p in problems]})
        return None

    def _check_attachments(self, body: dict[str, Any], message_data: dict[str, Any]) -> web.Response | None:
        refused = attachment_problems(body.get("_files") or [], message_data.get("attachments"))
        if refused is not None:
            self.attachment_refusals.append(refused.status)
        return refused

    def _attach(self, message: dict[str, Any], body: dict[str, Any], message_data: dict[str, Any]) -> None:
        files = body.get("_files") or []
        if files:
            message["attachments"] = stored_attachments(self.new_id, files, message_data.get("attachments"))
            self.uploads.update({a["id"]: f["data"] for a, f in zip(message["attachments"], files, strict=True)})

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_none(request)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        if self._bot_denied_in(channel, send_messages=True):
            return _error(403, 50013, "Missing Permissions")
        body = request[RECORDED].json or {}
        if not body.get("content") and not body.get("embeds") and not body.get("components") and not body.get("_files"):
            return _error(400, 50006, "Cannot send an empty message")
        invalid = self._check_limits(request[RECORDED].route, body) or self._check_attachments(body, body)
        if invalid is not None:
            return invalid
        message = self.new_message(int(channel["id"]), self.bot_user, body)
        self._attach(message, body, body)
        await self._echo_message(message)
        return _json_response(message)

    async def _echo_message(self, message: dict[str, Any]) -> None:
        if self.echo_own_messages and not message["flags"] & FLAG_EPHEMERAL and self._live_session() is not None:
            await self.dispatch("MESSAGE_CREATE", self._message_event(message))

    def _message_event(self, message: dict[str, Any]) -> dict[str, Any]:
        event = {key: value for key, value in message.items() if key != "allowed_mentions"}
        guild_id = message.get("guild_id")
        author_id = int(message["author"]["id"])
        if guild_id and (int(guild_id), author_id) in self.members:
            member = dict(self.members[(int(guild_id), author_id)])
            member.pop("user", None)
            event["member"] = member
        return event

    def _message_from_request(self, request: web.Request) -> dict[str, Any] | None:
        message = self.messages.get(int(request.match_info["message_id"]))
        if message is None or message["channel_id"] != request.match_info["channel_id"]:
            return None
        return message

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        return _json_response(message) if message else _error(404, 10008, "Unknown Message")

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel_id"]
        limit = int(request.query.get("limit", 50))
        found = [m for m in self.messages.values() if m["channel_id"] == channel_id]
        return _json_response(list(reversed(found))[:limit])

    def _apply_edit(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "flags" in body and body["flags"] is not None:
            message["flags"] = (message["flags"] & FLAG_EPHEMERAL) | body["flags"]
        message["flags"] &= ~FLAG_LOADING
        message["edited_timestamp"] = snowflake_time_iso()

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.bot_user["id"]:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        return self._edit_within_limits(request, message)

    def _edit_within_limits(self, request: web.Request, message: dict[str, Any]) -> web.Response:
        """Apply an edit (channel message or webhook message) unless the result breaks Discord's limits."""
        body = request[RECORDED].json or {}
        invalid = self._check_limits(request[RECORDED].route, {**message, **body})
        if invalid is not None:
            return invalid
        self._apply_edit(message, body)
        return _json_response(message)

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        del self.messages[int(message["id"])]
        pins = self.pins.get(int(message["channel_id"]), [])
        if int(message["id"]) in pins:
            pins.remove(int(message["id"]))
        return web.Response(status=204)

    async def deny_bot_in_channel(self, where: str | int, **flags: bool) -> None:
        """A permission overwrite on one channel that denies the bot these permissions (e.g. send_messages=True),
        as a moderator would set it; the bot hears of it by CHANNEL_UPDATE when connected."""
        channel = self.channels[self.channel_id(where)]
        channel["permission_overwrites"] = [
            *channel["permission_overwrites"],
            {"id": str(self.role_ids["bot"]), "type": 0, "allow": "0", "deny": str(permission_bits(**flags))},
        ]
        if self._live_session() is not None:
            await self.dispatch("CHANNEL_UPDATE", channel)

    def _bot_denied_in(self, channel: dict[str, Any], **flags: bool) -> bool:
        """Whether the channel's overwrites for the bot's role or member deny any of these permissions."""
        needed = permission_bits(**flags)
        own = {str(self.role_ids["bot"]), str(self.application_id)}
        denied = 0
        for overwrite in channel.get("permission_overwrites") or []:
            if overwrite["id"] in own:
                denied |= int(overwrite["deny"]) & ~int(overwrite["allow"])
        return bool(denied & needed)

    def _bot_has(self, **flags: bool) -> bool:
        needed = permission_bits(**flags)
        return self.bot_permissions & needed == needed

    async def _pin(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if not self._bot_has(pin_messages=True):
            return _error(403, 50013, "Missing Permissions")
        pins = self.pins.setdefault(int(message["channel_id"]), [])
        if int(message["id"]) not in pins:
            if len(pins) >= self.pin_limit:
                return _error(400, 30003, f"Maximum number of pins reached ({self.pin_limit})")
            pins.append(int(message["id"]))
        message["pinned"] = True
        return web.Response(status=204)

    async def _unpin(self, request: web.Request) -> web.Response:
        message = self._message_from_request(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if not self._bot_has(pin_messages=True):
            return _error(403, 50013, "Missing Permissions")
        pins = self.pins.get(int(message["channel_id"]), [])
        if int(message["id"]) in pins:
            pins.remove(int(message["id"]))
        message["pinned"] = False
        return web.Response(status=204)

    def fill_pins(self, where: str | int, count: int) -> None:
        """Pretend `count` other messages are already pinned in a channel."""
        channel_id = self.channel_id(where)
        self.pins.setdefault(channel_id, []).extend(self.new_id() for _ in range(count))

    def pinned_message_ids(self, where: str | int) -> list[int]:
        """The ids of the messages pinned in a channel, oldest pin first."""
        return list(self.pins.get(self.channel_id(where), []))

    def add_pinned_bot_message(self, where: str | int, body: dict[str, Any]) -> dict[str, Any]:
        """A message of the bot's, already pinned, as an earlier run of the bot might have left it."""
        channel_id = self.channel_id(where)
        message = self.new_message(channel_id, self.bot_user, body)
        message["pinned"] = True
        self.pins.setdefault(channel_id, []).append(int(message["id"]))
        return message

    async def _get_pins(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        items = [
            {"pinned_at": snowflake_time_iso(), "message": self.messages[mid]}
            for mid in reversed(self.pins.get(channel_id, []))
            if mid in self.messages
        ]
        limit = int(request.query.get("limit", 50))
        return _json_response({"items": items[:limit], "has_more": len(items) > limit})

    async def _get_pins_legacy(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        pinned = [self.messages[m] for m in reversed(self.pins.get(channel_id, [])) if m in self.messages]
        return _json_response(pinned)

    def _thread_payload(self, thread_id: int, parent: dict[str, Any], name: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(thread_id),
            "guild_id": parent.get("guild_id"),
            "parent_id": parent["id"],
            "owner_id": self.bot_user["id"],
            "name": name,
            "type": int(body.get("type") or 11),
            "last_message_id": None,
            "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                "archive_timestamp": snowflake_time_iso(),
                "locked": False,
                "create_timestamp": snowflake_time_iso(),
            },
            "member": {"id": str(thread_id), "user_id": self.bot_user["id"], "join_timestamp": snowflake_time_iso(), "flags": 0},
        }

    async def _register_thread(self, thread: dict[str, Any]) -> web.Response:
        self.channels[int(thread["id"])] = thread
        if self._live_session() is not None:
            await self.dispatch("THREAD_CREATE", dict(thread, newly_created=True))
        return _json_response(thread, 201)

    async def _create_thread_from_message(self, request: web.Request) -> web.Response:
        parent = self._channel_or_none(request)
        message = self._message_from_request(request)
        if parent is None or message is None:
            return _error(404, 10008, "Unknown Message")
        if int(message["id"]) in self.channels:
            return _error(400, 160004, "A thread has already been created for this message")
        body = request[RECORDED].json or {}
        # On Discord a thread started from a message has the message's id.
        thread = self._thread_payload(int(message["id"]), parent, body.get("name") or "thread", body)
        message["thread"] = thread
        return await self._register_thread(thread)

    async def _create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel_or_none(request)
        if parent is None:
            return _error(404, 10003, "Unknown Channel")
        body = request[RECORDED].json or {}
        return await self._register_thread(self._thread_payload(self.new_id(), parent, body.get("name") or "thread", body))

    # ------------------------------------------------------------------ REST: interactions and webhooks

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(int(request.match_info["interaction_id"]))
        if interaction is None or interaction.token != request.match_info["interaction_token"]:
            return _error(404, 10062, "Unknown interaction")
        if interaction.responded:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        if request[RECORDED].time - interaction.sent_at > self.interaction_deadline:
            return _error(404, 10062, "Unknown interaction")
        body = request[RECORDED].json or {}
        callback_type = body.get("type")
        data = body.get("data") or {}
        route = request[RECORDED].route
        channel_id = int(interaction.payload["channel"]["id"]) if interaction.payload.get("channel") else 0
        message: dict[str, Any] | None = None
        loading = ephemeral = False

        if callback_type == CALLBACK_MESSAGE:
            invalid = self._check_limits(route, data) or self._check_attachments(body, data)
            if invalid is not None:
                return invalid
            if not data.get("content") and not data.get("embeds") and not data.get("components") and not body.get("_files"):
                return _error(400, 50006, "Cannot send an empty message")
            message = self.new_message(
                channel_id, self.bot_user, data, webhook_id=self.application_id, interaction=interaction
            )
            self._attach(message, body, data)
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
            interaction.original_message_id = int(message["id"])
        elif callback_type == CALLBACK_DEFERRED_MESSAGE:
            loading = True
            message = self.new_message(
                channel_id,
                self.bot_user,
                {"flags": data.get("flags") or 0},
                webhook_id=self.application_id,
                interaction=interaction,
                extra_flags=FLAG_LOADING,
            )
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
            interaction.original_message_id = int(message["id"])
        elif callback_type in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            if interaction.type not in (INTERACTION_COMPONENT, INTERACTION_MODAL_SUBMIT) or "message" not in interaction.payload:
                return _error(400, 40043, "Interaction has no message to update")
            message = self.messages.get(int(interaction.payload["message"]["id"]))
            if message is None:
                return _error(404, 10008, "Unknown Message")
            if callback_type == CALLBACK_UPDATE_MESSAGE:
                invalid = self._check_limits(route, {**message, **data})
                if invalid is not None:
                    return invalid
                self._apply_edit(message, data)
            interaction.original_message_id = int(message["id"])
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
        elif callback_type == CALLBACK_AUTOCOMPLETE:
            if interaction.type != INTERACTION_AUTOCOMPLETE:
                return _error(400, 50035, "Invalid Form Body")
            problems = self._choice_problems(data.get("choices"))
            if problems:
                self.limit_violations.append((route, problems))
                return _error(400, 50035, "Invalid Form Body", {"_errors": problems})
        elif callback_type == CALLBACK_MODAL:
            if interaction.type == INTERACTION_MODAL_SUBMIT:
                return _error(400, 50035, "A modal cannot open another modal")
        elif callback_type != CALLBACK_PONG:
            return _error(400, 50035, "Invalid Form Body", {"type": callback_type})

        interaction.responded = True
        payload: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": loading,
                "response_message_ephemeral": ephemeral,
            },
            "resource": {"type": callback_type},
        }
        if message is not None:
            payload["interaction"]["response_message_id"] = message["id"]
            payload["resource"]["message"] = message
            if callback_type == CALLBACK_MESSAGE:
                await self._echo_message(message)
        return _json_response(payload)

    @staticmethod
    def _choice_problems(choices: Any) -> list[str]:
        if not isinstance(choices, list):
            return ["choices is not a list"]
        problems = []
        if len(choices) > AUTOCOMPLETE_CHOICES:
            problems.append(f"{len(choices)} choices > {AUTOCOMPLETE_CHOICES}")
        for choice in choices:
            if not 1 <= len(str(choice.get("name", ""))) <= CHOICE_NAME_LIMIT:
                problems.append(f"choice name {choice.get('name')!r} not within 1..{CHOICE_NAME_LIMIT}")
            value = choice.get("value")
            if isinstance(value, str) and len(value) > CHOICE_VALUE_LIMIT:
                problems.append(f"choice value {value!r} longer than {CHOICE_VALUE_LIMIT}")
        return problems

    def _webhook_interaction(self, request: web.Request) -> SentInteraction | None:
        if int(request.match_info["webhook_id"]) != self.application_id:
            return None
        return self._interactions_by_token.get(request.match_info["webhook_token"])

    async def _execute_webhook(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        if not interaction.responded:
            return _error(404, 10015, "Unknown Webhook")  # Discord requires the initial response first
        body = request[RECORDED].json or {}
        invalid = self._check_limits(request[RECORDED].route, body) or self._check_attachments(body, body)
        if invalid is not None:
            return invalid
        if not body.get("content") and not body.get("embeds") and not body.get("components") and not body.get("_files"):
            return _error(400, 50006, "Cannot send an empty message")
        channel_id = int(request.query.get("thread_id") or interaction.payload["channel"]["id"])
        message = self.new_message(channel_id, self.bot_user, body, webhook_id=self.application_id, interaction=interaction)
        self._attach(message, body, body)
        await self._echo_message(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return _json_response(message)
        return web.Response(status=204)

    def _webhook_message(self, request: web.Request, interaction: SentInteraction) -> dict[str, Any] | None:
        message_ref = request.match_info["message_id"]
        if message_ref == "@original":
            if interaction.original_message_id is None:
                return None
            return self.messages.get(interaction.original_message_id)
        return self.messages.get(int(message_ref))

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        message = self._webhook_message(request, interaction) if interaction else None
        return _json_response(message) if message else _error(404, 10008, "Unknown Message")

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        message = self._webhook_message(request, interaction)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        return self._edit_within_limits(request, message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        message = self._webhook_message(request, interaction)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        del self.messages[int(message["id"])]
        return web.Response(status=204)

    # ------------------------------------------------------------------ gateway

    def _live_session(self) -> GatewaySession | None:
        for session in reversed(list(self.sessions.values())):
            return session
        return None

    @property
    def connected(self) -> bool:
        session = self._live_session()
        return session is not None and session.connection is not None and not session.connection.ws.closed

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(id=next(self._connection_ids), ws=ws, path=request.path)
        self.connections.append(connection)
        try:
            await self._send_frame(connection, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                frame = orjson.loads(msg.data)
                self._record_frame(connection, "from_bot", frame)
                await self._handle_client_frame(connection, frame)
        finally:
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
        return ws

    async def _send_frame(self, connection: GatewayConnection, frame: dict[str, Any]) -> None:
        async with connection.send_lock:
            await self._send_frame_locked(connection, frame)

    async def _send_frame_locked(self, connection: GatewayConnection, frame: dict[str, Any]) -> None:
        frame.setdefault("s", None)
        frame.setdefault("t", None)
        self._record_frame(connection, "to_bot", frame)
        await connection.ws.send_str(orjson.dumps(frame).decode())

    async def _handle_client_frame(self, connection: GatewayConnection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == OP_HEARTBEAT:
            connection.heartbeats += 1
            await self._send_frame(connection, {"op": OP_HEARTBEAT_ACK, "d": None})
        elif op == OP_IDENTIFY:
            await self._identify(connection, data or {})
        elif op == OP_RESUME:
            await self._resume(connection, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._members_chunk(connection, data or {})
        elif op == OP_PRESENCE:
            pass  # recorded; nothing to answer

    async def _identify(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = GatewaySession(session_id=secrets.token_hex(16), user_id=self.application_id)
        self.sessions[session.session_id] = session
        connection.session = session
        session.connection = connection
        ready = {
            "v": 10,
            "user": self.bot_user,
            "user_settings": {},
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["discord-emulator"],
        }
        shard = data.get("shard")
        guild_ids = list(self.guilds)
        if shard:
            # Discord routes a guild to shard (guild_id >> 22) % shard_count.
            ready["shard"] = shard
            guild_ids = [g for g in guild_ids if (g >> 22) % shard[1] == shard[0]]
            ready["guilds"] = [{"id": str(g), "unavailable": True} for g in guild_ids]
        async with connection.send_lock:
            await self._dispatch_locked(session, "READY", ready)
            for guild_id in guild_ids:
                await self._dispatch_locked(session, "GUILD_CREATE", self.guild_create_payload(guild_id))

    def guild_create_payload(self, guild_id: int) -> dict[str, Any]:
        guild = dict(self.guilds[guild_id])
        guild["channels"] = [
            {k: v for k, v in c.items() if k != "guild_id"}
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id) and c["type"] not in (11, 12)
        ]
        guild["threads"] = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id) and c["type"] in (11, 12)]
        guild["members"] = [m for (g, _), m in self.members.items() if g == guild_id]
        return guild

    async def _resume(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(data.get("session_id") or "")
        if self._invalidate_resumes or session is None or data.get("token") != self.token:
            self._invalidate_resumes = False
            await self._send_frame(connection, {"op": OP_INVALID_SESSION, "d": False})
            return
        last_seen = data.get("seq") or 0
        async with connection.send_lock:
            connection.session = session
            session.connection = connection
            for frame in session.history:
                if frame["s"] > last_seen:
                    await self._send_frame_locked(connection, dict(frame))
            await self._dispatch_locked(session, "RESUMED", {"_trace": ["discord-emulator"]})

    async def _members_chunk(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        guild_id = int(data.get("guild_id", self.guild_id))
        members = [m for (g, _), m in self.members.items() if g == guild_id]
        chunk = {
            "guild_id": str(guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        session = connection.session
        if session is not None:
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch_locked(self, session: GatewaySession, event: str, data: dict[str, Any]) -> float:
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        connection = session.connection
        sent_at = time.perf_counter()
        if connection is not None and not connection.ws.closed:
            # If the connection just dropped, the frame stays in history for RESUME replay.
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await self._send_frame_locked(connection, dict(frame))
        return sent_at

    async def dispatch(self, event: str, data: dict[str, Any]) -> float:
        """Send a DISPATCH event to the bot (buffered for replay if it is reconnecting); returns send time."""
        session = self._live_session()
        if session is None:
            raise RuntimeError("no gateway session: the bot has not identified")
        connection = session.connection
        if connection is None:
            return await self._dispatch_locked(session, event, data)
        async with connection.send_lock:
            return await self._dispatch_locked(session, event, data)

    async def drop_connection(self, code: int = 4000, *, invalidate: bool = False) -> None:
        """Close the bot's gateway websocket (4000 is resumable); invalidate=True refuses the next RESUME."""
        self._invalidate_resumes = invalidate
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("the bot is not connected")
        connection = session.connection
        session.connection = None
        await connection.ws.close(code=code, message=b"emulator dropped the connection")

    async def send_reconnect(self) -> None:
        """Ask the bot to reconnect (opcode 7), as Discord does before maintenance."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("the bot is not connected")
        await self._send_frame(session.connection, {"op": OP_RECONNECT, "d": None})

    def malformed_events(self) -> list[tuple[str, Any]]:
        """Dispatch events with missing or ill-typed fields, as a misbehaving Discord-compatible server sent them."""
        channel_id = str(self.channel_ids["general"])
        return [
            ("MESSAGE_CREATE", {"id": str(self.new_id()), "content": "no channel, no author"}),
            ("MESSAGE_CREATE", {"id": "not-a-snowflake", "channel_id": channel_id, "author": "someone", "content": 7}),
            ("INTERACTION_CREATE", {"id": str(self.new_id()), "type": "two", "token": None, "data": []}),
            ("GUILD_CREATE", {"id": "garbage", "channels": 7, "roles": "none"}),
            ("GUILD_CREATE", "garbage"),
            ("THREAD_CREATE", [1, 2, 3]),
        ]

    async def send_raw_frame(self, text: str) -> None:
        """Send text the bot's gateway client must read as a frame (not recorded in the session's replay history)."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("the bot is not connected")
        async with session.connection.send_lock:
            self.frames.append(
                GatewayFrame(len(self.frames), session.connection.id, "to_bot", -1, None, None, text, time.perf_counter())
            )
            await session.connection.ws.send_str(text)

    # ------------------------------------------------------------------ simulated users

    def _member_payload(self, user_id: int) -> dict[str, Any]:
        member = dict(self.members[(self.guild_id, user_id)])
        member["permissions"] = str(self.member_permissions(user_id))
        return member

    def _interaction_base(
        self, interaction_type: int, data: dict[str, Any], *, user: str | int, channel: str | int | None, dm: bool
    ) -> dict[str, Any]:
        user_id = self.user_id(user)
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": interaction_type,
            "data": data,
            "token": f"itoken-{interaction_id}-{secrets.token_urlsafe(16)}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "app_permissions": str(self.bot_permissions),
        }
        if dm:
            dm_channel = self.dm_channel(user_id)
            payload.update(
                {
                    "channel_id": dm_channel["id"],
                    "channel": dm_channel,
                    "user": self.users[user_id],
                    "context": 1,
                    "authorizing_integration_owners": {"0": str(user_id)},
                }
            )
        else:
            channel_payload = self.channels[self.channel_id(channel or "general")]
            payload.update(
                {
                    "guild_id": str(self.guild_id),
                    "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                    "guild_locale": "en-US",
                    "channel_id": channel_payload["id"],
                    "channel": channel_payload,
                    "member": self._member_payload(user_id),
                    "context": 0,
                    "authorizing_integration_owners": {"0": str(self.guild_id)},
                }
            )
        return payload

    async def _send_interaction(self, payload: dict[str, Any]) -> SentInteraction:
        interaction = SentInteraction(id=int(payload["id"]), token=payload["token"], type=payload["type"], payload=payload)
        self.interactions[interaction.id] = interaction
        self._interactions_by_token[interaction.token] = interaction
        interaction.sent_at = time.perf_counter()  # provisional, so a callback racing the send is not "late"
        interaction.sent_at = await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _registered_command(self, name: str, command_type: int) -> dict[str, Any] | None:
        candidates = self.guild_commands.get(self.guild_id, []) + self.global_commands
        for command in candidates:
            if command["name"] == name and command.get("type", 1) == command_type:
                return command
        return None

    def _options_payload(
        self, options: dict[str, Any] | None, resolved: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        result = []
        for name, value in (options or {}).items():
            option: dict[str, Any] = {"name": name}
            if isinstance(value, bool):
                option.update(type=5, value=value)
            elif isinstance(value, int):
                option.update(type=4, value=value)
            elif isinstance(value, float):
                option.update(type=10, value=value)
            elif isinstance(value, ChannelArg):
                channel = self.channels[value.channel_id]
                resolved.setdefault("channels", {})[str(value.channel_id)] = {
                    **channel,
                    "permissions": str(EVERYONE_PERMISSIONS),
                }
                option.update(type=7, value=str(value.channel_id))
            elif isinstance(value, UserArg):
                resolved.setdefault("users", {})[str(value.user_id)] = self.users[value.user_id]
                member = self._member_payload(value.user_id)
                member.pop("user", None)
                resolved.setdefault("members", {})[str(value.user_id)] = member
                option.update(type=6, value=str(value.user_id))
            else:
                option.update(type=3, value=str(value))
            if name == focused:
                option["focused"] = True
            result.append(option)
        return result

    def _command_data(
        self, name: str, options: dict[str, Any] | None, *, focused: str | None = None
    ) -> dict[str, Any]:
        """`name` may include subcommand group and subcommand: "config ask-channels add"."""
        top, *subcommands = name.split()
        registered = self._registered_command(top, 1)
        resolved: dict[str, Any] = {}
        leaf_options = self._options_payload(options, resolved, focused)
        if len(subcommands) == 2:
            leaf = [{"name": subcommands[0], "type": 2, "options": [{"name": subcommands[1], "type": 1, "options": leaf_options}]}]
        elif len(subcommands) == 1:
            leaf = [{"name": subcommands[0], "type": 1, "options": leaf_options}]
        else:
            leaf = leaf_options
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.new_id()),
            "name": top,
            "type": 1,
            "options": leaf,
        }
        if resolved:
            data["resolved"] = resolved
        if registered and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        return data

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
        dm: bool = False,
    ) -> SentInteraction:
        """A user runs a slash command (INTERACTION_CREATE type 2)."""
        data = self._command_data(name, options)
        return await self._send_interaction(
            self._interaction_base(INTERACTION_COMMAND, data, user=user, channel=channel, dm=dm)
        )

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
    ) -> SentInteraction:
        """A user types into an option with autocomplete (INTERACTION_CREATE type 4)."""
        data = self._command_data(name, options, focused=focused)
        return await self._send_interaction(
            self._interaction_base(INTERACTION_AUTOCOMPLETE, data, user=user, channel=channel, dm=False)
        )

    async def message_command(
        self, name: str, target: dict[str, Any], *, user: str | int = "alice", channel: str | int | None = None
    ) -> SentInteraction:
        """A user runs a message context-menu command on `target`."""
        registered = self._registered_command(name, 3)
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.new_id()),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if registered and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        where = channel if channel is not None else int(target["channel_id"])
        return await self._send_interaction(
            self._interaction_base(INTERACTION_COMMAND, data, user=user, channel=where, dm=False)
        )

    def _message_for(self, message: dict[str, Any] | int | str) -> dict[str, Any]:
        if isinstance(message, dict):
            return self.messages.get(int(message["id"]), message)
        return self.messages[int(message)]

    async def click(
        self, message: dict[str, Any] | int | str, custom_id: str, *, user: str | int = "alice", component_type: int = 2
    ) -> SentInteraction:
        """A user clicks a button (or other component) on a message the bot sent."""
        stored = self._message_for(message)
        data = {"custom_id": custom_id, "component_type": component_type}
        if component_type != 2:
            data["values"] = []
        channel = self.channels.get(int(stored["channel_id"]))
        dm = channel is not None and channel["type"] == 1
        payload = self._interaction_base(
            INTERACTION_COMPONENT, data, user=user, channel=int(stored["channel_id"]) if not dm else None, dm=dm
        )
        payload["message"] = stored
        return await self._send_interaction(payload)

    def find_button(self, message: dict[str, Any] | int | str, label: str) -> dict[str, Any]:
        """The button component with this label on a stored message."""
        stored = self._message_for(message)
        for row in stored.get("components") or []:
            for child in row.get("components") or []:
                if child.get("label") == label:
                    return child
        labels = [c.get("label") for row in stored.get("components") or [] for c in row.get("components") or []]
        raise AssertionError(f"no button labelled {label!r}; buttons: {labels}")

    async def click_button(
        self, message: dict[str, Any] | int | str, label: str, *, user: str | int = "alice"
    ) -> SentInteraction:
        button = self.find_button(message, label)
        return await self.click(message, button["custom_id"], user=user)

    async def submit_modal(
        self,
        modal_request: RecordedRequest,
        values: dict[str, str],
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
    ) -> SentInteraction:
        """Submit the modal the bot opened (its type 9 callback) with `values` by text-input custom_id."""
        modal = modal_request.json["data"]

        def fill(component: dict[str, Any]) -> dict[str, Any]:
            if component.get("type") == 1:
                return {"type": 1, "components": [fill(c) for c in component.get("components", [])]}
            if component.get("type") == 18:
                return {"type": 18, "component": fill(component["component"])}
            custom_id = component.get("custom_id")
            return {"type": component.get("type"), "custom_id": custom_id, "value": values.get(custom_id, "")}

        data = {"custom_id": modal["custom_id"], "components": [fill(c) for c in modal.get("components", [])]}
        origin = self.interactions.get(int(modal_request.params["interaction_id"]))
        payload = self._interaction_base(INTERACTION_MODAL_SUBMIT, data, user=user, channel=channel, dm=False)
        if origin is not None:
            payload["channel"] = origin.payload.get("channel", payload.get("channel"))
            payload["channel_id"] = payload["channel"]["id"]
            if "message" in origin.payload:
                payload["message"] = self._message_for(origin.payload["message"])
        return await self._send_interaction(payload)

    async def post_message(
        self,
        content: str,
        *,
        user: str | int = "alice",
        channel: str | int | None = None,
        dm: bool = False,
        mention_bot: bool = False,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user posts a message (MESSAGE_CREATE); mention_bot prefixes <@bot> and lists the bot in mentions."""
        user_id = self.user_id(user)
        channel_id = int(self.dm_channel(user_id)["id"]) if dm else self.channel_id(channel or "general")
        text = f"<@{self.application_id}> {content}" if mention_bot else content
        body: dict[str, Any] = {"content": text, "_mentions": [self.bot_user] if mention_bot else []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to["id"], "channel_id": reply_to["channel_id"]}
            if reply_to["author"]["id"] == self.bot_user["id"]:
                body["_mentions"] = [self.bot_user]  # a reply pings its author by default
        message = self.new_message(channel_id, self.users[user_id], body)
        await self.dispatch("MESSAGE_CREATE", self._message_event(message))
        return message

    # ------------------------------------------------------------------ assertions helpers

    async def wait_for_callback(self, interaction: SentInteraction, *, timeout: float = 5.0) -> RecordedRequest:
        """The bot's initial response to an interaction (answers that the client retries, 429 and 5xx, are skipped)."""
        found = self.callbacks.get(interaction.id)
        if found is not None:
            return found
        waiter = self._callback_waiters.get(interaction.id)
        if waiter is None:
            waiter = self._callback_waiters[interaction.id] = asyncio.get_running_loop().create_future()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            raise EmulatorTimeout(
                f"timed out after {timeout}s waiting for the callback to interaction {interaction.id} "
                f"(last answered: {self._recent_routes()})"
            ) from None

    async def wait_for_followup(
        self, interaction: SentInteraction, *, after: int = 0, timeout: float = 5.0
    ) -> RecordedRequest:
        """A webhook follow-up (POST) or edit of the original (PATCH @original) for an interaction."""
        return await self.wait_for_request(
            where=lambda r: r.route.startswith(("POST /webhooks/", "PATCH /webhooks/"))
            and r.params.get("webhook_token") == interaction.token
            and r.status not in RETRIED_STATUSES,
            after=after,
            timeout=timeout,
        )

    def bot_messages(self, where: str | int | None = None) -> list[dict[str, Any]]:
        channel_id = str(self.channel_id(where)) if where is not None else None
        return [
            m
            for m in self.messages.values()
            if m["author"]["id"] == self.bot_user["id"] and (channel_id is None or m["channel_id"] == channel_id)
        ]
