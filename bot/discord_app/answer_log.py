"""Which question each answer message was for, so replies, follow-ups and buttons can use it (in memory)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.lru import LRUCache


@dataclass(frozen=True)
class AnsweredQuestion:
    question: str
    entry_id: str


class AnswerLog:
    """A bounded LRU map: message id -> the question it answered. Lost on restart, which only costs context."""

    def __init__(self, capacity: int = 5000) -> None:
        self._items: LRUCache[int, AnsweredQuestion] = LRUCache(capacity)

    def remember(self, message_id: int | None, question: str, entry_id: str) -> None:
        if message_id is not None:
            self._items.put(message_id, AnsweredQuestion(question, entry_id))

    def get(self, message_id: int | None) -> AnsweredQuestion | None:
        if message_id is None:
            return None
        return self._items.get(message_id, refresh=False)
