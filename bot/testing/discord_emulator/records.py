"""What the emulator records (requests, gateway frames, interactions) and the log tests wait on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiohttp import web

T = TypeVar("T")


class EmulatorTimeout(AssertionError):
    """Raised when an awaited request or frame does not arrive in time (an assertion failure in tests)."""


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
