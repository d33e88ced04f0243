"""Pictures: every layout of the shipped knowledge base is readable, and the drawn PNGs match their layouts."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.engine.loader import load_knowledge_base
from bot.render.pictures import layout as layouts
from bot.render.pictures.cache import PictureCache, chart_for_entry
from bot.render.pictures.commands import SIZE_BUDGET, layout_check

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(ROOT / "knowledge")


@pytest.fixture(scope="module")
def all_layouts(kb):
    return layouts.all_layouts(kb, TODAY)


def test_all_layouts_cover_every_ladder_series_and_timeline_area(kb, all_layouts) -> None:
    """`all` yields each ladder, each series, and a timeline for all areas plus each area with events."""
    names = {layout.filename for layout in all_layouts}
    assert {f"ladder-{key}.png" for key in kb.ladders} <= names
    assert {f"chart-{key}.png" for key in kb.series} <= names
    assert {"timeline-all.png", "timeline-us.png", "timeline-ilo.png", "timeline-un.png", "timeline-eu-other.png"} <= names


def test_no_two_text_boxes_overlap_in_any_picture(all_layouts) -> None:
    """Every text box of every picture is clear of every other one."""
    assert {layout.filename: layouts.overlapping_texts(layout) for layout in all_layouts if layouts.overlapping_texts(layout)} == {}


def test_text_is_at_least_11_px_at_phone_width(all_layouts) -> None:
    """Shown 400 px wide, the smallest text of every picture is 11 px or more."""
    assert min(layouts.smallest_text_px(layout, 400) for layout in all_layouts) >= 11


def test_kb_check_layout_reports_nothing_for_the_shipped_kb(kb) -> None:
    """The cheap `kb check` pass finds every shipped picture drawable."""
    assert layout_check(kb, TODAY) == []


def test_layout_check_reports_an_unreadable_picture(kb) -> None:
    """A ladder whose layout breaks a rule (here: text too small) is reported by name."""
    ladder = next(iter(kb.ladders.values()))
    layout = layouts.ladder_layout(ladder, kb.sources, kb.last_reviewed)
    shrunk = layouts.Layout(layout.kind, layout.key, layout.width * 2, layout.height, layout.alt_text, layout.texts)
    assert any("px at 400 px wide" in problem for problem in layouts.layout_problems(shrunk))


def test_only_steps_marked_unreached_are_drawn_so_and_branches_are_drawn(kb) -> None:
    """Only `reached: false` steps are marked unreached (the ICJ step); the detention ladder draws its branches."""
    detention = layouts.ladder_layout(kb.ladders["ladder-uflpa-detention"], kb.sources, kb.last_reviewed)
    lines = [line for text in detention.texts for line in text.lines]
    assert "No case has reached this step yet" not in lines and not any(box.dashed for box in detention.boxes)
    assert any(line.startswith("Applicability review") for line in lines)
    assert any(line.startswith("Exception request") for line in lines)
    ilo = layouts.ladder_layout(kb.ladders["ladder-ilo-supervision"], kb.sources, kb.last_reviewed)
    unreached = [step.title for step in kb.ladders["ladder-ilo-supervision"].steps if not step.reached]
    assert unreached and sum(box.dashed for box in ilo.boxes) == len(unreached)


def test_ladder_footer_names_sources_and_review_date(kb) -> None:
    """The foot of a ladder names its sources and the knowledge base's review date."""
    layout = layouts.ladder_layout(kb.ladders["ladder-ilo-supervision"], kb.sources, kb.last_reviewed)
    footer = " ".join(layout.texts[-1].lines)
    reviewed = f"reviewed {kb.last_reviewed.day} {kb.last_reviewed:%b %Y}"
    assert "ILO Constitution" in footer and reviewed in footer


def test_timeline_area_filter_keeps_only_that_area(kb) -> None:
    """The ILO timeline shows ILO events only, and every event falls in exactly one area."""
    every = layouts.timeline_events(kb)
    ilo = layouts.timeline_events(kb, "ilo")
    assert ilo and all(key == "ilo" for _, key in ilo)
    assert sum(len(layouts.timeline_events(kb, key)) for key in layouts.TIMELINE_AREAS) == len(every) == len(kb.timeline)


def test_crowded_timeline_clusters_labels_but_keeps_every_event_mark(kb) -> None:
    """With every area, labels merge into groups, yet there is one mark per event (plus the legend's)."""
    layout = layouts.timeline_layout(kb, None, TODAY)
    assert layout.meta["labels"] < layout.meta["events"] == len(kb.timeline)
    assert len(layout.marks) == len(kb.timeline) + len(layouts.TIMELINE_AREAS)


def test_chart_note_traces_every_point_to_its_source_and_date(kb) -> None:
    """Each Entity List value appears in the note with its date, and the reported 187 says 'reported'."""
    series = kb.series["uflpa-entity-list-total"]
    layout = layouts.chart_layout(series, kb.sources)
    note = " ".join(" ".join(t.lines) for t in layout.texts)
    for point in series.points:
        assert f"{layouts.value_text(point.value)}" in note and layouts.day_label(point.date, point.date_label) in note
    assert "187 (reported): 3 Aug 2026" in note
    assert "FR Doc. 2023-21131" in note and "FR Doc. 2024-25423" in note


