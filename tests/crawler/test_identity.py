"""One report, however it is reached: the same township report listed in the county's column and in
the township's own sub-site (as zjc.gov.cn lists it), with other page chrome and another link to the
same attachment, is one report with several URLs — not a changed one.  A new date alone is no
change either; an edited number is, and the finding names the cell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from checks.run import run_checks
from nianbao.core.config import Agency, Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample.pdf import tiny_pdf
from nianbao.sample.reports import SampleReport, mixed, report_text
from nianbao.sample.server import Answer, Site, start, stop
from nianbao.sample.wordhtml import render
from storage.db import open_db
from storage.findings import list_findings
from storage.reports import urls_of

AGENCY = "某某县马关镇人民政府"
HTML = {"Content-Type": "text/html; charset=utf-8"}
COUNTY_CRUMB = "当前位置: 首页 &gt;&gt; 政府信息公开 &gt;&gt; 政府信息公开年报 &gt;&gt; 2025年 &gt;&gt; 各乡镇2025年政府信息公开年报"
TOWN_CRUMB = "当前位置: 首页 &gt;&gt; 部门乡镇信息公开 &gt;&gt; 乡镇信息公开 &gt;&gt; 马关镇 &gt;&gt; 政府信息公开年报"


def _page(apps: dict[str, list[int]], *, crumb: str, attachment: str, pub: str) -> bytes:
    sample = SampleReport(agency=AGENCY, year=2025, applications=apps)
    page = render(report_text(sample), title=sample.title, pub_date=pub, attachments=[(attachment, "附件.pdf")])
    page = page.replace(
        '当前位置: <a href="../index.htm">首页</a> &gt;&gt; 政府信息公开 &gt;&gt; 政府信息公开年报 &gt;&gt; 正文', crumb
    )
    return page.replace("浏览次数:", f"浏览次数: {len(crumb)}").encode()


def _list(links: list[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="{href}">{title}</a><span>2026-01-20</span></li>' for href, title in links)
    return f'<html><head><script src="/system/resource/js/x.js"></script></head><body><ul>{items}</ul></body></html>'.encode()


def _publish(site: Site, apps: dict[str, list[int]], pub: str) -> None:
    title = f"{AGENCY}2025年度政府信息公开工作报告"
    site.add("/zfxxgk/nb.htm", Answer(200, _list([("/info/1/100.htm", title)]), HTML))
    site.add("/mgz/nb.htm", Answer(200, _list([("/mgz/info/100.htm", title)]), HTML))
    site.add("/info/1/100.htm", Answer(200, _page(apps, crumb=COUNTY_CRUMB, attachment="/files/a.pdf", pub=pub), HTML))
    site.add(
        "/mgz/info/100.htm", Answer(200, _page(apps, crumb=TOWN_CRUMB, attachment="/mgz/files/100.pdf", pub=pub), HTML)
    )
    for path in ("/files/a.pdf", "/mgz/files/100.pdf"):
        site.add(path, Answer(200, tiny_pdf("attachment"), {"Content-Type": "application/pdf"}))


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("county")
    start([portal])
    yield portal
    stop([portal])


@pytest.mark.slow
def test_one_report_under_two_urls_then_a_changed_number(site: Site, tmp_path: Path) -> None:
    settings = CrawlSettings(interval=0.0, timeout=5.0)
    config = Config(
        portals=(Portal("县", (site.url("/zfxxgk/nb.htm"), site.url("/mgz/nb.htm")), crawl=settings),),
        agencies=(Agency(AGENCY, "township", "县"),),
    )
    db = open_db(str(tmp_path / "n.db"))
    _publish(site, mixed(6), "2026-01-20")
    crawl_all(config, db, now="2026-02-01T12:00:00+00:00")
    [report] = list(db.query("SELECT id, version FROM reports WHERE agency = ?", [AGENCY]))
    assert report["version"] == 1
    assert {u.rsplit(":", 2)[-1].split("/", 1)[1] for u in urls_of(db, report["id"])} == {
        "info/1/100.htm",
        "mgz/info/100.htm",
    }
    run_checks(db, config, as_of=date(2026, 2, 2), now="2026-02-02T00:00:00")
    assert not [f for f in list_findings(db) if f.kind == "changed"]

    _publish(site, mixed(6), "2026-01-25")  # re-published with a new date, the same content
    crawl_all(config, db, now="2026-02-03T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 2, 3), now="2026-02-03T00:00:00")
    assert db.execute("SELECT max(version) FROM reports WHERE agency = ?", [AGENCY]).fetchone()[0] == 1
    assert not [f for f in list_findings(db) if f.kind == "changed"]

    edited = mixed(6)
    edited["new"] = [6, 1, 0, 0, 0, 0, 7]  # one application more from a natural person
    _publish(site, edited, "2026-01-25")
    crawl_all(config, db, now="2026-02-04T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 2, 4), now="2026-02-04T00:00:00")
    [changed] = [f for f in list_findings(db) if f.kind == "changed"]
    assert "applications.new.natural_person 5 → 6" in changed.message
    assert "applications.new.total 6 → 7" in changed.message
    assert changed.evidence["cells"] == ["applications.new.natural_person 5 → 6", "applications.new.total 6 → 7"]
