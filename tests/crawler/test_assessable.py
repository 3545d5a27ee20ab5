"""The assessable share on the bundled sample portal: every watched (agency, year) past its deadline
gets a verdict, but for the province behind its anti-bot wall — although the county's lists carry a
dead link, a report behind robots.txt, a mirror on another host and a draft (none of them a watched
agency's), and the department portal's attachment server holds a damaged file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checks.run import run_checks
from nianbao.crawl_runner import crawl_all
from nianbao.demo import MISSING, demo_config, demo_plan
from nianbao.sample.portal import SamplePortal
from storage.db import open_db
from storage.findings import list_findings


@pytest.mark.slow
def test_every_pair_of_the_sample_gets_a_verdict_but_behind_the_wall(tmp_path: Path) -> None:
    with SamplePortal(demo_plan()) as portal:  # failing links included
        config = demo_config(portal, str(tmp_path))
        db = open_db(config.db_path)
        results = crawl_all(config, db, now="2026-04-15T00:00:00+00:00")
        counts = run_checks(db, config, as_of=date(2026, 4, 15), now="2026-04-15T00:00:00")
    outcomes = {r.portal: r.outcome for r in results}
    assert outcomes == {
        "某某县人民政府": "complete",
        "某某县部门信息公开(TRS)": "complete",
        "某某县政府部门(大汉)": "complete",
        "某某省人民政府": "blocked",
    }
    assert any(e.fate == "failed" for r in results for e in r.entries)  # the faults are there …
    assert (counts["pairs due"], counts["pairs assessed"]) == (20, 19)  # … and withhold nobody's verdict
    withheld = {(f.agency, f.year) for f in list_findings(db, include_closed=True) if f.kind == "not_assessable"}
    assert withheld == {("某某省人民政府", 2025)}
    missing = {f.agency for f in list_findings(db) if f.kind == "missing"}
    assert missing == {MISSING}
