"""A pass is complete only when proven: each CMS variant read to what it declares, with the evidence
(declared against read) in the database; a pass cut short — a cap, a failing list page, a listed
report answering 503 after its retries, a pager nianbao cannot read — is partial, and gives no
`missing` finding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from checks.run import run_checks
from crawler.crawl import CrawlResult
from nianbao.core.config import Agency, Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample import variants
from nianbao.sample.reports import SampleReport, balanced
from nianbao.sample.server import Answer, Site, start, stop
from storage.db import open_db
from storage.findings import list_findings

REPORTS = ["某某县水务局", "某某县民政局", "某某县教育局"]
SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=1)


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("portal")
    start([portal])
    yield portal
    stop([portal])


def _crawl(url: str, tmp_path: Path, settings: CrawlSettings = SETTINGS) -> tuple[sqlite_utils.Database, CrawlResult]:
    config = Config(portals=(Portal("县", (url,), crawl=settings),))
    db = open_db(str(tmp_path / "n.db"))
    [result] = crawl_all(config, db, now="2026-02-10T12:00:00+00:00")
    return db, result


def _reports(db: sqlite_utils.Database) -> set[str]:
    return {r["agency"] for r in db.query("SELECT agency FROM reports WHERE is_current = 1")}


def _columns(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(
        db.query("SELECT cms, declared_pages, declared_records, read_pages, read_records, complete FROM crawl_columns")
    )


VARIANTS: dict[str, tuple[Callable[[Site, list[variants.Item]], str], int, dict[str, object]]] = {
    # name: (build, items, what the column's evidence must say)
    "hanweb, nothing embedded, 5×3 groups, window in the form": (
        lambda s, i: variants.hanweb(s, i, per_page=5, group_size=3, embedded=False, window="form"),
        52,
        {"cms": "hanweb", "declared_records": 52, "read_records": 52},
    ),
    "hanweb, first group embedded, 10×2 groups, window in the URL": (
        lambda s, i: variants.hanweb(s, i, per_page=10, group_size=2, embedded=True, window="url"),
        23,
        {"cms": "hanweb", "declared_records": 23, "read_records": 23},
    ),
    "jpaas, pages of 10 until a short one": (
        lambda s, i: variants.jpaas(s, i, page_size=10),
        23,
        {"cms": "jpaas", "declared_pages": 3},
    ),
    "gkmlpt, 152 in pages of 100": (
        variants.gkmlpt,
        152,
        {"cms": "gkmlpt", "declared_records": 152, "read_records": 152},
    ),
    "plain pager, 共3页": (
        lambda s, i: variants.plain(s, i, per_page=10),
        25,
        {"cms": "generic", "declared_pages": 3, "read_pages": 3},
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.slow
def test_each_cms_variant_is_read_completely_with_its_evidence(site: Site, tmp_path: Path, name: str) -> None:
    build, count, evidence = VARIANTS[name]
    listed = variants.items(count, REPORTS, prefix="/art")
    db, result = _crawl(build(site, listed), tmp_path)
    assert result.outcome == "complete", result.why_partial
    assert _reports(db) == set(REPORTS)
    [column] = _columns(db)
    assert {k: column[k] for k in evidence} == evidence and column["complete"] == 1


@pytest.mark.slow
def test_a_report_article_split_over_two_pages_is_read_whole(site: Site, tmp_path: Path) -> None:
    sample = SampleReport(agency="某某县卫生健康局", year=2025, applications=balanced(4))
    db, result = _crawl(variants.trs_split(site, sample), tmp_path)
    assert result.outcome == "complete"
    [row] = list(
        db.query(
            "SELECT c.value FROM report_cells c JOIN reports r ON r.id = c.report_id "
            "WHERE r.agency = '某某县卫生健康局' AND c.row_key = 'new' AND c.column_key = 'total'"
        )
    )
    assert row["value"] == 4  # table 3 is on the second page
    assert site.requested("/xxgk/nb/202601/t20260120_4401_1.html")


def _no_missing(db: sqlite_utils.Database, agency: str) -> None:
    config = Config(portals=(Portal("县", ("http://127.0.0.1/",)),), agencies=(Agency(agency, "department", "县"),))
    run_checks(db, config, as_of=date(2026, 4, 1), now="2026-04-01T00:00:00")
    kinds = {f.kind for f in list_findings(db, include_closed=True) if f.agency == agency}
    assert "missing" not in kinds and "not_assessable" in kinds


@pytest.mark.slow
def test_a_cap_makes_the_pass_partial_and_nobody_missing(site: Site, tmp_path: Path) -> None:
    listed = variants.items(25, REPORTS, prefix="/art")
    db, result = _crawl(variants.plain(site, listed, per_page=10), tmp_path, replace(SETTINGS, max_pages=2))
    assert result.outcome == "partial"
    assert any("max_pages" in reason for reason in result.why_partial)
    _no_missing(db, "某某县审计局")


@pytest.mark.slow
def test_a_failing_list_page_makes_the_pass_partial(site: Site, tmp_path: Path) -> None:
    listed = variants.items(25, REPORTS, prefix="/art")
    db, result = _crawl(variants.plain(site, listed, per_page=10, broken_page=2), tmp_path)
    assert result.outcome == "partial"
    [column] = _columns(db)
    assert column["complete"] == 0 and column["read_pages"] == 2 and column["declared_pages"] == 3
    _no_missing(db, "某某县审计局")


def _kinds(db: sqlite_utils.Database, url: str, agencies: tuple[str, ...]) -> dict[str, set[str]]:
    config = Config(
        portals=(Portal("县", (url,)),),
        agencies=tuple(Agency(a, "department", "县") for a in agencies),
    )
    run_checks(db, config, as_of=date(2026, 4, 1), now="2026-04-01T00:00:00")
    found = list_findings(db, include_closed=True)
    return {a: {f.kind for f in found if f.agency == a} for a in agencies}


@pytest.mark.slow
def test_a_listed_report_failing_after_its_retries_withholds_its_own_verdict_only(site: Site, tmp_path: Path) -> None:
    listed = variants.items(25, REPORTS, prefix="/art")
    url = variants.plain(site, listed, per_page=10)
    broken = next(i for i in listed if i.report and i.report.agency == "某某县教育局")
    site.add(broken.path, Answer(503, b"busy"))
    db, result = _crawl(url, tmp_path)
    # the lists were read completely: the failed entry is in the ledger, not a reason to doubt the portal
    assert result.outcome == "complete" and result.why_partial == []
    [failed] = [e for e in result.entries if e.fate == "failed"]
    assert failed.reason == "http_5xx" and failed.title.startswith("某某县教育局")
    kinds = _kinds(db, url, ("某某县教育局", "某某县审计局"))
    assert kinds["某某县教育局"] == {"unreadable"}  # found, with the failure: never missing
    assert kinds["某某县审计局"] == {"missing"}  # no entry could be its report, and every column was read


@pytest.mark.slow
def test_a_one_page_list_is_complete_on_positive_evidence(site: Site, tmp_path: Path) -> None:
    listed = variants.items(8, REPORTS, prefix="/art")
    url = variants.unknown(site, listed)
    db, result = _crawl(url, tmp_path)
    assert result.outcome == "complete", result.why_partial
    [column] = list(db.query("SELECT declared_pages, declared_how, complete FROM crawl_columns"))
    assert column == {"declared_pages": 1, "declared_how": "one page, no pager, 3 entries", "complete": 1}
    assert _kinds(db, url, ("某某县审计局",))["某某县审计局"] == {"missing"}


@pytest.mark.slow
def test_a_portal_may_demand_a_declared_size(site: Site, tmp_path: Path) -> None:
    listed = variants.items(8, REPORTS, prefix="/art")
    url = variants.unknown(site, listed)
    db, result = _crawl(url, tmp_path, replace(SETTINGS, one_page_evidence=False))
    assert result.outcome == "partial"
    [column] = _columns(db)
    assert column["complete"] == 0 and column["declared_pages"] is None
    _no_missing(db, "某某县审计局")


@pytest.mark.parametrize("build", [variants.load_more, variants.cut], ids=["加载更多 by script", "cut mid-list"])
@pytest.mark.slow
def test_a_one_page_list_without_proof_is_never_complete(
    site: Site, tmp_path: Path, build: Callable[[Site, list[variants.Item]], str]
) -> None:
    listed = variants.items(12, REPORTS, prefix="/art")
    url = build(site, listed)
    db, result = _crawl(url, tmp_path)
    assert result.outcome == "partial"
    [column] = list(db.query("SELECT complete, reason FROM crawl_columns"))
    assert column["complete"] == 0
    if build is variants.load_more:
        assert "加载更多" in column["reason"]
    _no_missing(db, "某某县审计局")
