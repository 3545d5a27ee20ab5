"""A full crawl of the sample portal (VSB, TRS in GBK, Hanweb, a 412 host) over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from crawler.crawl import CrawlResult
from nianbao.crawl_runner import crawl_all
from nianbao.sample.portal import SamplePortal, default_plan
from storage.db import open_db

CAP = 1_000_000

Crawled = tuple[sqlite_utils.Database, dict[str, CrawlResult]]  # the database and each portal's result


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(default_plan(), huge_bytes=3 * CAP) as running:
        yield running


@pytest.fixture(scope="module")
def crawled(portal: SamplePortal, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    path = str(tmp_path_factory.mktemp("crawl") / "n.db")
    config = portal.config(path, max_bytes=CAP)
    db = open_db(path)
    results = {r.portal: r for r in crawl_all(config, db, now="2026-02-01T12:00:00+00:00")}
    return db, results


def _stored(db: sqlite_utils.Database) -> set[tuple[str, int]]:
    return {(r["agency"], r["year"]) for r in db.query("SELECT agency, year FROM reports WHERE is_current = 1")}


@pytest.mark.slow
def test_every_report_found_and_parsed(portal: SamplePortal, crawled: Crawled) -> None:
    db, results = crawled
    outcomes = {name: r.outcome for name, r in results.items()}
    assert outcomes == {
        "某某县人民政府": "complete",  # two listed reports cannot be fetched: failed entries, not unread lists
        "某某县部门信息公开(TRS)": "complete",
        "某某县政府部门(大汉)": "complete",
        "某某省人民政府": "blocked",
    }
    assert results["某某县人民政府"].why_partial == []
    failed = {(e.title, e.reason) for e in results["某某县人民政府"].entries if e.fate == "failed"}
    assert failed == {
        ("某某县审计局2025年政府信息公开工作年度报告", "soft404"),
        ("某某县档案馆2025年政府信息公开工作年度报告", "robots"),
        ("某某县2025年政府信息公开工作年度报告（镜像）", "off_scope"),  # another host: never asked for, never dropped
    }
    drafts = [e for e in results["某某县人民政府"].entries if e.reason == "draft"]
    assert [d.fate for d in drafts] == ["not_report"]  # the 送审稿 is no report: not fetched, no doubt
    # listed but not fetched: found, with the failure (never missing)
    fetch_errors = {
        r["agency"]: r["fetch_error"]
        for r in db.query("SELECT agency, fetch_error FROM document_urls WHERE fetch_error IS NOT NULL")
    }
    assert set(fetch_errors) == {"某某县审计局", "某某县档案馆", "某某县"} and "soft404" in fetch_errors["某某县审计局"]
    # GBK without charset, cut titles, 503-twice and slow pages, and the PDF-only report included
    assert _stored(db) == portal.expected
    attachment = next(p for p in portal.plan if p.attachment)
    pdfs = list(
        db.query(
            "SELECT u.url, u.filename, d.content FROM document_urls u JOIN documents d USING (sha256) "
            "WHERE u.url LIKE '%download.jsp%' AND u.url LIKE ?",
            [f"%wbfileid={attachment.article_id}"],
        )
    )
    assert pdfs and pdfs[0]["content"].startswith(b"%PDF")  # no extension in the URL: sniffed, Referer sent
    assert (
        pdfs[0]["filename"].endswith(".pdf") and "政府信息公开工作报告" in pdfs[0]["filename"]
    )  # Content-Disposition kept
    # the damaged upload (a PDF's first 200 bytes) ends without %%EOF: a failed fetch, recorded, never stored;
    # and the crawl went on
    [damaged] = [reason for url, reason in results["某某县人民政府"].errors if "/files/" in url]
    assert damaged.startswith("truncated: a PDF of 200 bytes without %%EOF")
    assert not list(db.query("SELECT url FROM document_urls WHERE url LIKE '%/files/%'"))


@pytest.mark.slow
def test_duplicate_urls_stored_once(crawled: Crawled) -> None:
    db, _ = crawled
    rows = list(
        db.query(
            "SELECT count(DISTINCT url) AS urls, count(DISTINCT sha256) AS docs FROM document_urls "
            "WHERE url LIKE '%1327303%'"
        )
    )
    assert rows == [{"urls": 2, "docs": 1}]
    assert db.execute("SELECT count(*) FROM reports WHERE agency = '某某县马关镇人民政府'").fetchone()[0] == 1


@pytest.mark.slow
def test_never_requests_disallowed_or_offsite(portal: SamplePortal, crawled: Crawled) -> None:
    db, _ = crawled
    county = portal.sites["county"]
    assert not [r for r in county.log if r.path.startswith("/zfxxgk/nbgl/")]
    assert portal.sites["offsite"].log == []
    outcomes = {r["outcome"] for r in db.query("SELECT outcome FROM fetches WHERE url LIKE '%nbgl%'")}
    assert outcomes == {"robots"}
    assert db.execute("SELECT count(*) FROM fetches WHERE outcome = 'out_of_scope'").fetchone()[0] >= 1


@pytest.mark.slow
def test_faults_are_recorded_and_the_crawl_goes_on(portal: SamplePortal, crawled: Crawled) -> None:
    db, results = crawled
    fetches = list(db.query("SELECT url, status, outcome FROM fetches"))
    assert [f for f in fetches if f["outcome"] == "soft404"]
    assert [f for f in fetches if f["outcome"] == "too_large"]
    retries = [f for f in fetches if f["status"] == 503]
    assert len(retries) == 2 and all(f["outcome"] == "retry" for f in retries)
    blocked = [f for f in fetches if f["status"] == 412 and "robots" not in f["url"]]
    assert len(blocked) == 1 and blocked[0]["outcome"] == "blocked"  # not retried endlessly
    assert results["某某县人民政府"].errors  # recorded, not raised
    runs = {r["portal"]: r["outcome"] for r in db.query("SELECT portal, outcome FROM crawl_runs")}
    assert runs["某某省人民政府"] == "blocked"


@pytest.mark.slow
def test_second_pass_is_conditional_and_downloads_nothing_unchanged(portal: SamplePortal, tmp_path: Path) -> None:
    path = str(tmp_path / "n.db")
    db = open_db(path)
    config = portal.config(path, max_bytes=CAP)
    crawl_all(config, db, now="2026-02-01T12:00:00+00:00")
    before = {t: db[t].count for t in ("documents", "reports")}
    first_id = db.execute("SELECT max(id) FROM fetches").fetchone()[0]
    crawl_all(config, db, now="2026-02-02T12:00:00+00:00")
    second = list(
        db.query(
            "SELECT url, status, outcome FROM fetches WHERE id > ? AND status = 200 AND outcome = 'ok' "
            "AND url NOT LIKE '%robots.txt' AND url NOT LIKE '%dataproxy%'",
            [first_id],
        )
    )
    assert second == []  # every page and document answered 304 (the data proxy is a POST)
    assert db.execute("SELECT count(*) FROM fetches WHERE id > ? AND status = 304", [first_id]).fetchone()[0] > 20
    assert {t: db[t].count for t in before} == before


@pytest.mark.slow
def test_interrupted_pass_resumes_without_refetching(portal: SamplePortal, tmp_path: Path) -> None:
    path = str(tmp_path / "n.db")
    db = open_db(path)
    config = portal.config(path, max_bytes=CAP)
    crawl_all(config, db, now="2026-02-01T12:00:00+00:00")
    db.execute("UPDATE crawl_runs SET finished_at = NULL, outcome = 'running'")  # as if killed mid-pass
    hanweb = portal.sites["hanweb"]
    seen = len(hanweb.log)
    crawl_all(config, db, now="2026-02-01T12:30:00+00:00")
    articles = [r for r in hanweb.log[seen:] if r.path.startswith("/art/")]
    assert articles == []
    assert db.execute("SELECT count(*) FROM crawl_runs WHERE outcome = 'interrupted'").fetchone()[0] == 4
