"""Per-user question cooldown: at most N questions in any 60 seconds (a sliding window).

A user who is cooling down is told so at most once per window: a burst of 200 questions must not become a
burst of 200 notices from the bot.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0
USERS_TRACKED_BEFORE_PRUNING = 10_000


@dataclass(frozen=True)
class Verdict:
    wait: float  # 0 when the question may go ahead (and it has been counted)
    notify: bool = False  # refused, and the user has not been told in this window yet

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


ALLOWED = Verdict(0.0)


class QuestionCooldown:
    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = WINDOW_SECONDS) -> None:
        self._clock = clock
        self._window = window
        self._asked: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}  # user id -> when they were last told to wait

    def check(self, user_id: int, per_minute: int) -> Verdict:
        """Count the question and allow it, or refuse it (not counted), saying whether to tell the user."""
        if per_minute <= 0:
            return ALLOWED  # 0 turns the cooldown off
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= self._window:
            asked.popleft()
        if len(asked) >= per_minute:
            told = self._told.get(user_id)
            notify = told is None or now - told >= self._window
            if notify:
                self._told[user_id] = now
            return Verdict(self._window - (now - asked[0]), notify)
        asked.append(now)
        if len(self._asked) > USERS_TRACKED_BEFORE_PRUNING:
            self._forget_idle(now)
        return ALLOWED

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, asked in self._asked.items() if not asked or now - asked[-1] >= self._window]:
            del self._asked[user_id]
        for user_id in [u for u, told in self._told.items() if now - told >= self._window]:
            del self._told[user_id]
