"""Which question each answer message was for, so replies, follow-ups and buttons can use it (in memory)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class AnsweredQuestion:
    question: str
    entry_id: str


class AnswerLog:
    """A bounded LRU map: message id -> the question it answered. Lost on restart, which only costs context."""

    def __init__(self, capacity: int = 5000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[int, AnsweredQuestion] = OrderedDict()

    def remember(self, message_id: int | None, question: str, entry_id: str) -> None:
        if message_id is None:
            return
        self._items[message_id] = AnsweredQuestion(question, entry_id)
        self._items.move_to_end(message_id)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def get(self, message_id: int | None) -> AnsweredQuestion | None:
        if message_id is None:
            return None
        return self._items.get(message_id)
