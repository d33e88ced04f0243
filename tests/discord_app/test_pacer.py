"""The global pacer: a token bucket under Discord's 50 requests/s, with interaction endpoints exempt."""

from __future__ import annotations

import pytest

from bot.discord_app.pacer import BURST, RATE_PER_SECOND, GlobalPacer

APPLICATION_ID = 1234


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sends_of_a_burst(pacer_clock: FakeClock, pacer: GlobalPacer, count: int) -> list[float]:
    """When each of `count` requests made at the same instant would be sent."""
    return [pacer_clock.now + pacer.delay() for _ in range(count)]


def most_in_any_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_burst_goes_out_at_once_then_spaced() -> None:
    """The first BURST requests of a burst are not delayed; the next ones wait one interval each."""
    clock = FakeClock()
    pacer = GlobalPacer(rate=40, burst=5, clock=clock)
    delays = [pacer.delay() for _ in range(7)]
    assert delays[:5] == [0.0] * 5
    assert delays[5:] == pytest.approx([0.025, 0.05])


def test_no_second_holds_more_than_burst_plus_rate() -> None:
    """A burst of 500 requests: no 1-second span holds more than BURST + RATE (45, under Discord's 50)."""
    clock = FakeClock()
    pacer = GlobalPacer(clock=clock)
    sent = sends_of_a_burst(clock, pacer, 500)
    assert most_in_any_second(sent) <= BURST + RATE_PER_SECOND < 50


def test_idle_pacer_lets_a_new_burst_through() -> None:
    """After a quiet second the bucket is full again."""
    clock = FakeClock()
    pacer = GlobalPacer(rate=40, burst=5, clock=clock)
    sends_of_a_burst(clock, pacer, 50)
    clock.now += 2.0
    assert [pacer.delay() for _ in range(5)] == [0.0] * 5


@pytest.mark.parametrize(
    ("url", "counted"),
    [
        ("/api/v10/channels/1/messages", True),
        ("/api/v10/users/@me", True),
        ("/api/v10/interactions/5/token/callback", False),
        (f"/api/v10/webhooks/{APPLICATION_ID}/token", False),
        (f"/api/v10/webhooks/{APPLICATION_ID}/token/messages/@original", False),
        ("/api/v10/webhooks/999/token", True),  # an ordinary webhook is not an interaction endpoint
        ("/gateway", False),
    ],
)
def test_interaction_endpoints_are_exempt(url: str, counted: bool) -> None:
    """Interaction callbacks and interaction-token webhooks are not paced (Discord exempts them); the rest is."""
    assert GlobalPacer(application_id=lambda: APPLICATION_ID).counts(url) is counted


async def test_wait_sleeps_for_the_reserved_delay() -> None:
    """wait() sleeps exactly as long as the reservation says, and counts paced requests."""
    clock = FakeClock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = GlobalPacer(rate=10, burst=1, clock=clock, sleep=sleep)
    await pacer.wait()
    await pacer.wait()
    assert slept == [pytest.approx(0.1)] and pacer.paced == 1
