"""Recording and waiting: marks, waiting for requests, frames, callbacks and follow-ups."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bot.testing.discord_emulator.gateway import GatewayConnection
from bot.testing.discord_emulator.protocol import RETRIED_STATUSES
from bot.testing.discord_emulator.records import EmulatorTimeout, GatewayFrame, RecordedRequest, SentInteraction


class RecordingMixin:
    """Looks up and waits on what the bot sent (mixed into DiscordEmulator)."""

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
