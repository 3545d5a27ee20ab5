"""The overview's data: the grid cut into compact files per portal (per level where a portal holds
hundreds of agencies), which the overview page loads as scripts and filters in the browser.

A province's grid drawn as one HTML table was 17.7 MB: more than a browser lays out comfortably,
and rewritten whole whenever one cell changed.  Per portal, a day's changes rewrite a few small
files, and the page itself only draws the rows a reader asked for.  The files are scripts that
hand their data to `nianbaoGrid` (static/site.js), because a page opened from disk (file://) may
load a script but not fetch a JSON file."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from views.status import STATES, AgencyRow, Grid, slug

SPLIT_AT = 300  # a portal with more agencies than this gets a file per level
CHUNK = 1000  # agencies in one file at most (about 600 KB of data)
LIMIT = 500  # rows drawn at once: a filter that matches more offers the next ones on request
STATE_CODES = {key: str(index) for index, (key, _) in enumerate(STATES)}


def script_json(value: Any) -> str:
    """JSON that may stand inside a <script> element or a script file: no "<", ">" or "&" (a name
    holding "</script>" cannot end the element), and no line separators that old engines reject."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


@dataclass
class GridFile:
    """One data file: some agencies of one portal, in groups of one level each."""

    src: str  # "data/grid-portal-….js", relative to the overview page
    portal: str
    level: str  # "" when the file holds every level of its portal
    groups: list[tuple[str, list[AgencyRow]]] = field(default_factory=list)  # (level, agencies)

    @property
    def count(self) -> int:
        return sum(len(agencies) for _, agencies in self.groups)

    def text(self) -> str:
        """The file: a call that hands the rows to the page.  A row is [name, page, one state code
        per year, one explanation per year]."""
        data = {
            "src": self.src,
            "groups": [
                {
                    "portal": self.portal,
                    "level": level,
                    "rows": [
                        [a.name, a.page, "".join(STATE_CODES[c.state] for c in a.cells), [c.title for c in a.cells]]
                        for a in agencies
                    ],
                }
                for level, agencies in self.groups
            ],
        }
        return f"nianbaoGrid({script_json(data)});\n"

    def entry(self) -> dict[str, Any]:
        """What the overview page knows of the file before loading it."""
        return {
            "src": self.src,
            "portal": self.portal,
            "level": self.level,
            "count": self.count,
            "levels": {level: len(agencies) for level, agencies in self.groups},
        }


def grid_files(grid: Grid) -> list[GridFile]:
    """The grid's rows, cut into files: a portal's agencies in one file, or per level (and in
    chunks of CHUNK) when the portal holds more than SPLIT_AT; in the grid's order."""
    by_portal: dict[str, list[tuple[str, list[AgencyRow]]]] = {}
    for group in grid.groups:
        by_portal.setdefault(group.portal, []).append((group.level, list(group.agencies)))
    files = []
    for portal, groups in by_portal.items():
        base = f"data/grid-{slug('portal', portal)}"
        if sum(len(agencies) for _, agencies in groups) <= SPLIT_AT:
            files.append(GridFile(f"{base}.js", portal, "", groups))
            continue
        for level, agencies in groups:
            for start in range(0, len(agencies), CHUNK):
                part = f"-{start // CHUNK + 1}" if start else ""
                chunk = agencies[start : start + CHUNK]
                files.append(GridFile(f"{base}-{level}{part}.js", portal, level, [(level, chunk)]))
    return files


@dataclass(frozen=True, slots=True)
class PortalRow:
    """A portal's line in the overview's table: its agencies and their cells by state."""

    portal: str
    page: str | None
    agencies: int
    counts: dict[str, int]


def portal_rows(grid: Grid, pages: dict[str, str]) -> list[PortalRow]:
    counts: dict[str, Counter[str]] = {}
    agencies: Counter[str] = Counter()
    for group in grid.groups:
        tally = counts.setdefault(group.portal, Counter())
        agencies[group.portal] += len(group.agencies)
        for agency in group.agencies:
            tally.update(c.state for c in agency.cells)
    return [PortalRow(p, pages.get(p), agencies[p], dict(counts[p])) for p in sorted(counts)]


def manifest(grid: Grid, files: list[GridFile], *, symbols: dict[str, str], words: dict[str, Any]) -> Markup:
    """The overview page's own data: the years, the states and their signs, the files and how many
    agencies each holds (so that a count needs no file loaded), and the words the script shows."""
    return Markup(
        script_json(
            {
                "years": list(grid.years),
                "states": [key for key, _ in STATES],
                "symbols": symbols,
                "limit": LIMIT,
                "files": [f.entry() for f in files],
                "words": words,
            }
        )
    )
