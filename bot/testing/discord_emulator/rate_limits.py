"""Discord's global rate limit (50 requests per second per bot, interaction endpoints exempt)."""

from __future__ import annotations

import math
from collections import deque

from aiohttp import web

from bot.testing.discord_emulator.protocol import _json_response
from bot.testing.discord_emulator.records import RecordedRequest

GLOBAL_RATE_LIMIT, GLOBAL_WINDOW_SECONDS = 50, 1.0  # requests per second per bot (topics/rate-limits#global-rate-limit)


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


class GlobalLimitMixin:
    """Applies the global limit to each recorded request (mixed into DiscordEmulator)."""

    def _over_global_limit(self, recorded: RecordedRequest) -> web.Response | None:
        if not GlobalRateLimit.counts(recorded.route, recorded.params, self.application_id):
            return None
        retry_after = self.global_limit.admit(recorded.time)
        return GlobalRateLimit.response(retry_after) if retry_after > 0 else None
