"""Every picture as plain data: boxes, text lines, arrows and marks in inches, measured from the top left.

No matplotlib here, so `kb check` can prove a ladder or series drawable cheaply, and tests can check the
geometry (no two text boxes overlap, nothing under 11 px at phone width) without looking at pixels.
draw.py only turns a Layout into a PNG.

Text is measured with a conservative average glyph width for DejaVu Sans (matplotlib's default font); the
draw tests hold the real rendered extents inside these boxes.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from datetime import date

from bot.engine.models import Entry, KnowledgeBase, Source
from bot.engine.series import Series, SeriesPoint

WIDTH = 5.0  # inches; with DPI this is an 800 px wide PNG
DPI = 160
PHONE_WIDTH_PX = 400  # the width Discord shows an image at on a phone
MIN_TEXT_PX = 11
MARGIN = 0.2
TITLE_PT, HEAD_PT, BODY_PT = 12.5, 11, 10  # BODY_PT is the smallest size used anywhere
LINE_SPACING = 1.3
CHAR_EM = {False: 0.58, True: 0.64}  # average glyph width / font size (regular, bold), on the generous side
ALT_TEXT_MAX = 1024  # Discord's limit for an attachment's description

# Okabe-Ito, distinguishable with every common colour-vision deficiency.
INK, MUTED, PAPER, PANEL = "#1a1a1a", "#4d4d4d", "#fbfbf8", "#ffffff"
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"

TIMELINE_START = date(2017, 1, 1)
TIMELINE_AREAS = {  # filter key -> (label, colour, marker shape)
    "us": ("UFLPA and Section 307", BLUE, "o"),
    "ilo": ("ILO", ORANGE, "s"),
    "un": ("UN", GREEN, "^"),
    "eu-other": ("EU and other jurisdictions", PURPLE, "D"),
}
_AREA_OF_ENTRY_AREA = {
    "uflpa": "us", "section-307": "us", "ilo-conventions": "ilo", "ilo-supervision": "ilo", "un": "un",
    "eu": "eu-other", "other-jurisdictions": "eu-other",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    size: float = BODY_PT
    bold: bool = False
    colour: str = INK
    align: str = "left"  # left | center | right (within the box)
    italic: bool = False


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    edge: str = INK
    fill: str = PANEL
    dashed: bool = False
    hatched: bool = False


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = MUTED
    head: bool = True


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    colour: str
    shape: str = "o"
    hollow: bool = False
    size: float = 7.0  # points


@dataclass(frozen=True)
class Layout:
    kind: str  # ladder | timeline | chart
    key: str  # ladder id, series id, or the timeline's area ("all" for every area)
    width: float
    height: float
    alt_text: str
    texts: tuple[Text, ...] = ()
    boxes: tuple[Box, ...] = ()
    arrows: tuple[Arrow, ...] = ()
    marks: tuple[Mark, ...] = ()
    paths: tuple[tuple[tuple[tuple[float, float], ...], str, bool], ...] = ()  # (points, colour, dashed)
    dpi: int = DPI
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.key}.png"

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width * self.dpi), round(self.height * self.dpi)


# -- text measurement ---------------------------------------------------------------------------------


def line_height(size: float) -> float:
    return size * LINE_SPACING / 72


def text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * CHAR_EM[bold] / 72


def wrap(text: str, size: float, width: float, *, bold: bool = False, max_lines: int = 0) -> tuple[str, ...]:
    """Lines that fit `width` inches; with max_lines, the last kept line ends in an ellipsis."""
    chars = max(8, int(width * 72 / (size * CHAR_EM[bold])))
    lines = textwrap.wrap(" ".join(text.split()), chars, break_long_words=True) or [""]
    if max_lines and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = kept[-1][: chars - 1].rstrip(" ,;:") + "…"
        lines = kept
    return tuple(lines)


def _text(x: float, y: float, w: float, text: str, size: float = BODY_PT, *, bold: bool = False,
          max_lines: int = 0, **style) -> Text:
    lines = wrap(text, size, w, bold=bold, max_lines=max_lines)
    return Text(x, y, w, len(lines) * line_height(size), lines, size, bold, **style)


def smallest_text_px(layout: Layout, shown_width_px: int = PHONE_WIDTH_PX) -> float:
    """The smallest text's height in screen pixels when the picture is shown `shown_width_px` wide."""
    scale = shown_width_px / (layout.width * layout.dpi)
    return min(t.size / 72 * layout.dpi * scale for t in layout.texts)


