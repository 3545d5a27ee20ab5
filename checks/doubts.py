"""Which passes read an (agency, year) completely, and which doubt withholds its verdict: pure
functions over the passes and their doubts (`storage.ledger.Doubt`).

A pass is evidence about a pair when it kept a ledger and none of its doubts covers the pair (a
pass from before the ledger is evidence only if it was complete).  A doubt covers a pair when it
could hide that pair's report:

- its year: the year the failed entry's title names, any year up to a column's bound, or any year;
- its agency: every agency of the portal when the doubt names none (a column, an entry titled
  without an agency); else the agency its title names, compared generously — a doubt must rather
  withhold a verdict too many than let a report it hides be called missing.  Names are compared
  after NFKC and with zero-width characters and spaces removed, by their core (the region prefix
  and 人民政府 left out: 某某县红旗乡人民政府 → 红旗乡).  A name whose core is a watched agency's
  covers that agency only; a name like none of them is another agency's report (not watched: it
  withholds nothing), unless it is close to a watched one (a typo, a cut title), which it covers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from nianbao.core.agencies import normalise
from nianbao.core.messages import Said, said
from storage.ledger import Doubt
from storage.runs import PortalReads

Row = dict[str, Any]
_LEVEL = re.compile(r".{1,10}?(?:自治区|自治州|自治县|自治旗|特别行政区|省|市|州|盟|地区|县|区|旗)")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|管理委员会|管委会)$")
_CLOSE = 0.6  # a name this like a watched agency's core may be it, misspelt or cut
EVIDENCE_OUTCOMES = frozenset({"complete", "partial", "blocked", "unreachable"})


def _split(name: str) -> tuple[str, str]:
    """(region, the rest) of a name without its 人民政府.  A region level is cut off only while at
    least two characters of a name remain after it (旗 also ends 红旗: 某某县红旗乡 is 某某县 +
    红旗乡); a name that is all region (某某县) is that region's government."""
    rest, prefix = _GOVERNMENT.sub("", normalise(name)), ""
    while (match := _LEVEL.match(rest)) is not None:
        after = rest[match.end() :]
        if not after:
            return prefix + match.group(0), ""
        if len(after) < 2:
            break
        prefix, rest = prefix + match.group(0), after
    return prefix, rest


def core(name: str) -> str:
    """The name without its region prefix and its 人民政府: 某某县红旗乡人民政府 → 红旗乡; a
    government of a region (某某县人民政府) has an empty core."""
    return _split(name)[1]


def region(name: str) -> str:
    """The region prefix of a name: 某某县红旗乡人民政府 → 某某县."""
    return _split(name)[0]


@dataclass
class Coverage:
    """Whether a name a doubt carries could be a given watched agency (under its name or an alias)."""

    agencies: Iterable[str]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cores: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.cores = {a: tuple(core(n) for n in (a, *self.aliases.get(a, ()))) for a in self.agencies}
        self._watched_cores = {c for names in self.cores.values() for c in names}

    def could_be(self, named: str | None, agency: str) -> bool:
        if not named:
            return True  # the title names no agency: it could be anyone's
        names = (agency, *self.aliases.get(agency, ()))
        mine = self.cores.get(agency) or tuple(core(n) for n in names)
        return any(self._could_be(named, name, own) for name, own in zip(names, mine, strict=False))

    def _could_be(self, named: str, agency: str, mine: str) -> bool:
        theirs = core(named)
        if not mine:  # a government of a region: a name that is that region's government
            return not theirs and (not region(named) or region(named) == region(agency))
        if not theirs:
            return False  # the named is a region's government, and this agency is not one
        if theirs == mine or mine in theirs or theirs in mine:
            return True
        if theirs in self._watched_cores:
            return False  # exactly another watched agency
        return SequenceMatcher(None, theirs, mine).ratio() >= _CLOSE

    def covers(self, doubt: Doubt, agency: str, year: int) -> bool:
        return doubt.years(year) and (doubt.agency is None or self.could_be(doubt.agency, agency))


