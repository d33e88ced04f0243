"""The emulator enforces Discord's global limit (50 requests/s per bot) and counts what it served."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.testing.discord_emulator import GLOBAL_RATE_LIMIT, DiscordEmulator, GlobalRateLimit


async def get_many(emulator: DiscordEmulator, path: str, count: int) -> list[tuple[int, dict, dict]]:
    """`count` authorised GETs sent at once; (status, headers, body) for each."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {emulator.token}"}) as session:

        async def one() -> tuple[int, dict, dict]:
            async with session.get(emulator.api_base + path) as response:
                return response.status, dict(response.headers), await response.json()

        return list(await asyncio.gather(*(one() for _ in range(count))))


async def test_request_past_fifty_in_a_second_gets_a_global_429(emulator: DiscordEmulator) -> None:
    """51 requests at once: 50 are served, the 51st gets Discord's global 429 body and headers."""
    answers = await get_many(emulator, "/users/@me", GLOBAL_RATE_LIMIT + 1)
    assert sorted(status for status, _, _ in answers) == [200] * GLOBAL_RATE_LIMIT + [429]
    _, headers, body = next(answer for answer in answers if answer[0] == 429)
    assert body["global"] is True and 0 < body["retry_after"] <= 1.0 and body["message"]
    assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
    assert int(headers["Retry-After"]) >= 1 and headers["Via"]
    assert emulator.global_limit.refused == 1 and emulator.global_limit.busiest_second() == GLOBAL_RATE_LIMIT


async def test_interaction_endpoints_are_not_counted(emulator: DiscordEmulator) -> None:
    """With the window full, an interaction callback and an interaction webhook are still handled, not 429'd."""
    await get_many(emulator, "/users/@me", GLOBAL_RATE_LIMIT)
    async with aiohttp.ClientSession() as session:
        url = f"{emulator.api_base}/interactions/1/token/callback"
        async with session.post(url, json={"type": 4, "data": {"content": "x"}}) as response:
            assert response.status == 404  # unknown interaction: handled, not rate limited
        url = f"{emulator.api_base}/webhooks/{emulator.application_id}/token/messages/1"
        async with session.get(url) as response:
            assert response.status != 429
    assert emulator.global_limit.refused == 0 and len(emulator.global_limit.served) == GLOBAL_RATE_LIMIT


def test_window_slides() -> None:
    """A request is refused while 50 were served in the last second, and admitted once the oldest is a second old."""
    limit = GlobalRateLimit()
    assert all(limit.admit(10.0 + n * 0.01) == 0 for n in range(50))  # 10.00 .. 10.49
    assert limit.admit(10.9) > 0
    assert limit.admit(11.0) == 0  # the request at 10.00 has left the window
    assert limit.refused == 1


def test_per_second_counts_what_was_served() -> None:
    """per_second() buckets served requests by whole seconds from the first; busiest_second() slides."""
    limit = GlobalRateLimit()
    for at in [0.0, 0.6, 0.7, 1.1, 1.5, 3.0]:
        limit.admit(at)
    assert limit.per_second() == [3, 2, 0, 1]
    assert limit.busiest_second() == 4  # 0.6, 0.7, 1.1, 1.5
