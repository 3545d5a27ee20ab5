"""run_checks over a real database: cross-year rules, not-assessable portals, resolution."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import sqlite_utils

from checks.run import run_checks
from crawler.sink import Document
from nianbao.core.config import Agency, Config, Portal
from nianbao.ingest import ingest
from nianbao.sample.reports import SampleReport, balanced, report_text
from storage.db import open_db

AGENCY = "某某县龙山镇人民政府"


def _store(
    db: sqlite_utils.Database,
    year: int,
    apps: Mapping[str, list[int]],
    normative: tuple[int, int, int],
    now: str,
    dated: bool = True,
) -> None:
    text = report_text(SampleReport(agency=AGENCY, year=year, applications=apps, normative=normative))
    document = Document(
        f"http://127.0.0.1/{year}.htm", text.encode(), portal="县", list_date=f"{year + 1}-01-20" if dated else None
    )
    ingest(db, document, now=now)


def test_cross_year_rules_and_missing_lifecycle(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    config = Config(portals=(Portal("县", ("http://127.0.0.1/nb.htm",)),), agencies=(Agency(AGENCY, "township", "县"),))
    carried = balanced(3)
    carried["total"] = [2, 0, 0, 0, 0, 0, 2]
    carried["granted"] = [2, 0, 0, 0, 0, 0, 2]
    carried["carried_forward"] = [1, 0, 0, 0, 0, 0, 1]  # 3 new = 2 handled + 1 carried into 2024
    _store(db, 2023, carried, (5, 0, 20), "2024-01-20T00:00:00")
    _store(db, 2024, balanced(2), (3, 1, 30), "2025-01-20T00:00:00")  # carried_over 0 (should be 1); 20+3-1 ≠ 30
    db.table("crawl_runs").insert(
        {
            "portal": "县",
            "started_at": "2026-02-10T00:00:00",
            "finished_at": "2026-02-10T01:00:00",
            "outcome": "complete",
        }
    )
    counts = run_checks(db, config, as_of=date(2026, 2, 15), now="2026-02-15T00:00:00")
    rules = {(r["kind"], r["rule"], r["year"]) for r in db.query("SELECT kind, rule, year FROM findings")}
    assert ("inconsistent", "applications.carry_over", 2024) in rules
    assert ("inconsistent", "active_disclosure.in_force", 2024) in rules
    assert ("missing", "deadline", 2025) in rules  # read completely on 10 Feb, after the 31 Jan deadline
    # the sample's prose is the same every year but for its numbers: a copy, said as quality, not as an error
    assert ("quality", "quality.copied", 2024) in rules
    assert counts["opened"] == db.execute("SELECT count(*) FROM findings").fetchone()[0] == 5  # 2 columns carry over
    assert {r["name"] for r in db.query("SELECT name FROM agencies")} == {AGENCY}

    # the portal is blocked on the next pass: the missing finding stands (not assessable), nothing resolves
    db.table("crawl_runs").insert(
        {
            "portal": "县",
            "started_at": "2026-03-01T00:00:00",
            "finished_at": "2026-03-01T00:05:00",
            "outcome": "blocked",
        }
    )
    again = run_checks(db, config, as_of=date(2026, 3, 2), now="2026-03-02T00:00:00")
    assert again["resolved"] == 0
    kinds = {r["kind"] for r in db.query("SELECT kind FROM findings WHERE resolved_at IS NULL")}
    assert {"missing", "unreachable"} <= kinds

    # the 2025 report appears: its missing finding resolves, once
    db.table("crawl_runs").insert(
        {
            "portal": "县",
            "started_at": "2026-03-05T00:00:00",
            "finished_at": "2026-03-05T00:05:00",
            "outcome": "complete",
        }
    )
    _store(db, 2025, balanced(1), (0, 0, 32), "2026-03-05T00:00:00", dated=False)
    final = run_checks(db, config, as_of=date(2026, 3, 6), now="2026-03-06T00:00:00")
    missing = list(db.query("SELECT resolved_at FROM findings WHERE kind = 'missing'"))
    assert missing == [{"resolved_at": "2026-03-06T00:00:00"}] and final["resolved"] >= 2  # + unreachable
    # no date in the source: late, because a complete read on 10 Feb (after the deadline) did not find it
    [late] = list(db.query("SELECT message FROM findings WHERE kind = 'late' AND year = 2025"))
    assert "2026-02-10" in late["message"] and "first saw it on 2026-03-05" in late["message"]
