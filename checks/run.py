"""`nianbao check`: evaluate every expected (agency, year) and every stored report, and write the
findings (missing, late, inconsistent, changed, unreachable, unreadable) with their evidence.

The verdicts are pure functions (`deadlines`, `history`, the report rules); this module gathers
their inputs through `storage` and hands the results back to `storage.findings`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlite_utils

from checks.attribution import attribute
from checks.deadlines import Verdict, deadline, judge_absent, judge_found, latest_due_year
from checks.doubts import Coverage, Reads, doubt_said, pass_said
from checks.history import cross_year
from checks.levels import infer_level
from checks.registry import rule
from checks.versions import describe_change
from nianbao.core.agencies import matcher_of
from nianbao.core.config import Config
from nianbao.core.findings import FindingRecord
from nianbao.core.messages import VOCABULARY, Said, said
from nianbao.core.vocabulary import FindingKind, Severity
from storage.documents import unreadable_documents
from storage.findings import said_of, upsert_findings
from storage.ledger import Doubt, doubts_by_run
from storage.matches import unmatched
from storage.portals import sync_config
from storage.reports import body_of, cells_of, current_reports, previous_version, rule_findings, sentences_of
from storage.runs import PortalReads, portal_reads, read_summary, record_check

Row = dict[str, Any]
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Expected:
    agency: str
    level: str
    portal: str | None


@dataclass
class Evidence:
    """What one evaluation reads from the database, read once."""

    reports: list[Row]
    reads: PortalReads
    unreadable: dict[tuple[str, int], Row]
    read_summary: Callable[[int], list[Said]] = lambda run_id: []
    doubts: dict[int, list[Doubt]] = field(default_factory=dict)
    watched: tuple[str, ...] = ()
    by_key: dict[tuple[str, int], Row] = field(init=False)
    passes: Reads = field(init=False)
    ambiguous: dict[tuple[str, int], Row] = field(default_factory=dict)  # a report that could be this pair's
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tally: Counter[str] = field(default_factory=Counter)  # pairs past their deadline, and those given a verdict
    by_agency: dict[str, list[Row]] = field(init=False)  # a province has 10,000 agencies: no scans per agency

    def __post_init__(self) -> None:
        self.by_key = {(r["agency"], r["year"]): r for r in self.reports}
        self.by_agency = {}
        for r in self.reports:
            self.by_agency.setdefault(r["agency"], []).append(r)
        self.passes = Reads(self.reads, self.doubts, Coverage(self.watched or tuple(self.by_agency), self.aliases))


def run_checks(db: sqlite_utils.Database, config: Config, *, as_of: date, now: str) -> dict[str, int]:
    """Evaluate everything and write findings; returns the lifecycle counts."""
    sync_config(
        db, [(p.name, p.urls[0]) for p in config.portals], [(a.name, a.level, a.portal) for a in config.agencies]
    )
    # every report under the watched agency its name maps to (unmatched ones keep theirs), before any verdict
    reports, unreadable = attribute(db, matcher_of(config), current_reports(db), unreadable_documents(db))
    evidence = Evidence(
        reports,
        portal_reads(db),
        unreadable,
        lambda run_id: read_summary(db, run_id),
        doubts_by_run(db),
        tuple(a.name for a in config.agencies),
        {
            (candidate, row["year"]): row
            for row in unmatched(db)
            if row["how"] == "ambiguous"
            for candidate in row["candidates"]
        },
        {a.name: a.aliases for a in config.agencies if a.aliases},
    )
    findings = list(deadline_findings(config, evidence, as_of))
    keep = {(f.agency, f.year) for f in findings if f.kind == "not_assessable"}
    previous = record_check(
        db, now=now, as_of=as_of.isoformat(), due=evidence.tally["due"], assessed=evidence.tally["assessed"]
    )
    if previous and _share(*previous) > _share(evidence.tally["due"], evidence.tally["assessed"]):
        logger.warning(
            "fewer watched pairs got a verdict than at the last check: %s of %s, before %s of %s",
            evidence.tally["assessed"],
            evidence.tally["due"],
            previous[1],
            previous[0],
        )
    findings += portal_findings(config, evidence.reads)
    findings += inconsistent_findings(db, evidence.reports)
    findings += cross_year_findings(db, evidence.reports)
    findings += changed_findings(db, evidence.reports)
    counts = upsert_findings(db, findings, now=now, keep=keep)
    return {**counts, "pairs due": evidence.tally["due"], "pairs assessed": evidence.tally["assessed"]}


def _share(due: int, assessed: int) -> float:
    return assessed / due if due else 1.0


def _expected(config: Config, reports: list[Row]) -> list[Expected]:
    """The configured agencies, and every agency a stored report names."""
    agencies = {a.name: Expected(a.name, a.level, a.portal) for a in config.agencies}
    for report in reports:
        if report["agency"] and report["agency"] not in agencies:
            agencies[report["agency"]] = Expected(report["agency"], infer_level(report["agency"]), report["portal"])
    return list(agencies.values())


@rule(
    "deadline",
    kind=("missing", "late", "not_assessable"),
    severity="error",
    scope="monitoring",
    also=("warning", "info"),
)
def deadline_findings(config: Config, evidence: Evidence, as_of: date) -> Iterator[FindingRecord]:
    """Missing or late against the deadline of the agency's level; not assessable without a complete read."""
    for expected in _expected(config, evidence.reports):
        mine = evidence.by_agency.get(expected.agency, [])
        portal = expected.portal or next((r["portal"] for r in mine), None)
        due_year = latest_due_year(expected.level, as_of, config.deadlines)
        seen = [r["year"] for r in mine if r["year"]]
        for year in range(min([*seen, due_year]), due_year + 1):
            finding = _judge_year(expected, year, portal, config, evidence, as_of)
            if finding is not None:
                yield finding


