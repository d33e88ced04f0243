"""Pictures drawn once per knowledge-base version, off the event loop.

Drawing runs on one worker thread (matplotlib is not safe to drive from several threads at once), so a first
draw never holds up other users' answers; concurrent requests for the same picture share one draw. The cache
belongs to one KnowledgeBase object: after a reload the next request draws afresh from the new data.
A failure to draw is logged and yields None, so the answer goes out without the picture.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

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
    def __init__(self) -> None:
        self._kb: KnowledgeBase | None = None
        self._pictures: dict[tuple[str, str, date], Picture] = {}
        self._pending: dict[tuple[str, str, date], asyncio.Future] = {}
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

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
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pictures")
            pending = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(
                self._executor, self.draw, kb, kind, key, today))
            self._pending[wanted] = pending
            pending.add_done_callback(lambda _: self._pending.pop(wanted, None))
        try:
            return await asyncio.shield(pending)
        except Exception:
            log.exception("could not draw the %s picture %r; answering without it", kind, key)
            return None

    def close(self, *, wait: bool = False) -> None:
        """Stop the drawing thread and cancel queued draws; wait=True blocks until a draw in progress ends."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=wait, cancel_futures=True)
