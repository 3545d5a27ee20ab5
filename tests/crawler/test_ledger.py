"""The ledger and scoped doubt (issue 21): every list entry read ends in one recorded fate, and a
doubt withholds only the verdicts it could change — so the true `missing` is found where the
evidence allows it, and none where a failure could hide the report.

Each test builds a loopback portal with one fault of a kind seen on real or hostile portals, crawls
it, runs the checks as of 1 April 2026 (every 2025 deadline passed), and looks at the verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from checks.run import run_checks
from crawler.crawl import ColumnRead, CrawlResult
from crawler.listing import Declared
from nianbao.core.config import Agency, Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample import variants
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.server import Answer, Site, start, stop
from nianbao.sample.wordhtml import render
from storage.db import open_db
from storage.findings import list_findings
from storage.ledger import ledger_violations
from tests.conftest import answer_at

SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=0)
UTF8 = {"Content-Type": "text/html; charset=utf-8"}
AS_OF = date(2026, 4, 1)
HONGQI = "某某县红旗乡人民政府"  # its report is really missing everywhere below
LONGSHAN = "某某县龙山镇人民政府"  # published, on time


@pytest.fixture()
def sites() -> Iterator[tuple[Site, Site]]:
    home, other = Site("portal", fallback=variants_soft404()), Site("elsewhere")
    start([home, other])
    yield home, other
    stop([home, other])


def variants_soft404() -> Answer:
    page = "<html><head><title>提示信息</title></head><body>对不起，您访问的页面不存在或已被删除！</body></html>"
    return Answer(200, page.encode(), UTF8)


def _report(site: Site, path: str, agency: str, *, pub: str | None = "2026-01-10 09:00") -> str:
    sample = SampleReport(agency=agency, year=2025, applications=balanced(2))
    site.add(path, Answer(200, render(report_text(sample), title=sample.title, pub_date=pub).encode(), UTF8))
    return sample.title


def _list(items: list[tuple[str, str, str]], extra: str = "") -> bytes:
    """A one-page list (no pager, closed, ended): entries as (href, title, date)."""
    lis = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for h, t, d in items)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>{variants.CHROME}'
        f'<ul class="list">{lis}</ul>{extra}{variants.FOOTER}</body></html>'
    ).encode()


def _crawl(
    tmp_path: Path, urls: tuple[str, ...], *, agencies: tuple[str, ...] = (HONGQI, LONGSHAN)
) -> tuple[sqlite_utils.Database, CrawlResult, dict[str, set[str]]]:
    """Crawl, check, and give the open verdict kinds per watched agency for 2025."""
    portal = Portal("某某县人民政府", urls, crawl=SETTINGS)
    config = Config(portals=(portal,), agencies=tuple(Agency(a, "township", portal.name) for a in agencies))
    db = open_db(str(tmp_path / "n.db"))
    [result] = crawl_all(config, db, now="2026-03-01T12:00:00+00:00")
    run_checks(db, config, as_of=AS_OF, now="2026-04-01T00:00:00")
    assert ledger_violations(db) == []
    found = list_findings(db, include_closed=True)
    return db, result, {a: {f.kind for f in found if f.agency == a and f.year == 2025} for a in agencies}


def _fates(result: CrawlResult) -> dict[str, tuple[str, str]]:
    return {e.title: (e.fate, e.reason) for e in result.entries}


# ---- doubt too coarse: a verdict wherever the evidence allows -------------------------------------


@pytest.mark.slow
def test_a_draft_under_a_robots_path_is_no_report_and_the_missing_township_is_found(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    site, _ = sites
    site.add("/robots.txt", Answer(200, b"User-agent: *\nDisallow: /drafts/\n"))
    title = _report(site, "/art/1.html", LONGSHAN)
    draft = "某某县某某镇人民政府2025年度政府信息公开工作报告（送审稿）"
    site.add(
        "/nb/index.html",
        Answer(200, _list([("/art/1.html", title, "2026-01-10"), ("/drafts/7.html", draft, "")]), UTF8),
    )
    _, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert result.outcome == "complete"
    assert _fates(result)[draft] == ("not_report", "draft")
    assert not [r for r in site.log if r.path.startswith("/drafts/")]  # never asked for
    assert kinds == {HONGQI: {"missing"}, LONGSHAN: set()}


@pytest.mark.slow
def test_a_dead_link_of_an_unwatched_agency_withholds_nobody(sites: tuple[Site, Site], tmp_path: Path) -> None:
    site, _ = sites
    title = _report(site, "/art/1.html", LONGSHAN)
    dead = "某某县审计局2025年政府信息公开工作年度报告"
    items = [("/art/1.html", title, "2026-01-10"), ("/art/404.html", dead, "2026-01-09")]  # a soft 404
    site.add("/nb/index.html", Answer(200, _list(items), UTF8))
    db, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert _fates(result)[dead] == ("failed", "soft404")
    assert kinds == {HONGQI: {"missing"}, LONGSHAN: set()}
    [finding] = [f for f in list_findings(db, include_closed=True) if f.agency == HONGQI]
    assert finding.evidence["failed_entries"] == 1  # quoted: one entry failed, and it could not be this report


@pytest.mark.slow
def test_a_dead_link_that_could_be_the_report_withholds_that_verdict_only(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    site, _ = sites
    title = _report(site, "/art/1.html", LONGSHAN)
    dead = "红旗乡2025年政府信息公开工作年度报告"  # written without the county: still could be 某某县红旗乡's
    items = [("/art/1.html", title, "2026-01-10"), ("/art/404.html", dead, "2026-01-09")]
    site.add("/nb/index.html", Answer(200, _list(items), UTF8))
    watched = (HONGQI, LONGSHAN, "某某县恭门镇人民政府")
    db, _, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),), agencies=watched)
    assert kinds[HONGQI] == {"not_assessable"} and kinds["某某县恭门镇人民政府"] == {"missing"}
    [finding] = [f for f in list_findings(db, include_closed=True) if f.agency == HONGQI]
    assert "红旗乡2025年政府信息公开工作年度报告" in finding.message and "soft 404" in finding.message


@pytest.mark.slow
def test_one_column_however_it_is_linked(sites: tuple[Site, Site], tmp_path: Path) -> None:
    """A TRS column reached as `…/zfxxgknb/` and as `…/zfxxgknb/index.html` is one column, read once."""
    site, _ = sites
    titles = [_report(site, f"/xxgk/zfxxgknb/t{n}.html", a) for n, a in enumerate((LONGSHAN, "某某县恭门镇人民政府"))]
    for number, name in enumerate(("index.html", "index_1.html")):
        lis = f'<li><a href="./t{number}.html">{titles[number]}</a><span>2026-01-1{number}</span></li>'
        page = (
            f"<html><head><title>年报</title></head><body><ul>{lis}</ul>"
            '<a href="./index.html">政府信息公开年报</a>'  # the column linking itself, as TRS templates do
            f'<script>createPageHTML(2, {number}, "index", "html");</script></body></html>'
        )
        site.add(f"/xxgk/zfxxgknb/{name}", Answer(200, page.encode(), UTF8))
    site.add("/xxgk/zfxxgknb/", Answer(200, answer_at(site, "/xxgk/zfxxgknb/index.html").body, UTF8))
    urls = (site.url("/xxgk/zfxxgknb/"), site.url("/xxgk/zfxxgknb/index.html"))
    db, result, kinds = _crawl(tmp_path, urls)
    assert result.outcome == "complete" and len(result.columns) == 1, result.why_partial
    assert result.columns[0].read_pages == 2
    assert kinds == {HONGQI: {"missing"}, LONGSHAN: set()}


@pytest.mark.parametrize(
    ("answer", "cause", "word"),
    [
        (None, "refused", "refused the connection"),
        ("dns", "dns", "does not resolve"),
        (Answer(503, b"busy"), "http_5xx", "server error"),
        (Answer(412, b"<script>$_ts=window['$_ts'];$_ts.nsd=1;</script>"), "challenge", "anti-bot"),
    ],
    ids=["connection refused", "DNS failure", "HTTP 503", "瑞数 challenge"],
)
@pytest.mark.slow
def test_say_what_happened_to_a_portal_and_only_that(
    sites: tuple[Site, Site], tmp_path: Path, answer: Answer | str | None, cause: str, word: str
) -> None:
    site, _ = sites
    if answer is None:
        url = "http://127.0.0.1:9/nb/index.html"  # the discard port: nothing listens
    elif answer == "dns":
        url = "http://nianbao-test.invalid/nb/index.html"  # a name no resolver knows (RFC 6761)
    else:
        assert isinstance(answer, Answer)
        site.add("/nb/index.html", answer)
        url = site.url("/nb/index.html")
    db, result, kinds = _crawl(tmp_path, (url,))
    assert result.cause == cause
    assert result.outcome == ("blocked" if cause == "challenge" else "unreachable")
    [portal] = [
        f for f in list_findings(db, include_closed=True) if f.rule is not None and f.rule.startswith("portal.")
    ]
    assert word in portal.message and portal.said is not None
    if cause != "challenge":
        assert "blocked" not in portal.message and "拦截" not in portal.said.text("zh_CN")
    assert kinds == {HONGQI: {"not_assessable"}, LONGSHAN: {"not_assessable"}}


# ---- evidence leaking: no verdict without evidence ------------------------------------------------


@pytest.mark.parametrize("how", ["link", "redirect"])
@pytest.mark.slow
def test_a_report_on_another_host_is_a_failed_entry_not_a_missing_report(
    sites: tuple[Site, Site], tmp_path: Path, how: str
) -> None:
    site, other = sites
    title = _report(other, "/art/9.html", HONGQI)
    if how == "link":
        href = other.url("/art/9.html")
    else:
        href = "/go/9.html"
        site.add(href, Answer(302, b"", {"Location": other.url("/art/9.html")}))
    site.add("/nb/index.html", Answer(200, _list([(href, title, "2026-01-10")]), UTF8))
    _, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert result.outcome == "complete"
    assert _fates(result)[title] == ("failed", "off_scope")
    assert other.log == []  # never requested
    assert "missing" not in kinds[HONGQI] and kinds[LONGSHAN] == {"missing"}


@pytest.mark.slow
def test_a_304_to_a_request_without_validators_is_a_failed_entry(sites: tuple[Site, Site], tmp_path: Path) -> None:
    site, _ = sites
    title = SampleReport(agency=HONGQI, year=2025, applications=balanced(1)).title
    site.add("/art/1.html", Answer(304, b""))
    site.add("/nb/index.html", Answer(200, _list([("/art/1.html", title, "2026-01-10")]), UTF8))
    _, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert _fates(result)[title] == ("failed", "unasked_304")
    assert "missing" not in kinds[HONGQI]


@pytest.mark.slow
def test_a_list_date_belongs_to_its_own_entry_only(sites: tuple[Site, Site], tmp_path: Path) -> None:
    """Dates standing after the links inside one <div>: the first date is not every link's."""
    site, _ = sites
    late = _report(site, "/art/1.html", "某某县恭门镇人民政府", pub=None)  # its page gives no date
    on_time = _report(site, "/art/2.html", LONGSHAN, pub=None)
    box = (
        f'<div class="list"><a href="/art/1.html">{late}</a><a href="/art/2.html">{on_time}</a>'
        "<span>2026-03-20</span><span>2026-01-10</span></div>"
    )
    page = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{box}</body></html>'
    site.add("/nb/index.html", Answer(200, page.encode(), UTF8))
    _, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),), agencies=("某某县恭门镇人民政府", LONGSHAN))
    assert all(e.date is None and e.date_uncertain for e in result.entries)
    assert "late" not in kinds["某某县恭门镇人民政府"] and "late" not in kinds[LONGSHAN]