def _judge_year(
    expected: Expected, year: int, portal: str | None, config: Config, evidence: Evidence, as_of: date
) -> FindingRecord | None:
    due = deadline(expected.level, year, config.deadlines)
    if due < as_of:
        evidence.tally["due"] += 1
    finding = _judge(expected, year, portal, due, evidence, as_of)
    if due < as_of and (finding is None or finding.kind != "not_assessable"):
        evidence.tally["assessed"] += 1
    return finding


def _judge(
    expected: Expected, year: int, portal: str | None, due: date, evidence: Evidence, as_of: date
) -> FindingRecord | None:
    reads = evidence.passes.complete_reads(portal, expected.agency, year)
    report = evidence.by_key.get((expected.agency, year))
    if report is not None:
        verdict = judge_found(
            due=due,
            published_at=report["published_at"],
            published_source=report["published_source"],
            first_seen=report["first_seen"],
            complete_reads=reads,
        )
        return _verdict(verdict, expected.agency, year, portal, report) if verdict.status == "late" else None
    if (expected.agency, year) in evidence.unreadable:
        doc = evidence.unreadable[(expected.agency, year)]
        found: FindingRecord = unreadable_finding(doc, expected.agency, year, portal)
        return found
    state = evidence.reads.latest.get(portal or "", {}).get("outcome")
    if (expected.agency, year) in evidence.ambiguous and as_of > due:  # a report it may be: never missing
        return _verdict(_ambiguous(evidence.ambiguous[(expected.agency, year)], due), expected.agency, year, portal)
    verdict = judge_absent(due=due, as_of=as_of, complete_reads=reads, portal_state=state)
    if verdict.status == "missing":  # quote the read: each column declared against read, and the failed entries
        verdict = _quote_read(verdict, evidence, evidence.passes.clear_pass(portal, expected.agency, year))
    elif verdict.status == "not_assessable":  # name the one doubt that withholds it
        verdict = _withheld(verdict, evidence, portal, expected.agency, year, due)
    return _verdict(verdict, expected.agency, year, portal) if verdict.status != "not_due" else None


def _ambiguous(row: Row, due: date) -> Verdict:
    """Not assessable: a stored report names an agency that could be this one or another watched one."""
    doubt = said("doubt.ambiguous", written=row["written"], url=row["url"] or "?", candidates=row["candidates"])
    return Verdict(
        "not_assessable",
        said("deadline.withheld", deadline=due.isoformat(), doubt=doubt),
        {"deadline": due.isoformat(), "doubt_source": "ambiguous", "doubt_url": row["url"]},
    )


