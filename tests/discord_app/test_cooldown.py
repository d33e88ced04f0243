"""The per-user cooldown: N questions in any 60 s, and at most one notice per user per window."""

from __future__ import annotations

from bot.discord_app.cooldown import WINDOW_SECONDS, QuestionCooldown


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_questions_past_the_limit_wait_for_the_oldest_to_expire() -> None:
    """The 4th question of 3 allowed waits until the first one leaves the window."""
    clock = FakeClock()
    cooldown = QuestionCooldown(clock=clock)
    assert all(cooldown.check(1, 3).allowed for _ in range(3))
    clock.now = 10.0
    verdict = cooldown.check(1, 3)
    assert not verdict.allowed and verdict.wait == WINDOW_SECONDS - 10.0


def test_only_the_first_refusal_in_a_window_notifies() -> None:
    """Of 200 refused questions in a burst, only the first says to notify the user."""
    cooldown = QuestionCooldown(clock=FakeClock())
    verdicts = [cooldown.check(1, 5) for _ in range(205)]
    refused = [v for v in verdicts if not v.allowed]
    assert len(refused) == 200 and [v.notify for v in refused].count(True) == 1 and refused[0].notify


def test_refusals_a_window_apart_notify_again() -> None:
    """A user refused again a full window after the last notice is told again."""
    clock = FakeClock()
    cooldown = QuestionCooldown(clock=clock)
    cooldown.check(1, 1)
    assert cooldown.check(1, 1).notify
    clock.now = WINDOW_SECONDS - 1
    assert not cooldown.check(1, 1).notify
    clock.now = WINDOW_SECONDS + 1
    assert cooldown.check(1, 1).allowed
    assert cooldown.check(1, 1).notify


def test_notices_are_per_user() -> None:
    """One user's notice does not silence another's."""
    cooldown = QuestionCooldown(clock=FakeClock())
    cooldown.check(1, 1)
    cooldown.check(2, 1)
    assert cooldown.check(1, 1).notify and cooldown.check(2, 1).notify


def test_zero_turns_the_cooldown_off() -> None:
    """per_minute 0 allows every question."""
    cooldown = QuestionCooldown(clock=FakeClock())
    assert all(cooldown.check(1, 0).allowed for _ in range(1000))
