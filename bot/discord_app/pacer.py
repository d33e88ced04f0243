"""Keep the bot's REST requests under Discord's global rate limit (50 requests per second per bot).

discord.py honours per-route buckets from response headers, but for the global limit it only reacts to a 429
after the fact. This pacer spaces requests out before they are sent. It hooks aiohttp's request-start trace
signal, which aiohttp awaits before it opens the connection, so retries discord.py makes are paced as well.

Interaction endpoints (the initial response, and the follow-up and @original webhook routes an interaction
token opens) are not bound to the global limit in Discord's docs (topics/rate-limits#global-rate-limit), so they
are never delayed: an answer to /ask must arrive within 3 seconds even while the bot is busy elsewhere.

The limit is per bot token. Several processes sharing one token each pace themselves only.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp

# A token bucket: never more than BURST + RATE * t requests in any t seconds. 5 + 40 = 45 in any second leaves
# room under Discord's 50 for requests arriving closer together than they were sent (network jitter).
RATE_PER_SECOND = 40.0
BURST = 5

_API_PATH = re.compile(r"/api/v\d+(/.*)$")
_WEBHOOK_PATH = re.compile(r"/webhooks/(\d+)/")


class GlobalPacer:
    def __init__(
        self,
        *,
        rate: float = RATE_PER_SECOND,
        burst: int = BURST,
        application_id: Callable[[], int | None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._application_id = application_id
        self._clock = clock
        self._sleep = sleep
        self._next_due = 0.0  # GCRA's theoretical arrival time of the next request
        self.paced = 0  # requests that had to wait (for metrics and tests)

    def delay(self) -> float:
        """Reserve the next slot; the seconds to wait before sending. Reservations are served in call order."""
        now = self._clock()
        due = max(self._next_due, now)
        self._next_due = due + self._interval
        wait = due - self._tolerance - now
        return wait if wait > 1e-9 else 0.0  # float rounding must not count as waiting

    async def wait(self) -> None:
        delay = self.delay()
        if delay > 0:
            self.paced += 1
            await self._sleep(delay)

    def counts(self, url: str) -> bool:
        """Whether a request to this URL counts against the bot's global limit."""
        api = _API_PATH.search(url)
        if api is None:
            return False  # the gateway websocket, the CDN
        path = api.group(1)
        if path.startswith("/interactions/"):
            return False
        webhook = _WEBHOOK_PATH.match(path)
        return webhook is None or int(webhook.group(1)) != self._application_id()

    async def _on_request_start(
        self, session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestStartParams
    ) -> None:
        if self.counts(params.url.path):
            await self.wait()

    def trace_config(self) -> aiohttp.TraceConfig:
        """A TraceConfig for discord.py's `http_trace` option: every request to the API waits its turn."""
        config = aiohttp.TraceConfig()
        config.on_request_start.append(self._on_request_start)
        return config