def _intersects(a: Text, b: Text, slack: float = 1e-6) -> bool:
    return a.x < b.x + b.w - slack and b.x < a.x + a.w - slack and a.y < b.y + b.h - slack and b.y < a.y + a.h - slack


def overlapping_texts(layout: Layout) -> list[tuple[Text, Text]]:
    texts = layout.texts
    return [(a, b) for i, a in enumerate(texts) for b in texts[i + 1:] if _intersects(a, b)]


def outside_canvas(layout: Layout) -> list[Text]:
    return [t for t in layout.texts if t.x < 0 or t.y < 0 or t.x + t.w > layout.width + 1e-6 or t.y + t.h > layout.height + 1e-6]


def _clip_alt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1].rstrip() + "…"


def day_label(day: date, label: str = "") -> str:
    """17 Jun 2022, or Jun 2022 when only the month is known."""
    if label and len(label) == 7:
        return f"{MONTHS[day.month - 1]} {day.year}"
    if label and len(label) == 4:
        return str(day.year)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# -- ladders ------------------------------------------------------------------------------------------

PAD = 0.08
ARROW_GAP = 0.26
BRANCH_GAP = 0.12


def _first_clause(text: str) -> str:
    return text.split(";")[0].strip()


def _step_reached(step) -> bool:
    # Only a curator's explicit `reached: false` marks a step unreached: a missing precedent is not evidence that
    # no case ever got there (thousands of UFLPA shipments have been excluded without one being cited here).
    return step.reached


def ladder_layout(ladder: Entry, sources: dict[str, Source], reviewed: date | None) -> Layout:
    """The steps top to bottom as boxes (title, who acts, time limit), arrows between them, branches side by side."""
    inner = WIDTH - 2 * MARGIN
    texts: list[Text] = []
    boxes: list[Box] = []
    arrows: list[Arrow] = []
    title = _text(MARGIN, MARGIN, inner, ladder.title, TITLE_PT, bold=True)
    texts.append(title)
    y = title.y + title.h + 0.14
    previous_bottoms: list[tuple[float, float]] = []  # (x, y) points the next arrow starts from
    unreached: list[str] = []
    for number, step in enumerate(ladder.steps, 1):
        top = y
        for x0, y0 in previous_bottoms:
            arrows.append(Arrow(x0, y0, MARGIN + inner / 2, top))
        reached = _step_reached(step)
        body_w = inner - 2 * PAD
        parts = [
            _text(MARGIN + PAD, y + PAD, body_w, f"{number}. {step.title}", HEAD_PT, bold=True, max_lines=2),
            _text(MARGIN + PAD, 0, body_w, f"Who acts: {_first_clause(step.who)}", max_lines=2),
            _text(MARGIN + PAD, 0, body_w, f"Time limit: {step.time_limits}", max_lines=3),
        ]
        if not reached:
            unreached.append(f"{number}. {step.title}")
            parts.append(_text(MARGIN + PAD, 0, body_w, "No case has reached this step yet", bold=True, colour=VERMILLION))
        cursor = y + PAD
        for part in parts:
            texts.append(Text(part.x, cursor, part.w, part.h, part.lines, part.size, part.bold, part.colour))
            cursor += part.h + 0.03
        height = cursor - 0.03 + PAD - y
        boxes.append(Box(MARGIN, y, inner, height, edge=VERMILLION if not reached else BLUE,
                         fill=PANEL, dashed=not reached))
        y += height
        previous_bottoms = [(MARGIN + inner / 2, y)]
        if step.branches:
            count = len(step.branches)
            width = (inner - (count - 1) * BRANCH_GAP) / count
            branch_texts = [_text(0, 0, width - 2 * PAD, branch, max_lines=4) for branch in step.branches]
            branch_h = max(t.h for t in branch_texts) + 2 * PAD
            branch_top = y + ARROW_GAP
            previous_bottoms = []
            for index, text in enumerate(branch_texts):
                x = MARGIN + index * (width + BRANCH_GAP)
                arrows.append(Arrow(MARGIN + inner / 2, y, x + width / 2, branch_top))
                boxes.append(Box(x, branch_top, width, branch_h, edge=SKY, fill=PANEL))
                texts.append(Text(x + PAD, branch_top + PAD, text.w, text.h, text.lines, text.size))
                previous_bottoms.append((x + width / 2, branch_top + branch_h))
            y = branch_top + branch_h
        y += ARROW_GAP
    labels = list(dict.fromkeys(sources[s.source_id].label for s in ladder.steps if s.source_id in sources))
    foot = [f"Sources: {'; '.join(labels)}."]
    if unreached:
        foot.append("Dashed red box: no case has reached this step yet.")
    foot.append(f"Knowledge base reviewed {day_label(reviewed) if reviewed else 'unknown'}. General information, not legal advice.")
    footer = _text(MARGIN, y - ARROW_GAP + 0.16, inner, " ".join(foot), colour=MUTED)
    texts.append(footer)
    height = footer.y + footer.h + MARGIN
    steps_alt = "; ".join(
        f"{n}. {s.title} (who: {_first_clause(s.who)}; time limit: {_first_clause(s.time_limits)})"
        + (f", branching into {' or '.join(s.branches)}" if s.branches else "")
        for n, s in enumerate(ladder.steps, 1)
    )
    alt = (f"Diagram of {len(ladder.steps)} steps, top to bottom: {steps_alt}. "
           + (f"No case has reached: {', '.join(unreached)}. " if unreached else "")
           + f"Sources: {'; '.join(labels)}.")
    return Layout("ladder", ladder.id, WIDTH, height, _clip_alt(alt), tuple(texts), tuple(boxes), tuple(arrows))


