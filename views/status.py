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
from nianbao.core.languages import language
from nianbao.core.messages import N_, gettext_for

# (state, its name: a msgid of the catalogues), in the order of the legend, worst first
STATES: tuple[tuple[str, str], ...] = (
    ("missing", N_("missing")),
    ("late", N_("late")),
    ("inconsistent", N_("inconsistent")),
    ("unchecked", N_("could not be checked")),
    ("not_assessable", N_("not assessable (portal not read completely)")),
    ("on_time", N_("on time")),
    ("not_due", N_("not yet due")),
    ("none", N_("no report and no verdict")),
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
LEVELS = {"government": N_("government"), "department": N_("department"), "township": N_("township")}
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


def label(state: str, lang: str = "zh_CN") -> str:
    """A state's name in `lang`."""
    return gettext_for(lang)(next(name for key, name in STATES if key == state))


def states(lang: str) -> list[tuple[str, str]]:
    """The legend: (state, its name in `lang`)."""
    _ = gettext_for(lang)
    return [(key, _(name)) for key, name in STATES]


def levels(lang: str) -> dict[str, str]:
    _ = gettext_for(lang)
    return {key: _(name) for key, name in LEVELS.items()}


def grid(
    rows: Iterable[Mapping[str, Any]],
    agencies: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    deadlines: Deadlines,
    lang: str = "zh_CN",
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
            cell = _cell(by_key.get((name, year)), level, year, as_of, deadlines, lang)
            counts[cell.state] += 1
            cells.append(cell)
        grouped.setdefault((portal, level), []).append(
            AgencyRow(name, level, portal, f"agency/{slug('agency', name)}.html", tuple(cells))
        )
    groups = tuple(Group(portal, level, tuple(items)) for (portal, level), items in grouped.items())
    return Grid(tuple(years), groups, dict(counts))


def _cell(
    row: Mapping[str, Any] | None, level: str, year: int, as_of: date, deadlines: Deadlines, lang: str = "zh_CN"
) -> GridCell:
    _ = gettext_for(lang)
    due = deadline(level, year, deadlines)
    day = language(lang).date
    if row is None or row["status"] not in _FROM_VIEW:
        state = "not_due" if as_of <= due else "none"
        title = _("{year}: {state} (deadline {deadline})").format(
            year=year, state=label(state, lang), deadline=day(due.isoformat())
        )
        return GridCell(year, state, title)
    state = _FROM_VIEW[row["status"]]
    also = []
    if row.get("late") and state != "late":
        also.append(_("late"))
    if row.get("inconsistent") and state != "inconsistent":
        also.append(_("{n} inconsistent").format(n=row["inconsistent"]))
    if row.get("could_not_check") and state != "unchecked":
        also.append(_("could not be checked"))
    title = _("{year}: {state} (deadline {deadline})").format(
        year=year, state=label(state, lang), deadline=day(due.isoformat())
    )
    if row.get("published_at"):
        title += _(", published {date}").format(date=day(str(row["published_at"])[:10]))
    if also:
        title += _("; also {what}").format(what=language(lang).list_sep.join(also))
    return GridCell(year, state, title, row.get("report_id"))