def _quote_read(verdict: Verdict, evidence: Evidence, run: Row | None) -> Verdict:
    """A `missing` verdict with its evidence: what each column declared and what was read, and that
    no entry the pass failed to fetch could be the report."""
    if run is None:
        return verdict
    read = evidence.read_summary(run["id"])
    shown = read[:3] + ([said("read.more", more=len(read) - 3)] if len(read) > 3 else [])
    failed = evidence.passes.failed_entries(run)
    message = (
        said("deadline.missing_ledger", inner=verdict.said, read=shown, failed=failed)
        if failed
        else said("deadline.missing_read", inner=verdict.said, read=shown)
    )
    return replace(
        verdict,
        said=message,
        evidence={**verdict.evidence, "read": [r.en for r in read], "pass_id": run["id"], "failed_entries": failed},
    )


def _withheld(verdict: Verdict, evidence: Evidence, portal: str | None, agency: str, year: int, due: date) -> Verdict:
    """A `not_assessable` verdict naming what withholds it: a failed entry that could be the
    report, a column not read completely, or no pass since the deadline."""
    run, doubt = evidence.passes.withholding(portal, agency, year, due)
    if run is not None and run["outcome"] in ("blocked", "unreachable"):
        what = _portal_said(portal or "", run)  # nothing of the portal was read: say what happened to it
    else:
        what = doubt_said(doubt) if doubt is not None else pass_said(run)
    extra: dict[str, Any] = {"doubt": what.en}
    if doubt is not None:
        extra.update(doubt_source=doubt.source, doubt_reason=doubt.reason, doubt_url=doubt.url, pass_id=doubt.run_id)
    return replace(
        verdict,
        said=said("deadline.withheld", deadline=due.isoformat(), doubt=what),
        evidence={**verdict.evidence, **extra},
    )


# the verdicts that are findings: their kind and severity
_FINDING: dict[str, tuple[FindingKind, Severity]] = {
    "missing": ("missing", "error"),
    "late": ("late", "warning"),
    "not_assessable": ("not_assessable", "info"),
}


def _verdict(verdict: Verdict, agency: str, year: int, portal: str | None, report: Row | None = None) -> FindingRecord:
    kind, severity = _FINDING[verdict.status]
    return FindingRecord(
        kind=kind,
        agency=agency,
        year=year,
        portal=portal,
        rule="deadline",
        severity=severity,
        message=verdict.message,
        said=verdict.said,
        evidence=verdict.evidence,
        report_id=report["id"] if report else None,
        url=report["url"] if report else None,
    )


@rule("report.unreadable", kind="unreadable", severity="info", scope="monitoring", also=())
def unreadable_finding(doc: Row, agency: str, year: int, portal: str | None) -> FindingRecord:
    """The list names the report but nianbao cannot read its document: found, so never missing."""
    return FindingRecord(
        kind="unreadable",
        agency=agency,
        year=year,
        portal=portal,
        rule="report.unreadable",
        severity="info",
        url=doc["url"],
        message=said("report.unreadable", error=doc["parse_error"]).en,
        said=said("report.unreadable", error=doc["parse_error"]),
        evidence={"url": doc["url"], "first_seen": doc["first_seen"]},
    )


_PORTAL_STATES = ("blocked", "unreachable", "partial")


@rule("portal.partial", kind="unreachable", severity="warning", scope="monitoring", also=())
@rule("portal.unreachable", kind="unreachable", severity="warning", scope="monitoring", also=())
@rule("portal.blocked", kind="unreachable", severity="warning", scope="monitoring", also=())
def portal_findings(config: Config, reads: PortalReads) -> list[FindingRecord]:
    """A portal's last pass was blocked, unreachable or partial: its agencies' reports are not assessable."""
    out = []
    for portal in config.portals:
        run = reads.latest.get(portal.name)
        if not run or run["outcome"] not in _PORTAL_STATES:
            continue
        out.append(
            FindingRecord(
                kind="unreachable",
                agency=None,
                year=None,
                portal=portal.name,
                rule=f"portal.{run['outcome']}",
                severity="warning",
                url=portal.urls[0],
                message=_portal_said(portal.name, run).en,
                said=_portal_said(portal.name, run),
                evidence={
                    "outcome": run["outcome"],
                    "cause": run.get("cause"),
                    "pass": run["finished_at"],
                    "detail": (run["detail"] or "")[:500],
                },
            )
        )
    return out


