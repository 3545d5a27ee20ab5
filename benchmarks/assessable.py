"""Benchmark: the assessable share — of the watched (agency, year) pairs past their deadline, how
many get a verdict (on time, late, missing, inconsistent, could not be checked) instead of "not
assessable" — on the bundled sample portal and on a farm of portals that each carry the faults real
portals do.

    python benchmarks/assessable.py [--portals 30]

Each farm portal is a loopback host whose report column lists, newest first over two pages
(`共2页`): five townships' 2025 and 2024 reports (one township published no 2025 report: a true
`missing`), one dead old link (a 2019 report answering a soft 404), one draft (…（征求意见稿）)
under a path robots.txt disallows, and one report of an agency nobody watches.  The goal is every
pair: none of these faults can hide a watched pair's report.  The script also gives the share a
portal-wide doubt would leave (any failure makes the whole portal's pairs not assessable), which is
how nianbao judged before its ledger.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks.run import run_checks  # noqa: E402
from nianbao.core.config import Agency, Config, CrawlSettings, Portal  # noqa: E402
from nianbao.crawl_runner import crawl_all  # noqa: E402
from nianbao.demo import AS_OF, demo_config, demo_plan  # noqa: E402
from nianbao.sample.portal import SamplePortal  # noqa: E402
from nianbao.sample.reports import SampleReport, balanced, report_text  # noqa: E402
from nianbao.sample.server import Answer, Site, start, stop  # noqa: E402
from nianbao.sample.wordhtml import render  # noqa: E402
from storage.db import open_db  # noqa: E402

UTF8 = {"Content-Type": "text/html; charset=utf-8"}
TOWNSHIPS = ("东风乡", "红旗镇", "城关镇", "新华乡", "团结镇")
SOFT_404 = Answer(200, "<html><title>提示</title><body>对不起，您访问的页面不存在！</body></html>".encode(), UTF8)


def build(site: Site, county: str) -> tuple[str, list[str]]:
    """One portal's column; returns its URL and the watched agencies."""
    site.add("/robots.txt", Answer(200, b"User-agent: *\nDisallow: /drafts/\n"))
    watched = [f"{county}{t}人民政府" for t in TOWNSHIPS]
    entries: list[tuple[str, str, str]] = []
    for year in (2025, 2024):
        for n, agency in enumerate(watched):
            if year == 2025 and n == 1:
                continue  # 红旗镇 published no 2025 report
            sample = SampleReport(agency=agency, year=year, applications=balanced(n))
            path = f"/art/{year}/{n}.html"
            pub = f"{year + 1}-01-{20 - n:02d}"
            site.add(path, Answer(200, render(report_text(sample), title=sample.title, pub_date=pub).encode(), UTF8))
            entries.append((path, sample.title, pub))
        if year == 2025:
            entries.append(
                ("/drafts/1.html", f"{county}东风乡人民政府2025年度政府信息公开工作报告（征求意见稿）", "2026-01-08")
            )
            other = SampleReport(agency=f"{county}档案馆", year=2025, applications=balanced(0))
            site.add("/art/other.html", Answer(200, render(report_text(other), title=other.title).encode(), UTF8))
            entries.append(("/art/other.html", other.title, "2026-01-07"))
    entries.append(("/art/2019/dead.html", f"{county}城关镇人民政府2019年政府信息公开工作年度报告", "2020-01-15"))
    half = (len(entries) + 1) // 2
    for page, chunk in ((1, entries[:half]), (2, entries[half:])):
        lis = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for h, t, d in chunk)
        pager = '<a href="/nb/list?page=1">1</a><a href="/nb/list?page=2">2</a> 共2页'
        body = f"<!DOCTYPE html><html><body><ul>{lis}</ul><div>{pager}</div></body></html>"
        site.add(f"/nb/list?page={page}", Answer(200, body.encode(), UTF8))
    return site.url("/nb/list?page=1"), watched


def farm(count: int, folder: str) -> dict[str, object]:
    sites = [Site(f"p{i}", fallback=SOFT_404) for i in range(count)]
    start(sites)
    try:
        portals, agencies = [], []
        for i, site in enumerate(sites):
            county = f"某某{i}县"
            url, watched = build(site, county)
            portals.append(Portal(f"{county}人民政府", (url,), crawl=CrawlSettings(interval=0.0, timeout=5.0)))
            agencies += [Agency(a, "township", f"{county}人民政府") for a in watched]
        config = Config(portals=tuple(portals), agencies=tuple(agencies))
        db = open_db(str(Path(folder) / "farm.db"))
        started = time.monotonic()
        results = crawl_all(config, db, now="2026-03-01T12:00:00+00:00")
        counts = run_checks(db, config, as_of=AS_OF, now="2026-04-15T00:00:00")
        seconds = time.monotonic() - started
    finally:
        stop(sites)
    kinds = {r[0]: r[1] for r in db.execute("SELECT kind, count(*) FROM findings GROUP BY kind")}
    failed = sum(1 for r in results for e in r.entries if e.fate == "failed")
    clean = [r for r in results if r.outcome == "complete" and not any(e.fate == "failed" for e in r.entries)]
    portal_wide = sum(len(TOWNSHIPS) * 2 for _ in clean)  # 2024 and 2025 of every township of a clean portal
    return {
        "portals": count,
        "due": counts["pairs due"],
        "assessed": counts["pairs assessed"],
        "missing": kinds.get("missing", 0),
        "failed entries": failed,
        "portal-wide doubt would assess": portal_wide,
        "seconds": round(seconds, 1),
    }


def sample(folder: str) -> dict[str, object]:
    with SamplePortal(demo_plan()) as portal:
        config = demo_config(portal, folder)
        db = open_db(config.db_path)
        crawl_all(config, db, now="2026-04-15T00:00:00+00:00")
        counts = run_checks(db, config, as_of=date(2026, 4, 15), now="2026-04-15T00:00:00")
    return {"due": counts["pairs due"], "assessed": counts["pairs assessed"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portals", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        found = sample(folder)
        print(f"sample portal: {found['assessed']} of {found['due']} watched pairs get a verdict")
        result = farm(args.portals, folder)
    share = result["assessed"] / result["due"] if result["due"] else 1.0  # type: ignore[operator]
    print(
        f"farm of {result['portals']} portals: {result['assessed']} of {result['due']} watched pairs get a verdict "
        f"({share:.0%}); {result['missing']} true missing found; {result['failed entries']} failed entries; "
        f"a portal-wide doubt would assess {result['portal-wide doubt would assess']}; {result['seconds']} s"
    )


if __name__ == "__main__":
    main()
