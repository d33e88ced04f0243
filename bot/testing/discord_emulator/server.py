"""HTTP plumbing: the TCP site that stamps arrivals, the middleware that records and refuses, and patching discord.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import discord
import discord.gateway
import discord.http
import orjson
import yarl
from aiohttp import web

from bot.testing.discord_emulator.protocol import API_PREFIX, CALLBACK_ROUTE, RETRIED_STATUSES, _error
from bot.testing.discord_emulator.records import RECORDED, RecordedRequest
from bot.testing.discord_emulator.uploads import _read_multipart, body_content_type_problem

log = logging.getLogger(__name__)


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


class HttpMixin:
    """The middleware every REST request passes through (mixed into DiscordEmulator)."""

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
