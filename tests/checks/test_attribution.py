"""Identity of agencies, end to end: a county portal lists one township's report as 红旗乡人民政府 (no
county in front) and another's with a zero-width space in its title.  The configured agencies get
their reports (no false missing), the look-alike 某某县红旗镇人民政府 does not (its missing is
true), and a report of an agency nobody watches is listed as unmatched by `status` and the site."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from checks.run import run_checks
from nianbao.cli import cli
from nianbao.core.config import Agency, Config, CrawlSettings, Deadlines, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample import variants
from nianbao.sample.reports import SampleReport, balanced, mixed
from nianbao.sample.server import Site, start, stop
from storage.db import open_db
from storage.documents import record_unfetched
from storage.findings import list_findings
from storage.matches import unmatched
from views.site import build_site
from views.status import slug

COUNTY = "某某县人民政府"
HONGQI, HONGZHEN, MAGUAN = "某某县红旗乡人民政府", "某某县红旗镇人民政府", "某某县马关镇人民政府"
STRAY = "某某县东风乡人民政府"  # publishes on the portal, watched by nobody
SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=0)


def _item(written: str, path: str, applications: dict[str, list[int]] | None = None) -> variants.Item:
    sample = SampleReport(agency=written, year=2025, applications=applications or balanced(3))
    return variants.Item(sample.title, path, sample)


def _listed(hongqi: dict[str, list[int]] | None = None) -> list[variants.Item]:
    return [
        _item("红旗乡人民政府", "/art/1.html", hongqi),  # the page's title says 红旗乡人民政府2025年度…
        _item("某某县马关\u200b镇人民政府", "/art/2.html"),  # a zero-width space inside the name
        _item(STRAY, "/art/3.html"),
        variants.Item("关于开展政务公开培训的通知", "/art/4.html"),
    ]


def _config(url: str, *agencies: Agency) -> Config:
    return Config(
        portals=(Portal(COUNTY, (url,), crawl=SETTINGS),),  # no region: 某某县, from the government's name
        agencies=(
            Agency(COUNTY, "government", COUNTY),
            Agency(HONGQI, "township", COUNTY),
            Agency(HONGZHEN, "township", COUNTY),  # the look-alike: 镇, not 乡; it published nothing
            Agency(MAGUAN, "township", COUNTY),
            *agencies,
        ),
    )


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("county")
    start([portal])
    yield portal
    stop([portal])


def _status(db: sqlite_utils.Database) -> dict[tuple[str, int], str]:
    rows = db.query("SELECT agency, year, status FROM status_by_agency_year")
    return {(r["agency"], r["year"]): r["status"] for r in rows}


@pytest.mark.slow
def test_a_report_under_another_spelling_is_its_agencys_and_a_stray_one_is_unmatched(
    site: Site, tmp_path: Path
) -> None:
    url = variants.plain(site, _listed(), per_page=10)
    config = _config(url)
    path = str(tmp_path / "n.db")
    db = open_db(path)
    [crawled] = crawl_all(config, db, now="2026-02-10T12:00:00+00:00")
    assert crawled.outcome == "complete", crawled.why_partial
    stored = {r["agency"] for r in db.query("SELECT agency FROM reports")}
    assert stored == {"红旗乡人民政府", MAGUAN, STRAY}  # the parser dropped the zero-width space

    run_checks(db, config, as_of=date(2026, 2, 10), now="2026-02-10T13:00:00")
    found = {(f.agency, f.year, f.kind) for f in list_findings(db)}
    # the look-alike's missing is true (and the county's 2024 report, due 31 March 2025, is missing too)
    assert found == {(HONGZHEN, 2025, "missing"), (COUNTY, 2024, "missing")}
    status = _status(db)
    assert status == {
        (HONGQI, 2025): "on time",
        (MAGUAN, 2025): "on time",
        (HONGZHEN, 2025): "missing",
        (STRAY, 2025): "on time",
        (COUNTY, 2024): "missing",
    }
    [stray] = unmatched(db)
    assert (stray["portal"], stray["written"], stray["year"], stray["how"]) == (COUNTY, STRAY, 2025, "unmatched")
    assert stray["url"] == site.url("/art/3.html")

    shown = CliRunner().invoke(cli, ["status", "--db", path], catch_exceptions=False).output
    assert "未匹配的报告" in shown
    assert f"  {COUNTY}：{STRAY} 2025年度 {site.url('/art/3.html')}" in shown.splitlines()
    english = CliRunner().invoke(cli, ["status", "--db", path, "--lang", "en"], catch_exceptions=False).output
    assert "unmatched reports" in english and f"  {COUNTY}: {STRAY} 2025 {site.url('/art/3.html')}" in english

    out = tmp_path / "site"
    build_site(db, out, as_of=date(2026, 2, 10), deadlines=Deadlines(), now="2026-02-10T13:00:00")
    portal_page = (out / "portal" / f"{slug('portal', COUNTY)}.html").read_text(encoding="utf-8")
    assert "未匹配的报告" in portal_page and STRAY in portal_page and site.url("/art/3.html") in portal_page
    hongqi_page = next(p for p in (out / "agency").glob("*.html") if HONGQI in p.read_text(encoding="utf-8"))
    assert "红旗乡人民政府2025年度政府信息公开工作报告" in hongqi_page.read_text(encoding="utf-8")

    # the stray agency is watched from now on: its report is its own, nothing is unmatched any more
    run_checks(db, _config(url, Agency(STRAY, "township", COUNTY)), as_of=date(2026, 2, 10), now="2026-02-10T14:00:00")
    assert unmatched(db) == [] and "未匹配" not in CliRunner().invoke(cli, ["status", "--db", path]).output


@pytest.mark.slow
def test_a_changed_report_under_another_spelling_says_what_changed(site: Site, tmp_path: Path) -> None:
    url = variants.plain(site, _listed(mixed(6)), per_page=10)
    config = _config(url)
    db = open_db(str(tmp_path / "n.db"))
    crawl_all(config, db, now="2026-02-10T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 2, 10), now="2026-02-10T13:00:00")
    edited = mixed(6)
    edited["new"] = [6, 1, 0, 0, 0, 0, 7]
    variants.plain(site, _listed(edited), per_page=10)
    crawl_all(config, db, now="2026-02-11T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 2, 11), now="2026-02-11T13:00:00")
    [changed] = [f for f in list_findings(db) if f.kind == "changed"]
    assert changed.agency == HONGQI and "applications.new.total 6 → 7" in changed.message


@pytest.mark.slow
def test_a_look_alike_never_gets_a_report_that_could_be_two(site: Site, tmp_path: Path) -> None:
    url = variants.plain(site, _listed(), per_page=10)
    other = Portal("某某市人民政府", ("http://127.0.0.1:9/",), crawl=SETTINGS)
    config = _config(url, Agency("红旗乡人民政府", "township", other.name))  # 某某市's, configured without its city
    config = replace(config, portals=(*config.portals, other))
    path = str(tmp_path / "n.db")
    db = open_db(path)
    crawl_all(replace(config, portals=config.portals[:1]), db, now="2026-02-10T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 2, 10), now="2026-02-10T13:00:00")
    [doubt] = [r for r in unmatched(db) if r["how"] == "ambiguous"]
    assert (doubt["written"], doubt["candidates"]) == ("红旗乡人民政府", [HONGQI, "红旗乡人民政府"])
    rows = {(r["agency"], r["year"]): r for r in db.query("SELECT * FROM status_by_agency_year")}
    assert (
        rows["红旗乡人民政府", 2025]["report_id"] is None and rows["红旗乡人民政府", 2025]["status"] == "not assessable"
    )
    # neither gets it, and neither can be called missing: the report may be either's
    assert rows[HONGQI, 2025]["report_id"] is None and rows[HONGQI, 2025]["status"] == "not assessable"
    assert rows[MAGUAN, 2025]["report_id"] is not None and rows[STRAY, 2025]["report_id"] is not None
    shown = CliRunner().invoke(cli, ["status", "--db", path], catch_exceptions=False).output
    assert f"（可能是：{HONGQI}、红旗乡人民政府）" in shown


def test_an_unreadable_document_counts_for_the_agency_its_title_names(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    for n, written in enumerate(["教育局", "文化\u200b和旅游局", "某某县档案馆"]):
        record_unfetched(
            db,
            f"http://127.0.0.1/art/{n}.html",
            portal=COUNTY,
            title=f"{written}2025年度政府信息公开工作报告",
            date="2026-01-20",
            error="status 503",
            now="2026-02-10T12:00:00",
            agency=written,
            year=2025,
        )
    config = _config(
        "http://127.0.0.1/nb.html",
        Agency("某某县教育局", "department", COUNTY),
        Agency("某某县文化和旅游局", "department", COUNTY),
    )
    run_checks(db, config, as_of=date(2026, 2, 10), now="2026-02-10T13:00:00")
    kinds = {(f.agency, f.kind) for f in list_findings(db) if f.agency and "局" in f.agency}
    assert kinds == {("某某县教育局", "unreadable"), ("某某县文化和旅游局", "unreadable")}  # found, never missing
    [stray] = unmatched(db)  # the one no watched agency's, with no report behind it
    assert (stray["written"], stray["how"], stray["url"]) == (
        "某某县档案馆",
        "unmatched",
        "http://127.0.0.1/art/2.html",
    )