@dataclass
class Reads:
    """The passes of every portal and their doubts: what was read completely, pair by pair."""

    portals: PortalReads
    doubts: dict[int, list[Doubt]]
    coverage: Coverage

    def passes(self, portal: str | None) -> list[Row]:
        """The portal's finished passes that can be evidence, oldest first."""
        return [run for run in self.portals.passes.get(portal or "", []) if _is_evidence(run)]

    def clear(self, run: Row, agency: str, year: int) -> bool:
        """The pass read every column where the pair's report could be listed, and no entry it
        could not fetch could be that report."""
        if not run.get("ledger"):
            return bool(run["outcome"] == "complete")
        return not any(self.coverage.covers(d, agency, year) for d in self.doubts.get(run["id"], []))

    def complete_reads(self, portal: str | None, agency: str, year: int) -> list[str]:
        """Finish times of the passes that read the pair completely, oldest first."""
        return [run["finished_at"] for run in self.passes(portal) if self.clear(run, agency, year)]

    def clear_pass(self, portal: str | None, agency: str, year: int) -> Row | None:
        """The latest pass that read the pair completely."""
        clear = [run for run in self.passes(portal) if self.clear(run, agency, year)]
        return clear[-1] if clear else None

    def withholding(self, portal: str | None, agency: str, year: int, due: date) -> tuple[Row | None, Doubt | None]:
        """The latest pass after `due` and the one doubt of it that withholds the pair's verdict
        (the most specific: an entry before an attachment before a column); (None, None) when
        no pass ended after `due`."""
        after = [run for run in self.portals.passes.get(portal or "", []) if run["finished_at"][:10] > due.isoformat()]
        if not after:
            return None, None
        run = after[-1]
        covering = [d for d in self.doubts.get(run["id"], []) if self.coverage.covers(d, agency, year)]
        order = {"entry": 0, "attachment": 1, "column": 2}
        covering.sort(key=lambda d: (d.agency is None, d.year is None, order.get(d.source, 3)))
        return run, covering[0] if covering else None

    def failed_entries(self, run: Row) -> int:
        return sum(1 for d in self.doubts.get(run["id"], []) if d.source == "entry")


def _is_evidence(run: Row) -> bool:
    if run.get("ledger"):
        return run["outcome"] in EVIDENCE_OUTCOMES
    return bool(run["outcome"] == "complete")


def doubt_said(doubt: Doubt) -> Said:
    """What the doubt is, in words a reader can check."""
    if doubt.source == "column":
        years = said("years.upto", upto=doubt.upto) if doubt.upto is not None else said("years.any")
        reason: Any = Said.from_json(json.loads(doubt.detail_said)) if doubt.detail_said else doubt.detail or ""
        return said("doubt.column", column_url=doubt.column_url or doubt.url or "?", reason=reason, years=years)
    failure = f"failure.{doubt.reason}" if f"failure.{doubt.reason}" in _FAILURES else "failure.other"
    if doubt.source == "attachment":
        return said("doubt.attachment", url=doubt.url or "?", title=doubt.title or "?", failure=failure)
    return said("doubt.entry", url=doubt.url or "?", title=doubt.title or "?", failure=failure)


def pass_said(run: Row | None) -> Said:
    """A pass that withholds nothing but gives no evidence either (an old partial pass …), or none."""
    if run is None:
        return said("doubt.never")
    return said("doubt.pass", state=f"outcome.{run['outcome']}", date=run["finished_at"][:10])


_FAILURES = frozenset(
    f"failure.{kind}"
    for kind in (
        "off_scope",
        "robots",
        "refused",
        "dns",
        "tls",
        "reset",
        "network",
        "timeout",
        "too_large",
        "truncated",
        "bad_url",
        "redirects",
        "bad_encoding",
        "http_5xx",
        "http_4xx",
        "not_found",
        "soft404",
        "challenge",
        "unasked_304",
        "no_copy",
        "cap",
        "stopped",
        "lost",
        "refused_download",
        "unsettled",
        "other",
    )
)
