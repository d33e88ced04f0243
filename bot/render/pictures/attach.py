"""Put a picture on a message: a real attachment (with alt text) shown inside the message's first embed."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import discord

from bot.render.pictures.cache import Picture, PictureCache


def picture_cache(bot: Any) -> PictureCache:
    """The bot's picture cache, made on first use (one per bot, so one drawing thread)."""
    cache = getattr(bot, "_picture_cache", None)
    if cache is None:
        cache = bot._picture_cache = PictureCache()
    return cache


def with_picture(kwargs: dict[str, Any], picture: Picture | None) -> dict[str, Any]:
    """New send arguments carrying the picture (the given ones may be cached and shared, so they are not changed)."""
    if picture is None:
        return kwargs
    embeds = [embed.copy() for embed in kwargs.get("embeds") or []]
    if embeds:
        embeds[0].set_image(url=f"attachment://{picture.filename}")
    file = discord.File(io.BytesIO(picture.png), filename=picture.filename, description=picture.alt_text)
    return {**kwargs, "embeds": embeds, "file": file}


DRAW_BUDGET = 1.5  # seconds a reply waits for a first drawing before acknowledging (Discord allows 3 s)


def start_attaching(bot: Any, kwargs: dict[str, Any], kind: str, key: str) -> asyncio.Future:
    """`attach` started now; the caller sends at once if it is done within DRAW_BUDGET, or defers first."""
    return asyncio.ensure_future(attach(bot, kwargs, kind, key))


async def done_in_time(drawing: asyncio.Future) -> bool:
    done, _ = await asyncio.wait({drawing}, timeout=DRAW_BUDGET)
    return bool(done)


async def attach(bot: Any, kwargs: dict[str, Any], kind: str, key: str) -> dict[str, Any]:
    """Send arguments with the picture when it can be drawn; otherwise the arguments unchanged."""
    return with_picture(kwargs, await picture_cache(bot).get(bot.engine.kb, kind, key))