def _portal_said(name: str, run: Row) -> Said:
    """What happened to the portal, and only that: a refused connection is no anti-bot block."""
    cause = run.get("cause")
    state = f"state.{cause}" if cause and f"state.{cause}" in VOCABULARY else f"state.{run['outcome']}"
    return said("portal.state", portal=name, state=state, date=run["finished_at"][:10])


def inconsistent_findings(db: sqlite_utils.Database, reports: list[Row]) -> list[FindingRecord]:
    """The single-report rules' findings (stored with each report when it was parsed), as agency
    findings: `inconsistent` where the report is wrong, `unreadable` where nianbao could not read it."""
    current = {r["id"]: r for r in reports}
    out = []
    for row in rule_findings(db):
        report = current.get(row["report_id"])
        if report is None:
            continue
        key = row["cells"] or hashlib.sha1(row["message"].encode()).hexdigest()[:12]
        out.append(
            FindingRecord(
                kind=row["kind"] or "inconsistent",
                agency=report["agency"],
                year=report["year"],
                portal=report["portal"],
                rule=row["rule"],
                severity=row["severity"],
                message=row["message"],
                said=said_of(row),
                evidence={"cells": row["cells"], "used": row.get("used"), "raw": row["raw"], "url": report["url"]},
                report_id=report["id"],
                url=report["url"],
                key=key + (report["url"] or ""),
            )
        )
    return out


def cross_year_findings(db: sqlite_utils.Database, reports: list[Row]) -> list[FindingRecord]:
    """The history rules over each report and the same agency's report of the year before."""
    by_key = {(r["agency"], r["year"]): r for r in reports if r["agency"] and r["year"]}
    out = []
    for (agency, year), report in by_key.items():
        previous = by_key.get((agency, year - 1))
        if previous is None:
            continue
        this, last = cells_of(db, report["id"], certain_only=True), cells_of(db, previous["id"], certain_only=True)
        texts = ("\n".join(body_of(db, report["id"])), "\n".join(body_of(db, previous["id"])))
        for found in cross_year(this, last, year, texts=texts):
            out.append(
                FindingRecord(
                    kind=found.kind,
                    agency=agency,
                    year=year,
                    portal=report["portal"],
                    rule=found.rule,
                    severity=found.severity,
                    message=found.message,
                    said=found.said,
                    report_id=report["id"],
                    url=report["url"],
                    evidence={"cells": ",".join(found.cells), "previous_report": previous["url"]},
                    key=",".join(found.cells),
                )
            )
    return out


@rule("report.changed", kind="changed", severity="warning", scope="monitoring", also=())
def changed_findings(db: sqlite_utils.Database, reports: list[Row]) -> list[FindingRecord]:
    """A report's own content (its numbers or its text) changed after publication; every version is kept.

    Its own: a cell, or a sentence of its prose as storage.content reads it (no title heading,
    running header or page chrome).  A version whose cells and sentences equal its predecessor's
    (one stored before nianbao told a heading from the report), or whose predecessor is gone, is no
    evidence of a change."""
    out = []
    for report in reports:
        if (report["version"] or 1) <= 1:
            continue
        before = previous_version(db, report["id"])
        if before is None:
            continue
        change = describe_change(
            cells_of(db, before["id"]),
            cells_of(db, report["id"]),
            sentences_of(db, before["id"]),
            sentences_of(db, report["id"]),
        )
        if change is None:
            continue
        what, evidence = change
        changed = said(
            "report.changed",
            version=report["version"],
            seen=report["first_seen"][:10],
            before=before["first_seen"][:10],
            what=what,
        )
        out.append(
            FindingRecord(
                kind="changed",
                agency=report["agency"],
                year=report["year"],
                portal=report["portal"],
                rule="report.changed",
                severity="warning",
                report_id=report["id"],
                url=report["url"],
                message=changed.en,
                said=changed,
                evidence={
                    **evidence,
                    "version": report["version"],
                    "sha256": report["sha256"],
                    "previous_sha256": before["sha256"],
                },
                key=str(report["version"]),
            )
        )
    return out
