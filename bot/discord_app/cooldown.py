"""Per-user question cooldown: at most N questions in any 60 seconds (a sliding window)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class QuestionCooldown:
    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = WINDOW_SECONDS) -> None:
        self._clock = clock
        self._window = window
        self._asked: dict[int, deque[float]] = {}

    def retry_after(self, user_id: int, per_minute: int) -> float:
        """0 and the question is counted, or the seconds to wait (the question is not counted)."""
        if per_minute <= 0:
            return 0.0  # 0 turns the cooldown off
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= self._window:
            asked.popleft()
        if len(asked) >= per_minute:
            return self._window - (now - asked[0])
        asked.append(now)
        if len(self._asked) > 10_000:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, asked in self._asked.items() if not asked or now - asked[-1] >= self._window]:
            del self._asked[user_id]