# -- timeline -----------------------------------------------------------------------------------------


def timeline_area(entry: Entry, kb: KnowledgeBase) -> str:
    """Which filter area a dated event belongs to: the areas of the entries it relates to, else where it is filed."""
    votes: dict[str, int] = {}
    for related in entry.related:
        target = kb.entries.get(related)
        area = _AREA_OF_ENTRY_AREA.get(target.area) if target else None
        if area:
            votes[area] = votes.get(area, 0) + 1
    if votes:
        return max(votes, key=lambda key: (votes[key], -list(TIMELINE_AREAS).index(key)))
    publishers = " ".join(kb.sources[e.source_id].publisher for e in entry.excerpts if e.source_id in kb.sources).casefold()
    for needle, area in (("labour organization", "ilo"), ("united nations", "un"), ("human rights", "un"),
                         ("u.s.", "us"), ("customs and border", "us")):
        if needle in publishers:
            return area
    return "us" if entry.file.startswith(("knowledge/us/", "us/")) else "eu-other"


def timeline_events(kb: KnowledgeBase, area: str | None = None) -> list[tuple[Entry, str]]:
    events = [(entry, timeline_area(entry, kb)) for entry in kb.timeline]
    return [(entry, key) for entry, key in events if area is None or key == area]


def _short_title(entry: Entry) -> str:
    head, _, rest = entry.title.partition(": ")
    return rest if rest and any(ch.isdigit() for ch in head) else entry.title


def _place(centres: list[float], height: float, gap: float, low: float, high: float) -> list[float]:
    """Label tops, in order and not overlapping, each as near its wanted centre as the space allows."""
    tops: list[float] = []
    for centre in centres:
        top = max(centre - height / 2, low)
        if tops:
            top = max(top, tops[-1] + height + gap)
        tops.append(top)
    for index in range(len(tops) - 1, -1, -1):
        limit = high - height if index == len(tops) - 1 else tops[index + 1] - height - gap
        tops[index] = min(tops[index], limit)
    return tops


def _cluster(ys: list[float], height: float, gap: float, low: float, high: float, max_shift: float) -> list[list[int]]:
    """Group neighbouring events until every group's label can sit within max_shift of its events."""
    groups = [[index] for index in range(len(ys))]
    while len(groups) > 1:
        centres = [sum(ys[i] for i in g) / len(g) for g in groups]
        tops = _place(centres, height, gap, low, high)
        fits = tops[0] >= low - 1e-9 and all(abs(t + height / 2 - c) <= max_shift for t, c in zip(tops, centres, strict=True))
        if fits:
            break
        distances = [centres[i + 1] - centres[i] for i in range(len(groups) - 1)]
        closest = distances.index(min(distances))
        groups[closest: closest + 2] = [groups[closest] + groups[closest + 1]]
    return groups


