"""Injected faults: the next requests to a route answer 429 (with Discord's headers) or 5xx."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from bot.testing.discord_emulator.protocol import _json_response


@dataclass
class Fault:
    route: str
    status: int
    remaining: int
    retry_after: float
    is_global: bool
    scope: str


class FaultsMixin:
    """fail_next() and the answers it injects (mixed into DiscordEmulator)."""

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