@pytest.mark.slow
def test_a_list_date_in_its_own_row_is_used(sites: tuple[Site, Site], tmp_path: Path) -> None:
    site, _ = sites
    title = _report(site, "/art/1.html", LONGSHAN, pub=None)
    rows = f'<table><tr><td><a href="/art/1.html">{title}</a></td><td>2026-03-20</td></tr></table>'
    page = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{rows}</body></html>'
    site.add("/nb/index.html", Answer(200, page.encode(), UTF8))
    _, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),), agencies=(LONGSHAN,))
    assert [e.date for e in result.entries] == ["2026-03-20"]
    assert kinds[LONGSHAN] == {"late"}  # the townships' deadline was 31 January


# ---- a column not read completely: its agencies, for the years its unread pages could hold ----------


def _paged(site: Site, pages: list[list[tuple[str, str, str]]], *, broken: int | None = None) -> str:
    for number, items in enumerate(pages, start=1):
        lis = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for h, t, d in items)
        body = f"<html><body><ul>{lis}</ul><div>共{len(pages)}页 " + "".join(
            f'<a href="/nb/list?page={k}">{k}</a>' for k in range(1, len(pages) + 1)
        )
        answer = (
            Answer(500, b"busy") if number == broken else Answer(200, (body + "</div></body></html>").encode(), UTF8)
        )
        site.add(f"/nb/list?page={number}", answer)
    return site.url("/nb/list?page=1")


