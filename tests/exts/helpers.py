"""Assertions on the payloads the bot sent, as the emulator recorded them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.testing.discord_emulator import RecordedRequest, message_problems

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
CHANNEL_MESSAGES = "POST /channels/{channel_id}/messages"
EPHEMERAL = 64


def message_body(request: RecordedRequest) -> dict[str, Any]:
    """The message part of a callback (its data) or of a channel/webhook message request."""
    body = request.json or {}
    return body.get("data", {}) if request.route == CALLBACK else body


def assert_safe_message(body: dict[str, Any]) -> None:
    """Within Discord's limits, and with allowed_mentions present and pinging nobody."""
    assert message_problems(body) == []
    allowed = body.get("allowed_mentions")
    assert allowed is not None and allowed["parse"] == [], allowed
    assert not allowed.get("users") and not allowed.get("roles") and not allowed.get("replied_user"), allowed


def button_labels(body: dict[str, Any]) -> list[str]:
    return [c["label"] for row in body.get("components") or [] for c in row["components"]]


def is_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("flags") or 0) & EPHEMERAL)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 2.0) -> None:
    """Wait until an async check holds (the bot writes to its database after it has replied)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.005)