def test_reported_points_are_hollow_and_official_ones_filled(kb) -> None:
    """Reported values are drawn hollow; official values filled (legend marks excluded)."""
    series = kb.series["uflpa-entity-list-total"]
    layout = layouts.chart_layout(series, kb.sources)
    point_marks = layout.marks[: len(series.points)]
    assert [mark.hollow for mark in point_marks] == [point.reported for point in series.points]


def test_answer_entries_map_to_their_chart(kb) -> None:
    """The Entity List growth entry is illustrated by the Entity List series."""
    assert chart_for_entry(kb, "uflpa-entity-list-growth") == "uflpa-entity-list-total"
    assert chart_for_entry(kb, "glossary-wro") is None


def test_alt_text_says_what_the_picture_says_within_discords_limit(all_layouts) -> None:
    """Every picture has alt text under 1,024 characters that names its first element."""
    for layout in all_layouts:
        assert 40 < len(layout.alt_text) <= layouts.ALT_TEXT_MAX
    ladder = next(layout for layout in all_layouts if layout.key == "ladder-uflpa-detention")
    assert "Presentation and examination" in ladder.alt_text


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_picture_draws_a_valid_png_within_budget(kb) -> None:
    """Drawn, each picture is a PNG of its layout's pixel size and well under the size budget."""
    cache = PictureCache()
    for layout in layouts.all_layouts(kb, TODAY):
        picture = cache.draw(kb, layout.kind, layout.key, TODAY)
        width, height = _png_size(picture.png)
        assert width == layout.pixels[0] and abs(height - layout.pixels[1]) <= 1  # Agg rounds the height down
        assert len(picture.png) < SIZE_BUDGET


def test_drawn_text_stays_inside_its_layout_box(kb) -> None:
    """The real rendered glyph extents fit the boxes the layout measured (so no-overlap holds in pixels too)."""
    from bot.render.pictures.draw import figure

    for layout in layouts.all_layouts(kb, TODAY):
        fig, drawn = figure(layout)
        renderer = fig.canvas.get_renderer()
        for text, artists in drawn:
            for artist in artists:
                box = artist.get_window_extent(renderer)
                left, right = box.x0 / layout.dpi, box.x1 / layout.dpi
                top = layout.height - box.y1 / layout.dpi
                bottom = layout.height - box.y0 / layout.dpi
                tolerance = 0.03
                assert text.x - tolerance <= left and right <= text.x + text.w + tolerance, (layout.filename, artist.get_text())
                assert text.y - tolerance <= top and bottom <= text.y + text.h + tolerance, (layout.filename, artist.get_text())


def test_cache_serves_the_same_picture_until_the_kb_changes(kb) -> None:
    """A second request is the cached object; a reloaded knowledge base draws afresh."""
    cache = PictureCache()
    first = cache.draw(kb, "chart", "uflpa-high-priority-sectors-count", TODAY)
    assert cache.draw(kb, "chart", "uflpa-high-priority-sectors-count", TODAY) is first
    reloaded = load_knowledge_base(ROOT / "knowledge")
    assert cache.cached(reloaded, "chart", "uflpa-high-priority-sectors-count", TODAY) is None
    assert cache.draw(reloaded, "chart", "uflpa-high-priority-sectors-count", TODAY) is not first


def test_chart_follows_the_data(tmp_path: Path, kb) -> None:
    """Change a value in series.yaml and the chart (drawn from the data) changes with it."""
    import shutil

    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    path = copy / "series.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 12,", "value: 13,"), encoding="utf-8")
    changed = load_knowledge_base(copy)
    before = layouts.chart_layout(kb.series["uflpa-high-priority-sectors-count"], kb.sources)
    after = layouts.chart_layout(changed.series["uflpa-high-priority-sectors-count"], changed.sources)
    labels_before = {t.lines for t in before.texts if t.bold}
    labels_after = {t.lines for t in after.texts if t.bold}
    assert ("12",) in labels_before and ("13",) not in labels_before
    assert ("13",) in labels_after and ("12",) not in labels_after


def _imports_after(argv: list[str]) -> str:
    code = (f"import sys; from bot.cli import main; main({argv!r}); "
            "print('MPL=' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))[:200])")
    env = {**os.environ, "KB_DIR": str(ROOT / "knowledge")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].removeprefix("MPL=")


def test_ask_and_kb_check_never_import_matplotlib() -> None:
    """`ask` and the layout-only `kb check` leave matplotlib unloaded."""
    assert _imports_after(["ask", "how many high priority sectors are there now"]) == ""
    assert _imports_after(["kb", "check"]) == ""


def test_bot_start_up_modules_do_not_import_matplotlib() -> None:
    """Importing the bot and every cog (start-up) does not load matplotlib."""
    code = ("import sys, bot.discord_app.bot, bot.exts.ask.ask, bot.exts.escalation.ladders, bot.exts.explain.lookup, "
            "bot.exts.explainers.explainers; assert 'matplotlib' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
