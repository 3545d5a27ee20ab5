"""`nianbao check`: evaluate every expected (agency, year) and every stored report, and write the
findings (missing, late, inconsistent, changed, unreachable) with their evidence.

The verdicts are the pure functions of `deadlines` and `history`; this module only gathers their
inputs from the database and hands the results to `storage.findings`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from checks.deadlines import deadline, judge_absent, judge_found, latest_due_year
from checks.history import carry_over, in_force
from nianbao.core.config import Config
from storage.documents import sync_config
from storage.findings import fingerprint, upsert_findings

NOT_ASSESSABLE = "not_assessable"


@dataclass(frozen=True, slots=True)
class Expected:
    agency: str
    level: str
    portal: str | None


def infer_level(name: str) -> str:
    """乡/镇/街道 -> township; a 人民政府 otherwise -> government; anything else -> department."""
    if re.search(r"乡|镇|街道|办事处", name):
        return "township"
    return "government" if name.endswith(("人民政府", "管委会", "管理委员会")) else "department"


def _finding(
    kind: str,
    *,
    agency: str | None,
    year: int | None,
    portal: str | None,
    rule: str | None,
    severity: str,
    message: str,
    evidence: dict[str, Any],
    report_id: int | None = None,
    url: str | None = None,
    key: str = "",
) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint(kind, agency, year, rule, key or (portal if agency is None else "") or ""),
        "kind": kind,
        "agency": agency,
        "year": year,
        "portal": portal,
        "rule": rule,
        "severity": severity,
        "message": message,
        "evidence": evidence,
        "report_id": report_id,
        "url": url,
    }


def _portal_reads(db: sqlite_utils.Database) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    complete: dict[str, list[str]] = defaultdict(list)
    latest: dict[str, dict[str, Any]] = {}
    for run in db.query("SELECT * FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY id"):
        if run["outcome"] == "complete":
            complete[run["portal"]].append(run["finished_at"])
        latest[run["portal"]] = run
    return complete, latest


def _expected(config: Config, reports: list[dict[str, Any]]) -> list[Expected]:
    agencies = {a.name: Expected(a.name, a.level, a.portal) for a in config.agencies}
    for report in reports:
        if report["agency"] and report["agency"] not in agencies:
            agencies[report["agency"]] = Expected(report["agency"], infer_level(report["agency"]), report["portal"])
    return list(agencies.values())


def run_checks(db: sqlite_utils.Database, config: Config, *, as_of: date, now: str) -> dict[str, int]:
    """Evaluate everything and write findings; returns the lifecycle counts."""
    sync_config(
        db, [(p.name, p.urls[0]) for p in config.portals], [(a.name, a.level, a.portal) for a in config.agencies]
    )
    reports = list(db.query("SELECT * FROM reports WHERE is_current = 1"))
    by_key = {(r["agency"], r["year"]): r for r in reports}
    unreadable = _unreadable(db)
    complete, latest = _portal_reads(db)
    findings: list[dict[str, Any]] = []
    keep: set[tuple[str | None, int | None]] = set()
    for expected in _expected(config, reports):
        portal = expected.portal or next((r["portal"] for r in reports if r["agency"] == expected.agency), None)
        reads = complete.get(portal or "", [])
        state = latest.get(portal or "", {}).get("outcome")
        due_year = latest_due_year(expected.level, as_of, config.deadlines)
        seen_years = [r["year"] for r in reports if r["agency"] == expected.agency and r["year"]]
        for year in range(min(seen_years + [due_year]), due_year + 1):
            due = deadline(expected.level, year, config.deadlines)
            report = by_key.get((expected.agency, year))
            if report:
                verdict = judge_found(
                    due=due,
                    published_at=report["published_at"],
                    published_source=report["published_source"],
                    first_seen=report["first_seen"],
                    complete_reads=reads,
                )
                if verdict.status == "late":
                    findings.append(
                        _finding(
                            "late",
                            agency=expected.agency,
                            year=year,
                            portal=portal,
                            rule="deadline",
                            severity="warning",
                            message=verdict.message,
                            evidence=verdict.evidence,
                            report_id=report["id"],
                            url=report["url"],
                        )
                    )
                continue
            if (expected.agency, year) in unreadable:
                doc = unreadable[(expected.agency, year)]
                findings.append(
                    _finding(
                        "unreadable",
                        agency=expected.agency,
                        year=year,
                        portal=portal,
                        rule="report.unreadable",
                        severity="info",
                        url=doc["url"],
                        message=f"found but not readable: {doc['parse_error']}",
                        evidence={"url": doc["url"], "first_seen": doc["first_seen"]},
                    )
                )
                continue
            verdict = judge_absent(due=due, as_of=as_of, complete_reads=reads, portal_state=state)
            if verdict.status == "missing":
                findings.append(
                    _finding(
                        "missing",
                        agency=expected.agency,
                        year=year,
                        portal=portal,
                        rule="deadline",
                        severity="error",
                        message=verdict.message,
                        evidence=verdict.evidence,
                    )
                )
            elif verdict.status == NOT_ASSESSABLE:
                keep.add((expected.agency, year))
                findings.append(
                    _finding(
                        NOT_ASSESSABLE,
                        agency=expected.agency,
                        year=year,
                        portal=portal,
                        rule="deadline",
                        severity="info",
                        message=verdict.message,
                        evidence=verdict.evidence,
                    )
                )
    findings += _unreachable(config, latest)
    findings += _inconsistent(db, reports)
    findings += _cross_year(db, reports)
    findings += _changed(db, reports)
    return upsert_findings(db, findings, now=now, keep=keep)


def _unreadable(db: sqlite_utils.Database) -> dict[tuple[str, int], dict[str, Any]]:
    """Documents whose list title names an agency and year but which nianbao cannot parse (yet)."""
    rows = db.query(
        "SELECT url, agency, year, parse_error, first_seen, list_date FROM document_urls "
        "WHERE kind = 'document' AND parse_error IS NOT NULL AND agency IS NOT NULL ORDER BY url"
    )
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        found.setdefault((row["agency"], row["year"]), row)
    return found


def _unreachable(config: Config, latest: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for portal in config.portals:
        run = latest.get(portal.name)
        if run and run["outcome"] in ("blocked", "unreachable", "partial"):
            what = {
                "blocked": "blocked nianbao (anti-bot challenge or robots.txt)",
                "unreachable": "could not be reached",
                "partial": "was read only in part",
            }[run["outcome"]]
            out.append(
                _finding(
                    "unreachable",
                    agency=None,
                    year=None,
                    portal=portal.name,
                    rule=f"portal.{run['outcome']}",
                    severity="warning",
                    url=portal.urls[0],
                    message=f"portal {portal.name} {what} on the pass of {run['finished_at'][:10]}; "
                    "its agencies' reports are not assessable",
                    evidence={
                        "outcome": run["outcome"],
                        "pass": run["finished_at"],
                        "detail": (run["detail"] or "")[:500],
                    },
                )
            )
    return out


def _inconsistent(db: sqlite_utils.Database, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = {r["id"]: r for r in reports}
    out = []
    for row in db.query("SELECT * FROM report_findings WHERE severity != 'info'"):
        report = current.get(row["report_id"])
        if report is None:
            continue
        key = row["cells"] or hashlib.sha1(row["message"].encode()).hexdigest()[:12]
        out.append(
            _finding(
                "inconsistent",
                agency=report["agency"],
                year=report["year"],
                portal=report["portal"],
                rule=row["rule"],
                severity=row["severity"],
                message=row["message"],
                evidence={"cells": row["cells"], "raw": row["raw"], "url": report["url"]},
                report_id=report["id"],
                url=report["url"],
                key=key + (report["url"] or ""),
            )
        )
    return out


def _cells(db: sqlite_utils.Database, report_id: int) -> dict[tuple[str, str, str], float]:
    return {
        (c["part"], c["row_key"], c["column_key"]): c["value"]
        for c in db.query("SELECT part, row_key, column_key, value FROM report_cells WHERE report_id = ?", [report_id])
    }


def _cross_year(db: sqlite_utils.Database, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_key = {(r["agency"], r["year"]): r for r in reports if r["agency"] and r["year"]}
    out = []
    for (agency, year), report in by_key.items():
        previous = by_key.get((agency, year - 1))
        if previous is None:
            continue
        this, last = _cells(db, report["id"]), _cells(db, previous["id"])
        for rule, message, cells in [*carry_over(this, last, year), *in_force(this, last, year)]:
            out.append(
                _finding(
                    "inconsistent",
                    agency=agency,
                    year=year,
                    portal=report["portal"],
                    rule=rule,
                    severity="warning",
                    message=message,
                    report_id=report["id"],
                    url=report["url"],
                    evidence={"cells": ",".join(cells), "previous_report": previous["url"]},
                    key=",".join(cells),
                )
            )
    return out


def _changed(db: sqlite_utils.Database, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for report in reports:
        if (report["version"] or 1) <= 1:
            continue
        before = db.execute(
            "SELECT first_seen, sha256 FROM reports WHERE agency = ? AND year = ? AND version = ? "
            "ORDER BY id DESC LIMIT 1",
            [report["agency"], report["year"], report["version"] - 1],
        ).fetchone()
        out.append(
            _finding(
                "changed",
                agency=report["agency"],
                year=report["year"],
                portal=report["portal"],
                rule="report.changed",
                severity="warning",
                report_id=report["id"],
                url=report["url"],
                message=f"the report was changed after publication: version {report['version']} "
                f"seen {report['first_seen'][:10]}, replacing the one seen {before[0][:10] if before else '?'}",
                evidence={
                    "version": report["version"],
                    "sha256": report["sha256"],
                    "previous_sha256": before[1] if before else None,
                },
                key=str(report["version"]),
            )
        )
    return out