@pytest.mark.slow
def test_an_unread_old_page_withholds_old_years_only(sites: tuple[Site, Site], tmp_path: Path) -> None:
    """Newest first, proven by the dates read: page 3 of 3 failing can hold reports of 2024 and
    earlier only (its entries are dated on or before 2025-01-08), so 2025's verdicts stand."""
    site, _ = sites
    new = _report(site, "/art/1.html", LONGSHAN)
    old = [f"某某县{n}局2024年政府信息公开工作年度报告" for n in ("甲", "乙", "丙")]
    pages = [
        [("/art/1.html", new, "2026-01-10"), ("/art/2.html", old[0], "2025-01-10")],
        [("/art/3.html", old[1], "2025-01-09"), ("/art/4.html", old[2], "2025-01-08")],
        [("/art/5.html", "某某县丁局2024年政府信息公开工作年度报告", "2025-01-07")],
    ]
    url = _paged(site, pages, broken=3)
    db, result, kinds = _crawl(tmp_path, (url,))
    assert result.outcome == "partial"
    [column] = list(db.query("SELECT complete, unread_upto FROM crawl_columns"))
    assert column == {"complete": 0, "unread_upto": 2024}
    assert kinds == {HONGQI: {"missing"}, LONGSHAN: set()}


@pytest.mark.slow
def test_an_unread_page_withholds_every_year_when_the_order_is_not_proven(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    site, _ = sites
    new = _report(site, "/art/1.html", LONGSHAN)
    pages = [
        [("/art/2.html", "某某县甲局2024年政府信息公开工作年度报告", "2025-01-10"), ("/art/1.html", new, "2026-01-10")],
        [("/art/3.html", "某某县乙局2024年政府信息公开工作年度报告", "2025-01-09")],
    ]
    url = _paged(site, pages, broken=2)
    db, _, kinds = _crawl(tmp_path, (url,))
    [column] = list(db.query("SELECT unread_upto, unread_order FROM crawl_columns"))
    assert column["unread_upto"] is None and "not proven" in column["unread_order"]
    assert kinds[HONGQI] == {"not_assessable"}
    [finding] = [f for f in list_findings(db, include_closed=True) if f.agency == HONGQI]
    assert "was not read completely" in finding.message


@pytest.mark.slow
def test_the_ledger_adds_up_and_is_stored(sites: tuple[Site, Site], tmp_path: Path) -> None:
    site, other = sites
    site.add("/robots.txt", Answer(200, b"User-agent: *\nDisallow: /private/\n"))
    stored = _report(site, "/art/1.html", LONGSHAN)
    items = [
        ("/art/1.html", stored, "2026-01-10"),
        ("/art/404.html", "某某县审计局2025年政府信息公开工作年度报告", "2026-01-09"),
        ("/private/2.html", "某某县档案馆2025年政府信息公开工作年度报告", "2026-01-08"),
        (other.url("/x.html"), "某某县水务局2025年政府信息公开工作年度报告", "2026-01-07"),
        ("/art/draft.html", "某某县水务局2025年政府信息公开工作年度报告（征求意见稿）", "2026-01-06"),
        ("/art/web.html", "某某县人民政府网站2025年工作年度报表", "2026-01-05"),
        ("/art/news.html", "关于开展政务公开培训的通知", "2026-01-04"),  # news: no entry of the ledger
    ]
    site.add("/nb/index.html", Answer(200, _list(items), UTF8))
    db, result, _ = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert result.ledger() == {
        result.columns[0].key: {"listed": 6, "stored": 1, "not_report": 2, "failed": 3},
    }
    [column] = list(db.query("SELECT listed, stored, not_report, failed FROM crawl_columns"))
    assert column == {"listed": 6, "stored": 1, "not_report": 2, "failed": 3}
    rows = {(r["fate"], r["reason"]) for r in db.query("SELECT fate, reason FROM list_entries")}
    assert rows == {
        ("stored", None),
        ("failed", "soft404"),
        ("failed", "robots"),
        ("failed", "off_scope"),
        ("not_report", "draft"),
        ("not_report", "other"),
    }
    names = {r["agency"] for r in db.query("SELECT agency FROM list_entries WHERE fate = 'failed'")}
    assert names == {"某某县审计局", "某某县档案馆", "某某县水务局"}


@pytest.mark.parametrize(
    ("count", "second", "reason"),
    [(2, Answer(503, b"busy"), "truncated"), (1000000000, None, "too_large")],
    ids=["second page failing", "a billion pages declared"],
)
@pytest.mark.slow
def test_an_article_read_in_part_is_a_failed_entry_not_a_report(
    sites: tuple[Site, Site], tmp_path: Path, count: int, second: Answer | None, reason: str
) -> None:
    """A TRS article split over pages: a part that cannot be had (or a pager no article has) makes
    the entry failed — a report read in part would be accused of missing parts."""
    site, _ = sites
    sample = SampleReport(agency=HONGQI, year=2025, applications=balanced(1))
    stem = "t20260120_1"
    page = render(report_text(sample), title=sample.title, pub_date="2026-01-10 09:00").replace(
        "</body>", f'<script>createPageHTML({count}, 0, "{stem}", "html");</script></body>'
    )
    site.add(f"/nb/{stem}.html", Answer(200, page.encode(), UTF8))
    if second is not None:
        site.add(f"/nb/{stem}_1.html", second)
    site.add("/nb/index.html", Answer(200, _list([(f"./{stem}.html", sample.title, "2026-01-10")]), UTF8))
    db, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert _fates(result)[sample.title] == ("failed", reason)
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert "missing" not in kinds[HONGQI] and kinds[LONGSHAN] == {"missing"}


@pytest.mark.slow
def test_a_bug_met_mid_pass_keeps_the_ledger_and_proves_nothing(
    sites: tuple[Site, Site], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error of nianbao's own (planted: the title test raises on one entry) ends that portal's
    pass as partial, every entry with a fate, and no verdict resting on the pass."""
    import crawler.crawl

    site, _ = sites
    title = _report(site, "/art/1.html", LONGSHAN)
    bad = "某某县某某局2025年工作年度报表"

    def buggy(text: str) -> str | None:
        if text == bad:
            raise RuntimeError("planted")
        return None

    monkeypatch.setattr(crawler.crawl, "not_a_report", buggy)
    site.add("/nb/index.html", Answer(200, _list([("/art/1.html", title, "2026-01-10"), ("/x.html", bad, "")]), UTF8))
    db, result, kinds = _crawl(tmp_path, (site.url("/nb/index.html"),))
    assert result.outcome == "partial" and any("crawler error" in c for c in result.capped)
    assert _fates(result)[title] == ("failed", "unsettled")  # listed before the error, never fetched
    assert kinds == {HONGQI: {"not_assessable"}, LONGSHAN: {"not_assessable"}}


def _column(numbers: dict[int, int | None], dates: dict[int, list[str | None]], unread: set[int]) -> ColumnRead:
    column = ColumnRead(
        "http://127.0.0.1/nb/list",
        declared=Declared(pages=10),
        failed=[("http://127.0.0.1/nb/list?page=3", "http_5xx")],
    )
    column.numbers, column.dates, column.unread_positions = numbers, dates, unread
    column.read_positions = set(dates)
    column.read_pages = len(dates)
    return column


def test_the_unread_years_follow_the_pages_places_in_the_list() -> None:
    """Pages 1, 2 and 4 read, page 3 failing: page 3 holds entries dated on or before page 2's last."""
    dates: dict[int, list[str | None]] = {1: ["2026-01-10", "2026-01-05"], 2: ["2025-03-01"], 4: ["2024-02-01"]}
    column = _column({1: 1, 2: 2, 3: 3, 4: 4}, dates, {3})
    assert column.unread_years()[0] == 2024
    inverted = _column({1: 1, 2: 2, 3: 3, 4: 4}, {**dates, 4: ["2026-02-01"]}, {3})  # not newest first
    assert inverted.unread_years()[0] is None


def test_a_page_of_unknown_place_leaves_the_first_page_alone_to_bound() -> None:
    """The page that failed was reached by a 下一页 link (its place unknown), and the last page by a
    尾页 link: neither page 2's dates nor the last page's may bound it — only page 1's, which comes
    before every other page."""
    dates: dict[int, list[str | None]] = {1: ["2026-01-10", "2026-01-05"], 2: ["2025-03-01"], 3: ["2019-01-01"]}
    column = _column({1: 1, 2: 2, 3: None, 4: None}, dates, {4})
    assert column.unread_years()[0] == 2025
    newer = _column({1: 1, 2: 2, 3: None, 4: None}, {**dates, 3: ["2026-02-01"]}, {4})  # page 1 not the newest
    assert newer.unread_years()[0] is None
