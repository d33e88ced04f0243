"""`python -m bot render ...` and `bench --pictures`: draw pictures to files, check them, time them."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from bot.engine.models import KnowledgeBase
from bot.render.pictures import layout as layouts

SIZE_BUDGET = 1024 * 1024  # well under Discord's 10 MiB upload limit for bots


def layout_check(kb: KnowledgeBase, today: date | None = None) -> list[str]:
    """Why any ladder, timeline or series cannot be drawn readably (layout only: matplotlib is not imported)."""
    problems = []
    try:
        pictures = layouts.all_layouts(kb, today or date.today())
    except Exception as exc:  # bad data must be reported, not crash the check
        return [f"pictures: cannot lay out the knowledge base's pictures: {exc!r}"]
    for layout in pictures:
        problems += [f"picture {layout.filename}: {problem}" for problem in layouts.layout_problems(layout)]
    return problems


def _keys(kb: KnowledgeBase) -> list[tuple[str, str]]:
    timelines = ["all" if key is None else key for key in layouts.timeline_keys(kb)] if kb.timeline else []
    return ([("ladder", key) for key in kb.ladders] + [("timeline", key) for key in timelines]
            + [("chart", key) for key in kb.series])


def render(kb: KnowledgeBase, what: str, ident: str | None, area: str | None, out: Path) -> int:
    from bot.render.pictures.cache import PictureCache

    cache = PictureCache()
    if what == "all":
        out.mkdir(parents=True, exist_ok=True)
        wanted = _keys(kb)
    else:
        wanted = [(what, (area or "all") if what == "timeline" else ident or "")]
    for kind, key in wanted:
        picture = cache.draw(kb, kind, key)
        if picture is None:
            known = ", ".join(k for kd, k in _keys(kb) if kd == kind) or "none"
            print(f"render: no {kind} {key!r} in the knowledge base (known: {known})", file=sys.stderr)
            return 1
        target = out / picture.filename if what == "all" else out
        target.write_bytes(picture.png)
        print(f"{target}: {len(picture.png) / 1024:.0f} KiB")
        if len(picture.png) > SIZE_BUDGET:
            print(f"render: {target} is over the {SIZE_BUDGET // 1024} KiB budget", file=sys.stderr)
            return 1
    return 0


def bench(kb: KnowledgeBase) -> list[str]:
    """First draw of every picture once matplotlib is loaded and warm, then a cached fetch; printed figures."""
    from bot.render.pictures import draw
    from bot.render.pictures.cache import PictureCache

    started = time.perf_counter()
    draw.png(layouts.chart_layout(next(iter(kb.series.values())), kb.sources)) if kb.series else None
    warm_up = time.perf_counter() - started
    cache = PictureCache()
    lines = [f"matplotlib import and first warm-up draw: {warm_up * 1000:.0f} ms (not counted below)",
             f"{'picture':48} {'px':>10} {'KiB':>5} {'first draw':>11} {'cached':>9}"]
    for kind, key in _keys(kb):
        started = time.perf_counter()
        picture = cache.draw(kb, kind, key)
        first = time.perf_counter() - started
        runs = 1000
        started = time.perf_counter()
        for _ in range(runs):
            cache.cached(kb, kind, key)
        cached = (time.perf_counter() - started) / runs
        width = int.from_bytes(picture.png[16:20], "big")
        height = int.from_bytes(picture.png[20:24], "big")
        lines.append(f"{picture.filename:48} {f'{width}x{height}':>10} {len(picture.png) / 1024:5.0f} "
                     f"{first * 1000:8.0f} ms {cached * 1e6:6.1f} µs")
    for line in lines:
        print(line)
    return lines
