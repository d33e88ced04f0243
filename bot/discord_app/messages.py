"""Turn the renderer's plain dicts (bot/render/discord.py) into discord.py send/edit arguments."""

from __future__ import annotations

from typing import Any

import discord

from bot.engine.answer import TOO_LONG, Answer
from bot.lru import LRUCache
from bot.render.discord import render_answer

NO_MENTIONS = discord.AllowedMentions.none()


_VIEW_CACHE: dict[tuple, discord.ui.View] = {}
VIEW_CACHE_SIZE = 512


def components_view(rows: list[dict[str, Any]]) -> discord.ui.View | None:
    """A View that only carries the buttons' layout.

    It is stopped before sending so discord.py does not track it (no timeout task, nothing lost on restart):
    clicks are routed by custom_id to the DynamicItems the cogs register. Being inert, one View per layout
    is built once and reused.
    """
    if not rows:
        return None
    key = tuple(
        tuple(tuple(sorted((k, v) for k, v in c.items() if isinstance(v, (str, int, bool)))) for c in row.get("components", []))
        for row in rows
    )
    cached = _VIEW_CACHE.get(key)
    if cached is not None:
        return cached
    view = _build_view(rows)
    if len(_VIEW_CACHE) >= VIEW_CACHE_SIZE:
        _VIEW_CACHE.clear()
    _VIEW_CACHE[key] = view
    return view


def _build_view(rows: list[dict[str, Any]]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(rows):
        for component in row.get("components", []):
            if component.get("type") != 2:
                continue
            view.add_item(
                discord.ui.Button(
                    style=discord.ButtonStyle(component.get("style", 2)),
                    label=component.get("label"),
                    custom_id=None if component.get("url") else component.get("custom_id"),
                    url=component.get("url"),
                    disabled=bool(component.get("disabled", False)),
                    row=row_index,
                )
            )
    view.stop()
    return view


def send_kwargs(rendered: dict[str, Any], *, edit: bool = False) -> dict[str, Any]:
    """Keyword arguments for Messageable.send / InteractionResponse.send_message (or an edit, with edit=True)."""
    kwargs: dict[str, Any] = {
        "content": rendered.get("content") or None,
        "embeds": [discord.Embed.from_dict(embed) for embed in rendered.get("embeds") or []],
        "allowed_mentions": NO_MENTIONS,
    }
    view = components_view(rendered.get("components") or [])
    if view is not None:
        kwargs["view"] = view
    elif edit:
        kwargs["view"] = None  # an edit without buttons must remove the old ones
    return kwargs


def text_kwargs(text: str) -> dict[str, Any]:
    return {"content": text[:2000], "allowed_mentions": NO_MENTIONS}


class AnswerPayloads:
    """discord.py send arguments for each answer, built once.

    Answers are immutable and the engine hands out the same Answer object for a repeated question, so
    rendering it and building its Embed again for every repeat would be wasted work. Entries are keyed by the
    answer's identity and keep the answer alive, so an id cannot be reused while it is cached.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._items: LRUCache[int, tuple[Answer, dict[str, Any]]] = LRUCache(capacity)

    def __len__(self) -> int:
        return len(self._items)

    def kwargs(self, answer: Answer) -> dict[str, Any]:
        """Send arguments for this answer; callers must not modify them."""
        item = self._items.get(id(answer))
        if item is not None and item[0] is answer:
            return item[1]
        built = send_kwargs(render_answer(answer))
        if answer.reason == TOO_LONG:
            return built  # never keep 50,000-character questions around (the engine does not cache them either)
        self._items.put(id(answer), (answer, built))
        return built
