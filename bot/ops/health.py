"""An aiohttp server inside the bot process: /healthz (alive), /readyz (ready to serve), /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

# Each check answers True when that part is ready; it may be sync or async and must be quick.
ReadinessCheck = Callable[[], bool | Awaitable[bool]]
# Details are shown in /readyz's body without deciding readiness (e.g. the last knowledge base reload):
# each returns something JSON can encode, quickly.
ReadinessDetail = Callable[[], object]


class HealthServer:
    def __init__(self, metrics: Metrics, checks: dict[str, ReadinessCheck], host: str = "127.0.0.1", port: int = 8080,
                 details: dict[str, ReadinessDetail] | None = None):
        self.metrics = metrics
        self.checks = checks
        self.details = details or {}
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None
        app = web.Application()
        app.add_routes([
            web.get("/healthz", self.healthz),
            web.get("/readyz", self.readyz),
            web.get("/metrics", self.metrics_view),
        ])
        self.app = app

    async def start(self) -> int:
        """Start listening; returns the bound port (useful with port 0)."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # aiohttp exposes no public accessor
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("health server listening on http://%s:%s", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        results: dict[str, bool] = {}
        for name, check in self.checks.items():
            try:
                outcome = check()
                if asyncio.iscoroutine(outcome) or isinstance(outcome, Awaitable):
                    outcome = await asyncio.wait_for(outcome, timeout=2)
                results[name] = bool(outcome)
            except Exception:  # a failing check means not ready, never a 500
                log.warning("readiness check %s failed", name, exc_info=True)
                results[name] = False
        ready = all(results.values())
        payload: dict[str, object] = {"ready": ready, "checks": results}
        for name, detail in self.details.items():
            try:
                payload[name] = detail()
            except Exception:  # a detail is informative only: never a 500, never a readiness change
                log.warning("readiness detail %s failed", name, exc_info=True)
                payload[name] = None
        body = json.dumps(payload, default=str) + "\n"
        return web.Response(text=body, status=200 if ready else 503, content_type="application/json")

    async def metrics_view(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
