"""Assertions on the payloads the bot sent, as the emulator recorded them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.discord_app.bot import HANDLER_TASK_PREFIXES
from bot.testing.discord_emulator import DiscordEmulator, RecordedRequest, message_problems

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


async def settle(emulator: DiscordEmulator, *, timeout: float = 10.0) -> None:
    """Wait until the bot has received and finished handling every event sent so far.

    A DM question from a fresh user is answered only after the events before it were parsed (the gateway is in
    order), so by then their handler tasks exist; then wait for those tasks to finish.
    """
    sentinel = emulator.add_member(f"sentinel{emulator.new_id()}")
    mark = emulator.mark()
    await emulator.post_message("What is a WRO?", user=sentinel, dm=True)
    dm_channel = emulator.dm_channel(sentinel)["id"]
    await emulator.wait_for_request(
        CHANNEL_MESSAGES, where=lambda r: r.params["channel_id"] == dm_channel, after=mark, timeout=timeout
    )
    current = asyncio.current_task()
    handlers = [
        task for task in asyncio.all_tasks()
        if task is not current and not task.done() and task.get_name().startswith(HANDLER_TASK_PREFIXES)
    ]
    if handlers:
        _, pending = await asyncio.wait(handlers, timeout=timeout)
        assert not pending, f"handlers still running after {timeout}s: {pending}"
