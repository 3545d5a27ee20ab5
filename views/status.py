"""The overview's grid: agencies (grouped by portal and level) × years, each cell one state.  Pure:
the stored status rows, the configured agencies and the date in; the grid out."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from checks.deadlines import deadline
from checks.levels import infer_level
from nianbao.core.config import Deadlines

# (state, English, Chinese): in the order of the legend, worst first
STATES: tuple[tuple[str, str, str], ...] = (
    ("missing", "missing", "未公开"),
    ("late", "late", "逾期公开"),
    ("inconsistent", "inconsistent", "数据不一致"),
    ("unchecked", "could not be checked", "无法核验"),
    ("not_assessable", "not assessable (portal not read completely)", "无法判断（网站未完整读取）"),
    ("on_time", "on time", "按时公开"),
    ("not_due", "not yet due", "未到期限"),
    ("none", "no report and no verdict", "无记录"),
)
# a sign per state, so that the grid does not speak by colour alone
SYMBOLS = {
    "missing": "缺",
    "late": "迟",
    "inconsistent": "✗",
    "unchecked": "?",
    "not_assessable": "⊘",
    "on_time": "✓",
    "not_due": "–",
    "none": "·",
}
LEVELS = {"government": "人民政府", "department": "部门", "township": "乡镇（街道）"}
_FROM_VIEW = {
    "missing": "missing",
    "late": "late",
    "inconsistent": "inconsistent",
    "could not be checked": "unchecked",
    "not assessable": "not_assessable",
    "on time": "on_time",
}


def slug(kind: str, name: str) -> str:
    """A file name for an agency's or portal's page: stable, ASCII, whatever the name holds."""
    return f"{kind}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class GridCell:
    year: int
    state: str
    title: str  # what a hover or a screen reader says
    report_id: int | None = None


@dataclass(frozen=True, slots=True)
class AgencyRow:
    name: str
    level: str
    portal: str
    page: str  # "agency/agency-….html"
    cells: tuple[GridCell, ...]


@dataclass(frozen=True, slots=True)
class Group:
    portal: str
    level: str
    agencies: tuple[AgencyRow, ...]


@dataclass(frozen=True, slots=True)
class Grid:
    years: tuple[int, ...]
    groups: tuple[Group, ...]
    counts: Mapping[str, int]

    @property
    def agency_count(self) -> int:
        return sum(len(g.agencies) for g in self.groups)

    @property
    def portals(self) -> list[str]:
        return sorted({g.portal for g in self.groups})

    @property
    def levels(self) -> list[str]:
        return sorted({g.level for g in self.groups})


def label(state: str) -> str:
    return next(f"{zh} / {en}" for key, en, zh in STATES if key == state)


def grid(
    rows: Iterable[Mapping[str, Any]],
    agencies: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    deadlines: Deadlines,
) -> Grid:
    """The grid of every agency that is configured or has a report or finding, over every year
    that has one."""
    by_key = {(r["agency"], r["year"]): r for r in rows}
    known = {a["name"]: (a.get("level") or infer_level(a["name"]), a.get("portal") or "") for a in agencies}
    for r in by_key.values():
        if r["agency"] not in known:
            known[r["agency"]] = (infer_level(r["agency"]), r.get("report_portal") or "")
    years = sorted({y for _, y in by_key})
    if not years:
        years = [as_of.year - 1]
    counts: Counter[str] = Counter()
    grouped: dict[tuple[str, str], list[AgencyRow]] = {}
    for name, (level, portal) in sorted(known.items(), key=lambda kv: (kv[1][1], kv[1][0], kv[0])):
        cells = []
        for year in years:
            cell = _cell(by_key.get((name, year)), level, year, as_of, deadlines)
            counts[cell.state] += 1
            cells.append(cell)
        grouped.setdefault((portal, level), []).append(
            AgencyRow(name, level, portal, f"agency/{slug('agency', name)}.html", tuple(cells))
        )
    groups = tuple(Group(portal, level, tuple(items)) for (portal, level), items in grouped.items())
    return Grid(tuple(years), groups, dict(counts))


def _cell(row: Mapping[str, Any] | None, level: str, year: int, as_of: date, deadlines: Deadlines) -> GridCell:
    due = deadline(level, year, deadlines)
    if row is None or row["status"] not in _FROM_VIEW:
        state = "not_due" if as_of <= due else "none"
        return GridCell(year, state, f"{year}: {label(state)} (deadline {due.isoformat()})")
    state = _FROM_VIEW[row["status"]]
    also = []
    if row.get("late") and state != "late":
        also.append("late")
    if row.get("inconsistent") and state != "inconsistent":
        also.append(f"{row['inconsistent']} inconsistent")
    if row.get("could_not_check") and state != "unchecked":
        also.append("could not be checked")
    published = f", published {str(row['published_at'])[:10]}" if row.get("published_at") else ""
    extra = f"; also {', '.join(also)}" if also else ""
    return GridCell(
        year, state, f"{year}: {label(state)}{published} (deadline {due.isoformat()}){extra}", row.get("report_id")
    )