def timeline_layout(kb: KnowledgeBase, area: str | None, today: date) -> Layout:
    """Dated entries from 2017 to today on a vertical axis, coloured by area; crowded labels merge into groups."""
    events = timeline_events(kb, area)
    height = 7.6
    inner = WIDTH - 2 * MARGIN
    scope = TIMELINE_AREAS[area][0] if area else "all areas"
    texts = [_text(MARGIN, MARGIN, inner, f"Timeline {TIMELINE_START.year}–{today.year}: {scope}", TITLE_PT, bold=True)]
    marks: list[Mark] = []
    arrows: list[Arrow] = []
    # Legend: one mark and label per area shown, wrapping onto a second row when needed.
    x, y = MARGIN, texts[0].y + texts[0].h + 0.08
    for key, (label, colour, shape) in TIMELINE_AREAS.items():
        if area and key != area:
            continue
        width = text_width(label, BODY_PT) + 0.02
        if x + 0.2 + width > WIDTH - MARGIN:
            x, y = MARGIN, y + line_height(BODY_PT) + 0.04
        marks.append(Mark(x + 0.07, y + line_height(BODY_PT) / 2, colour, shape))
        texts.append(Text(x + 0.18, y, width, line_height(BODY_PT), (label,)))
        x += 0.18 + width + 0.18
    axis_top = y + line_height(BODY_PT) + 0.25
    footer = _text(MARGIN, 0, inner, f"Every event, with its date, is listed in the message. Knowledge base reviewed "
                   f"{day_label(kb.last_reviewed) if kb.last_reviewed else 'unknown'}.", colour=MUTED)
    axis_bottom = height - MARGIN - footer.h - 0.2
    texts.append(Text(footer.x, axis_bottom + 0.15, footer.w, footer.h, footer.lines, footer.size, colour=MUTED))
    axis_x = 0.78
    span = max(1, (today - TIMELINE_START).days)

    def y_of(day: date) -> float:
        return axis_top + (min(day, today) - TIMELINE_START).days / span * (axis_bottom - axis_top)

    arrows.append(Arrow(axis_x, axis_top, axis_x, axis_bottom, MUTED, head=False))
    for year in range(TIMELINE_START.year, today.year + 1):
        tick = y_of(date(year, 1, 1))
        arrows.append(Arrow(axis_x - 0.06, tick, axis_x, tick, MUTED, head=False))
        lh = line_height(BODY_PT)
        texts.append(Text(MARGIN - 0.05, tick - lh / 2, axis_x - 0.1 - (MARGIN - 0.05), lh, (str(year),), BODY_PT,
                          colour=MUTED, align="right"))
    label_x = axis_x + 0.22
    label_w = WIDTH - MARGIN - label_x
    lh = line_height(BODY_PT)
    ys = [y_of(entry.event_date) for entry, _ in events]
    groups = _cluster(ys, lh, 0.045, axis_top - lh / 2, axis_bottom + lh / 2, max_shift=0.32)
    centres = [sum(ys[i] for i in g) / len(g) for g in groups]
    tops = _place(centres, lh, 0.045, axis_top - lh / 2, axis_bottom + lh / 2)
    for (_entry, key), y_event in zip(events, ys, strict=True):
        _label, colour, shape = TIMELINE_AREAS[key]
        marks.append(Mark(axis_x, y_event, colour, shape, size=6.0))
    alt_parts = []
    for group, top in zip(groups, tops, strict=True):
        members = [events[i] for i in group]
        first, last = members[0][0], members[-1][0]
        if len(members) == 1:
            label = f"{day_label(first.event_date, first.event_label)}: {_short_title(first)}"
            alt_parts.append(label)
        else:
            start, end = day_label(first.event_date, "YYYY-MM"), day_label(last.event_date, "YYYY-MM")
            period = start if start == end else f"{start} – {end}"
            label = f"{period}: {len(members)} events"
            alt_parts.append(f"{period}, {len(members)} events ({'; '.join(_short_title(e) for e, _ in members)})")
        colours = {TIMELINE_AREAS[k][1] for _, k in members}
        texts.append(Text(label_x, top, label_w, lh, wrap(label, BODY_PT, label_w, max_lines=1), BODY_PT,
                          colour=INK if len(colours) > 1 else colours.pop()))
        for i in group:
            arrows.append(Arrow(axis_x + 0.05, ys[i], label_x - 0.04, top + lh / 2, "#9a9a9a", head=False))
    alt = (f"Timeline of {len(events)} dated events from {TIMELINE_START.year} to {today.year} ({scope}), oldest at "
           f"the top: " + "; ".join(alt_parts) + ".")
    return Layout("timeline", area or "all", WIDTH, height, _clip_alt(alt), tuple(texts), (), tuple(arrows), tuple(marks),
                  meta={"events": len(events), "labels": len(groups)})


