"""Pictures drawn once per knowledge-base version, off the event loop.

The layout (plain data, a millisecond or two) is built on the event loop; the PNG is drawn in one worker process,
because matplotlib holds Python's global lock for the ~100 ms of a drawing and a thread would stall other users'
answers for that long. Concurrent requests for the same picture share one draw. The cache
belongs to one KnowledgeBase object: after a reload the next request draws afresh from the new data.
A failure to draw is logged and yields None, so the answer goes out without the picture.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from bot.engine.models import KnowledgeBase
from bot.render.pictures import layout as layouts

log = logging.getLogger(__name__)

KINDS = ("ladder", "timeline", "chart")


@dataclass(frozen=True)
class Picture:
    filename: str
    png: bytes
    alt_text: str


def render_png(layout: layouts.Layout) -> bytes:
    """The PNG for a layout (matplotlib is imported here, on first use only)."""
    from bot.render.pictures.draw import png

    return png(layout)


def build_layout(kb: KnowledgeBase, kind: str, key: str, today: date) -> layouts.Layout | None:
    """The layout for a ladder id, a series id or a timeline area ("all" for every area); None if there is none."""
    if kind == "ladder" and key in kb.ladders:
        return layouts.ladder_layout(kb.ladders[key], kb.sources, kb.last_reviewed)
    if kind == "chart" and key in kb.series:
        return layouts.chart_layout(kb.series[key], kb.sources)
    if kind == "timeline" and kb.timeline and (key == "all" or key in layouts.TIMELINE_AREAS):
        return layouts.timeline_layout(kb, None if key == "all" else key, today)
    return None


def chart_for_entry(kb: KnowledgeBase, entry_id: str) -> str | None:
    """The id of the first series that illustrates this entry."""
    return next((series.id for series in kb.series.values() if series.entry_id == entry_id), None)


class PictureCache:
    # False draws on a worker thread in this process instead (tests that replace render_png need that).
    drawing_process: ClassVar[bool] = True

    def __init__(self) -> None:
        self._kb: KnowledgeBase | None = None
        self._pictures: dict[tuple[str, str, date], Picture] = {}
        self._pending: dict[tuple[str, str, date], asyncio.Future] = {}
        self._lock = threading.Lock()
        self._executor: Executor | None = None

    def _bind(self, kb: KnowledgeBase) -> None:
        with self._lock:
            if self._kb is not kb:  # a reload: every picture is drawn again from the new data
                self._kb = kb
                self._pictures = {}

    def cached(self, kb: KnowledgeBase, kind: str, key: str, today: date | None = None) -> Picture | None:
        self._bind(kb)
        return self._pictures.get((kind, key, today or date.today()))

    def draw(self, kb: KnowledgeBase, kind: str, key: str, today: date | None = None) -> Picture | None:
        """Draw (or take from the cache) in this thread; raises if drawing fails. For the CLI and the worker."""
        today = today or date.today()
        picture = self.cached(kb, kind, key, today)
        if picture is not None:
            return picture
        layout = build_layout(kb, kind, key, today)
        if layout is None:
            return None
        picture = Picture(layout.filename, render_png(layout), layout.alt_text)
        with self._lock:
            if self._kb is kb:
                self._pictures[(kind, key, today)] = picture
        return picture

    async def get(self, kb: KnowledgeBase, kind: str, key: str) -> Picture | None:
        """The picture, drawn on the worker thread if not cached; None when there is none or drawing failed."""
        today = date.today()
        picture = self.cached(kb, kind, key, today)
        if picture is not None:
            return picture
        wanted = (kind, key, today)
        pending = self._pending.get(wanted)
        if pending is None:
            pending = asyncio.ensure_future(self._draw_off_loop(kb, kind, key, today))
            self._pending[wanted] = pending
            pending.add_done_callback(lambda _: self._pending.pop(wanted, None))
        try:
            return await asyncio.shield(pending)
        except Exception:
            log.exception("could not draw the %s picture %r; answering without it", kind, key)
            return None

    async def _draw_off_loop(self, kb: KnowledgeBase, kind: str, key: str, today: date) -> Picture | None:
        layout = build_layout(kb, kind, key, today)
        if layout is None:
            return None
        png = await asyncio.get_running_loop().run_in_executor(self._worker(), render_png, layout)
        picture = Picture(layout.filename, png, layout.alt_text)
        with self._lock:
            if self._kb is kb:
                self._pictures[(kind, key, today)] = picture
        return picture

    def _worker(self) -> Executor:
        if self._executor is None:
            if self.drawing_process:
                # spawn: a fresh interpreter that imports only the drawing code, never a fork of the running bot
                self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            else:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pictures")
        return self._executor

    def close(self, *, wait: bool = False) -> None:
        """Stop the drawing worker and cancel queued draws; wait=True blocks until a draw in progress ends."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=wait, cancel_futures=True)
