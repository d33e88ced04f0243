"""Series: dated values the knowledge base holds (the Entity List total over time, high-priority sectors...).

A chart is drawn from these values only, so every point names its source, pinpoint and "as of" date, and says
whether the figure is official or only reported. The format is documented in knowledge/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SERIES_KEYS = {"id", "title", "entry", "unit", "kind", "note", "points"}
SERIES_REQUIRED = ("id", "title", "entry", "unit", "points")
POINT_KEYS = {"date", "value", "source", "pinpoint", "status", "label", "qualifier"}
POINT_REQUIRED = ("date", "value", "source", "pinpoint", "status")
STATUSES = ("official", "reported")
KINDS = ("total", "per-period")  # a running total drawn as a line; values per period drawn as bars
QUALIFIERS = ("more than", "about")


@dataclass(frozen=True)
class SeriesPoint:
    date: date
    date_label: str  # as written: a day, or a month when no day is known
    value: float
    source_id: str
    pinpoint: str
    status: str  # official | reported
    label: str = ""  # the period a per-period value covers ("FY2024"); the date is its "as of"
    qualifier: str = ""  # "more than" / "about" when the source gives a bound or an estimate
    line: int = 0

    @property
    def reported(self) -> bool:
        return self.status == "reported"


@dataclass(frozen=True)
class Series:
    id: str
    title: str
    entry_id: str  # the entry this chart illustrates
    unit: str
    points: tuple[SeriesPoint, ...]
    kind: str = "total"
    note: str = ""  # a caveat shown under the chart (e.g. a change in how the figure is counted)
    file: str = ""
    line: int = 0

    @property
    def as_of(self) -> date:
        return max(point.date for point in self.points)


def read_series(validator, item, file: str) -> Series | None:
    """Validate one `series:` item with the loader's helpers; problems go to the validator (file:line, id)."""
    ident = item.get("id")
    if not isinstance(ident, str) or not ident.strip():
        validator.problem(file, item.line, "", "series without an 'id'")
        return None
    validator.unknown_keys(item, SERIES_KEYS, file, ident, "series")
    values = {key: validator.text(item, key, file, ident) for key in ("title", "entry", "unit")}
    kind = validator.text(item, "kind", file, ident, required=False) or "total"
    if kind not in KINDS:
        validator.problem(file, item.key_lines["kind"], ident, f"series kind '{kind}' is not one of {', '.join(KINDS)}")
    if values["entry"]:
        validator._related_refs.append((file, item.key_lines["entry"], f"series {ident}", values["entry"]))
    raw = item.get("points")
    points: list[SeriesPoint] = []
    if not isinstance(raw, list) or not raw:
        validator.problem(file, item.key_lines.get("points", item.line), ident, "'points' must be a non-empty list")
    else:
        points = [p for p in (_point(validator, x, file, ident) for x in raw) if p]
    dates = [p.date for p in points]
    if dates != sorted(dates):
        validator.problem(file, item.key_lines.get("points", item.line), ident, "points must be in date order, oldest first")
    if not points:
        return None
    return Series(ident, values["title"], values["entry"], values["unit"], tuple(points), kind=kind,
                  note=validator.text(item, "note", file, ident, required=False), file=file, line=item.line)


def _point(validator, item, file: str, ident: str) -> SeriesPoint | None:
    if not hasattr(item, "key_lines"):
        validator.problem(file, 0, ident, "each point must be a mapping with date, value, source, pinpoint, status")
        return None
    validator.unknown_keys(item, POINT_KEYS, file, ident, "point")
    day, label = validator.partial_day(item, "date", file, ident)
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        line = item.key_lines.get("value", item.line)
        validator.problem(file, line, ident, f"point 'value' must be a number >= 0, got {value!r}")
        value = None
    status = validator.text(item, "status", file, ident)
    if status and status not in STATUSES:
        validator.problem(file, item.key_lines["status"], ident, f"point status '{status}' is not one of {', '.join(STATUSES)}")
    qualifier = validator.text(item, "qualifier", file, ident, required=False)
    if qualifier and qualifier not in QUALIFIERS:
        choices = ", ".join(QUALIFIERS)
        validator.problem(file, item.key_lines["qualifier"], ident, f"qualifier '{qualifier}' is not one of {choices}")
    source_id = validator.text(item, "source", file, ident)
    if source_id:
        validator._source_refs.append((file, item.key_lines["source"], ident, source_id))
    pinpoint = validator.text(item, "pinpoint", file, ident)
    if day is None or value is None or status not in STATUSES:
        return None
    return SeriesPoint(day, label, float(value), source_id, pinpoint, status,
                       label=validator.text(item, "label", file, ident, required=False), qualifier=qualifier, line=item.line)