# -- charts -------------------------------------------------------------------------------------------


def _nice_step(top: float, ticks: int = 5) -> float:
    raw = max(top, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def value_text(value: float, qualifier: str = "") -> str:
    number = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return {"more than": f">{number}", "about": f"~{number}"}.get(qualifier, number)


def _point_note(point: SeriesPoint, sources: dict[str, Source]) -> str:
    source = sources.get(point.source_id)
    period = f"{point.label}, as of " if point.label else ""
    where = point.pinpoint if not source or point.pinpoint.startswith(source.label) else f"{source.label}, {point.pinpoint}"
    reported = " (reported)" if point.reported else ""
    return f"{value_text(point.value, point.qualifier)}{reported}: {period}{day_label(point.date, point.date_label)}, {where}"


def chart_layout(series: Series, sources: dict[str, Source]) -> Layout:
    """A line (running totals) or bars (values per period) drawn from the series' points only, with a source note."""
    inner = WIDTH - 2 * MARGIN
    texts: list[Text] = []
    marks: list[Mark] = []
    boxes: list[Box] = []
    arrows: list[Arrow] = []
    paths = []
    title = _text(MARGIN, MARGIN, inner, series.title, TITLE_PT, bold=True)
    subtitle = _text(MARGIN, title.y + title.h + 0.03, inner,
                     f"{series.unit.capitalize()}, as of {day_label(series.points[-1].date, series.points[-1].date_label)}",
                     colour=MUTED)
    texts += [title, subtitle]
    lh = line_height(BODY_PT)
    plot_x0, plot_x1 = 0.78, WIDTH - 0.5
    plot_top = subtitle.y + subtitle.h + 0.35
    plot_bottom = plot_top + 2.3
    points = series.points
    top_value = max(p.value for p in points)
    step = _nice_step(top_value * 1.08)
    y_max = step * math.ceil(top_value * 1.08 / step)

    def y_of(value: float) -> float:
        return plot_bottom - value / y_max * (plot_bottom - plot_top)

    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_of(tick)
        arrows.append(Arrow(plot_x0, y, plot_x1, y, "#d9d9d9" if tick else MUTED, head=False))
        texts.append(Text(MARGIN - 0.1, y - lh / 2, plot_x0 - 0.08 - (MARGIN - 0.1), lh, (value_text(tick),), colour=MUTED,
                          align="right"))
        tick += step
    value_labels: list[Text] = []
    if series.kind == "per-period":
        slot = (plot_x1 - plot_x0) / len(points)
        for index, point in enumerate(points):
            x = plot_x0 + slot * index + slot * 0.2
            y = y_of(point.value)
            boxes.append(Box(x, y, slot * 0.6, plot_bottom - y, edge=BLUE, fill=PANEL if point.reported else BLUE,
                             hatched=point.reported))
            category = _text(plot_x0 + slot * index + 0.02, plot_bottom + 0.06, slot - 0.04, point.label or day_label(point.date),
                             max_lines=2, align="center")
            texts.append(category)
            label = value_text(point.value, point.qualifier)
            w = text_width(label, BODY_PT, True)
            value_labels.append(Text(x + slot * 0.3 - w / 2, y - lh - 0.04, w, lh, (label,), bold=True, align="center"))
        axis_bottom = max(t.y + t.h for t in texts if t.y > plot_bottom)
    else:
        first = date(points[0].date.year, 1, 1)
        last = date(points[-1].date.year + 1, 1, 1)
        span = (last - first).days

        def x_of(day: date) -> float:
            return plot_x0 + (day - first).days / span * (plot_x1 - plot_x0)

        for year in range(first.year, last.year + 1):
            x = x_of(date(year, 1, 1))
            arrows.append(Arrow(x, plot_bottom, x, plot_bottom + 0.05, MUTED, head=False))
            if year < last.year:  # the label sits between this January and the next
                centre = (x + x_of(date(year + 1, 1, 1))) / 2
                w = text_width(str(year), BODY_PT)
                texts.append(Text(centre - w / 2, plot_bottom + 0.07, w, lh, (str(year),), colour=MUTED, align="center"))
        axis_bottom = plot_bottom + 0.07 + lh
        xy = [(x_of(p.date), y_of(p.value)) for p in points]
        for index in range(1, len(points)):  # running totals hold their value until the next notice: a step line
            (x0, y0), (x1, y1) = xy[index - 1], xy[index]
            paths.append((((x0, y0), (x1, y0), (x1, y1)), BLUE, points[index].reported))
        for point, (x, y) in zip(points, xy, strict=True):
            marks.append(Mark(x, y, BLUE if not point.reported else VERMILLION, "o" if not point.reported else "D",
                              hollow=point.reported, size=7.0))
        # Value labels where the value changes, newest first, dropping any that would collide with one kept.
        candidates = [i for i in range(len(points)) if i == 0 or points[i].value != points[i - 1].value]
        for index in reversed(candidates):
            x, y = xy[index]
            label = value_text(points[index].value, points[index].qualifier)
            w = text_width(label, BODY_PT, True)
            box = Text(min(max(x - w / 2, plot_x0 - 0.05), WIDTH - MARGIN + 0.1 - w), y - lh - 0.07, w, lh, (label,),
                       bold=True, align="center")
            if all(not _intersects(box, kept, -0.04) for kept in value_labels):
                value_labels.append(box)
    texts += value_labels
    legend_y = axis_bottom + 0.12
    any_reported = any(p.reported for p in points)
    any_official = any(not p.reported for p in points)
    x = MARGIN
    for shown, hollow, label in ((any_official, False, "official figure"), (any_reported, True, "reported (secondary sources)")):
        if not shown:
            continue
        if series.kind == "per-period":
            boxes.append(Box(x, legend_y + 0.02, 0.14, lh - 0.04, edge=BLUE, fill=PANEL if hollow else BLUE, hatched=hollow))
        else:
            marks.append(Mark(x + 0.07, legend_y + lh / 2, VERMILLION if hollow else BLUE, "D" if hollow else "o", hollow=hollow))
        w = text_width(label, BODY_PT)
        texts.append(Text(x + 0.2, legend_y, w, lh, (label,)))
        x += 0.2 + w + 0.2
    y = legend_y + lh + 0.1
    notes = ["Each value, its as-of date and source:"] + [_point_note(p, sources) for p in points]
    if series.note:
        notes.append(series.note)
    for note in notes:
        text = _text(MARGIN, y, inner, note, colour=MUTED if note is not notes[0] else INK)
        texts.append(text)
        y += text.h + 0.02
    height = y + MARGIN
    described = "; ".join(_point_note(p, sources) for p in points)
    kind = "Bar chart" if series.kind == "per-period" else "Step chart"
    alt = f"{kind}: {series.title}. {described}. {series.note}"
    return Layout("chart", series.id, WIDTH, height, _clip_alt(alt), tuple(texts), tuple(boxes), tuple(arrows),
                  tuple(marks), tuple(paths))


# -- everything ---------------------------------------------------------------------------------------


def timeline_keys(kb: KnowledgeBase) -> list[str | None]:
    """None (every area) plus each area that has events."""
    present = {key for _, key in timeline_events(kb)}
    return [None] + [key for key in TIMELINE_AREAS if key in present]


def all_layouts(kb: KnowledgeBase, today: date) -> list[Layout]:
    """Every picture the knowledge base yields: each ladder, the timelines, each series."""
    layouts = [ladder_layout(ladder, kb.sources, kb.last_reviewed) for ladder in kb.ladders.values()]
    if kb.timeline:
        layouts += [timeline_layout(kb, key, today) for key in timeline_keys(kb)]
    layouts += [chart_layout(series, kb.sources) for series in kb.series.values()]
    return layouts


def layout_problems(layout: Layout) -> list[str]:
    """What makes a picture unreadable: overlapping text, text off the canvas, text too small on a phone."""
    problems = [f"text {a.lines[0]!r} overlaps {b.lines[0]!r}" for a, b in overlapping_texts(layout)]
    problems += [f"text {t.lines[0]!r} runs off the picture" for t in outside_canvas(layout)]
    smallest = smallest_text_px(layout)
    if smallest < MIN_TEXT_PX:
        problems.append(f"smallest text is {smallest:.1f} px at {PHONE_WIDTH_PX} px wide (< {MIN_TEXT_PX})")
    return problems
