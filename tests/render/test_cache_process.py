"""The picture cache draws in a worker process, so a drawing never holds the event loop's interpreter."""

import asyncio
import os
import time

import pytest

from bot.engine.loader import load_knowledge_base
from bot.render.pictures import cache as picture_cache
from bot.render.pictures.cache import PictureCache
from tests.conftest import ROOT


@pytest.fixture
def cache(monkeypatch):
    monkeypatch.setattr(PictureCache, "drawing_process", True)
    pictures = PictureCache()
    yield pictures
    pictures.close(wait=True)


def _pid_of_drawer(layout) -> bytes:
    return str(os.getpid()).encode()


async def test_pictures_are_drawn_in_another_process(cache, monkeypatch):
    """The PNG comes from a worker process, not from the bot's own."""
    monkeypatch.setattr(picture_cache, "render_png", _pid_of_drawer)
    kb = load_knowledge_base(ROOT / "knowledge")
    picture = await cache.get(kb, "ladder", next(iter(kb.ladders)))
    assert picture is not None and int(picture.png) != os.getpid()


async def test_event_loop_keeps_running_while_a_picture_is_drawn(cache):
    """While the worker draws (including its first import of matplotlib), the loop's ticks stay short."""
    kb = load_knowledge_base(ROOT / "knowledge")
    drawing = asyncio.ensure_future(cache.get(kb, "timeline", "all"))
    worst = 0.0
    while not drawing.done():
        started = time.perf_counter()
        await asyncio.sleep(0.005)
        worst = max(worst, time.perf_counter() - started - 0.005)
    picture = await drawing
    assert picture is not None and picture.png.startswith(b"\x89PNG")
    assert worst < 0.1
