"""Trends drawn offline: yearly totals of table 3 per level, as the geometry of an inline SVG line
chart (the template draws it; no script, no network).  Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from nianbao.core.report import APPLICATION_ROWS, OUTCOME_ROWS

# series: (name, label, the table-3 rows summed, colour)
SERIES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("new", "本年新收申请", ("new",), "#1f3a93"),
    ("granted", "予以公开", ("granted",), "#1e7b34"),
    ("partially", "部分公开", ("partially_granted",), "#6a8f00"),
    ("withheld", "不予公开", ("withheld.",), "#b03a2e"),
    ("unavailable", "无法提供", ("unavailable.",), "#7d3c98"),
    ("not_processed", "不予处理", ("not_processed.",), "#a04000"),
    ("other", "其他处理", ("other.",), "#5d6d7e"),
)
TREND_ROWS = (APPLICATION_ROWS[0], *OUTCOME_ROWS)  # new applications and every outcome row
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 300, 64, 150, 16, 36


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    label: str
    colour: str
    values: tuple[float, ...]
    points: str  # "x,y x,y …" for <polyline>
    dots: tuple[tuple[float, float, float], ...]  # (x, y, value)


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    years: tuple[int, ...]
    lines: tuple[Line, ...]
    x_ticks: tuple[tuple[float, int], ...]
    y_ticks: tuple[tuple[float, int], ...]
    reports: Mapping[int, int]  # reports summed per year
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT


@cache
def _series_of(row_key: str) -> str | None:
    for name, _, rows, _ in SERIES:
        if any(row_key == r or (r.endswith(".") and row_key.startswith(r)) for r in rows):
            return name
    return None


def contributions(cells: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, float]]:
    """Each report's sum per series, from (report_id, row_key, value) rows; a report none of whose
    cells counts is left out.  A report's cells never change, so the site keeps these from one
    build to the next and asks the database only about reports it has not seen."""
    out: dict[int, dict[str, float]] = {}
    for c in cells:
        series = _series_of(c["row_key"])
        if series is None or c["value"] is None:
            continue
        mine = out.setdefault(c["report_id"], {})
        mine[series] = mine.get(series, 0.0) + float(c["value"])
    return out


def totals(
    reports: Iterable[tuple[int, str, Mapping[str, float]]], level_of: Callable[[str], str]
) -> dict[str, dict[int, dict[str, float]]]:
    """{level: {year: {series: sum}}} from each current report's (year, agency, sums); also "all",
    and "_reports": the agencies that gave a number that year."""
    out: dict[str, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    agencies: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for year, agency, sums in reports:
        if not sums:
            continue
        for level in (level_of(agency), "all"):
            for series, value in sums.items():
                out[level][year][series] += value
            agencies[level][year].add(agency)
    for level, years in agencies.items():
        for year, names in years.items():
            out[level][year]["_reports"] = float(len(names))
    return {level: {y: dict(v) for y, v in years.items()} for level, years in out.items()}


def chart(title: str, by_year: Mapping[int, Mapping[str, float]]) -> Chart:
    years = tuple(sorted(by_year))
    top = max((v for y in years for k, v in by_year[y].items() if not k.startswith("_")), default=0.0)
    scale = _nice(top)
    span_x = max(len(years) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (i / span_x if len(years) > 1 else 0.5), 1)

    def y(value: float) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (value / scale if scale else 0), 1)

    lines = []
    for name, text, _, colour in SERIES:
        values = tuple(by_year[year].get(name, 0.0) for year in years)
        dots = tuple((x(i), y(v), v) for i, v in enumerate(values))
        lines.append(Line(name, text, colour, values, " ".join(f"{px},{py}" for px, py, _ in dots), dots))
    y_ticks = tuple((y(scale * k / 4), int(scale * k / 4)) for k in range(5))
    return Chart(
        title,
        years,
        tuple(lines),
        tuple((x(i), year) for i, year in enumerate(years)),
        y_ticks,
        {year: int(by_year[year].get("_reports", 0)) for year in years},
    )


def _nice(value: float) -> int:
    """The smallest 1-2-5 × 10^n at or above `value` (an axis that ends on a round number)."""
    if value <= 0:
        return 4
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return max(m * step, 4)
        step *= 10
