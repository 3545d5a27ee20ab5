"""Bounded hostile numbers: what a portal declares is evidence, never a loop bound nor a wait.  A
pager declaring a billion pages costs what max_pages allows (the column partial, max_pages named);
a Crawl-delay or Retry-After of a day is capped and noted in the pass's record (the portal slow);
one that is no number is ignored with a note; a pager value that is no usable number makes its
column partial and the portal's other reports are still stored.  Loopback portals throughout;
time bounds are generous (a busy 2-core machine), lower bounds are what a wait cannot undercut."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils

from crawler.crawl import CrawlResult
from nianbao.core.config import Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample import variants
from nianbao.sample.server import Answer, Request, Site, start, stop
from storage.db import open_db
from tests.conftest import answer_at

ROOT = Path(__file__).resolve().parents[2]
HTML = {"Content-Type": "text/html; charset=utf-8"}
SETTINGS = CrawlSettings(interval=0.0, timeout=10.0, retries=1)


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("portal")
    start([portal])
    yield portal
    stop([portal])


def _crawl(
    urls: tuple[str, ...], tmp_path: Path, settings: CrawlSettings = SETTINGS
) -> tuple[sqlite_utils.Database, CrawlResult, float]:
    config = Config(portals=(Portal("县", urls, crawl=settings),))
    db = open_db(str(tmp_path / "n.db"))
    started = time.monotonic()
    [result] = crawl_all(config, db, now="2026-02-10T12:00:00+00:00")
    return db, result, time.monotonic() - started


def _stored(db: sqlite_utils.Database) -> set[str]:
    return {r["agency"] for r in db.query("SELECT agency FROM reports")}


def _detail(db: sqlite_utils.Database) -> str:
    [run] = list(db.query("SELECT detail FROM crawl_runs"))
    return str(run["detail"])


# ---- a billion declared pages ----------------------------------------------------------------------

BILLION = """
import json, resource, sys, time
from pathlib import Path

from nianbao.core.config import Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample import variants
from nianbao.sample.server import Answer, Site, start, stop
from storage.db import open_db


def main(workdir: str) -> None:
    site = Site("trs")
    start([site])
    listed = variants.items(6, ["某某县水务局", "某某县民政局"], prefix="/art")
    variants.publish(site, listed)
    links = "".join(f'<li><a href="{i.path}">{i.title}</a><span>2026-01-20</span></li>' for i in listed)
    page = f'<html><body><ul>{links}</ul><script>createPageHTML(1000000000, 0, "index", "html");</script></body></html>'
    site.add("/robots.txt", Answer(404, b""))
    # index_1.html … index_999999999.html: each a list page like the first
    site.fallback = Answer(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
    settings = CrawlSettings(interval=0.0, timeout=10.0, retries=0)  # max_pages: its default, 200
    config = Config(portals=(Portal("县", (site.url("/xxgk/nb/index.html"),), crawl=settings),))
    db = open_db(str(Path(workdir) / "n.db"))
    started = time.monotonic()
    [result] = crawl_all(config, db, now="2026-02-10T12:00:00+00:00")
    elapsed = time.monotonic() - started
    stop([site])
    print(json.dumps({
        "elapsed": elapsed,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "outcome": result.outcome,
        "columns": list(db.query("SELECT declared_pages, read_pages, complete, reason FROM crawl_columns")),
        "stored": sorted({r["agency"] for r in db.query("SELECT agency FROM reports")}),
        "list_requests": sum(1 for r in site.log if r.path.startswith("/xxgk/nb/")),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
"""


def _limit_memory() -> None:
    """A regression would build a billion page URLs: let it fail, not take the machine with it."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.slow
def test_a_pager_declaring_a_billion_pages_costs_max_pages_and_names_it(tmp_path: Path) -> None:
    script = tmp_path / "billion.py"
    script.write_text(BILLION, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["elapsed"] < 40  # about 4 s here; the old eager list took 20 s and 830 MB and kept growing
    assert out["peak_rss_kb"] < 200 * 1024  # the whole crawling process, server included: about 60 MB
    assert out["list_requests"] == 200  # max_pages, and not one list request more
    [column] = out["columns"]
    assert column["declared_pages"] == 1_000_000_000 and column["read_pages"] == 200 and column["complete"] == 0
    assert "200 list pages per pass (max_pages)" in column["reason"]
    assert out["outcome"] == "partial" and out["stored"] == ["某某县民政局", "某某县水务局"]


# ---- Crawl-delay and Retry-After ---------------------------------------------------------------------


@pytest.mark.slow
def test_a_crawl_delay_of_a_day_is_capped_and_the_portal_noted_slow(site: Site, tmp_path: Path) -> None:
    site.add("/robots.txt", Answer(200, b"User-agent: *\nCrawl-delay: 86400\n"))
    listed = variants.items(12, ["某某县水务局", "某某县民政局"], prefix="/art")
    url = variants.plain(site, listed, per_page=10)
    db, result, elapsed = _crawl((url,), tmp_path, replace(SETTINGS, max_crawl_delay=0.3))
    assert result.outcome == "complete", result.why_partial
    assert _stored(db) == {"某某县水务局", "某某县民政局"}
    requests = len(site.log) - 1  # after robots.txt, each start waits out the capped delay
    assert requests >= 4 and 0.3 * (requests - 1) * 0.9 <= elapsed < 60
    note = "robots.txt Crawl-delay 86400 s capped at 0.3 s (max_crawl_delay)"
    assert any(note in n for n in result.notes)
    assert note in _detail(db) and "slow portal" in _detail(db)


@pytest.mark.slow
def test_retry_after_soon_backs_off_and_a_day_is_capped_both_noted(site: Site, tmp_path: Path) -> None:
    listed = variants.items(12, ["某某县水务局", "某某县民政局"], prefix="/art")
    url = variants.plain(site, listed, per_page=10)
    busy = {"某某县水务局": "soon", "某某县民政局": "86400"}
    calls: dict[str, list[float]] = {}
    for item in listed:
        if item.report is None:
            continue
        page, retry_after = answer_at(site, item.path), busy[item.report.agency]

        def once_busy(request: Request, page: Answer = page, retry_after: str = retry_after) -> Answer:
            seen = calls.setdefault(request.path, [])
            seen.append(time.monotonic())
            return page if len(seen) > 1 else Answer(503, b"busy", {"Retry-After": retry_after})

        site.add(item.path, once_busy)
    db, result, elapsed = _crawl((url,), tmp_path, replace(SETTINGS, max_retry_after=0.5))
    assert result.outcome == "complete", result.why_partial
    assert _stored(db) == {"某某县水务局", "某某县民政局"}  # retried, not given up
    assert elapsed < 60 and all(len(times) == 2 for times in calls.values()) and len(calls) == 2
    assert all(times[1] - times[0] >= 0.45 for times in calls.values())  # a wait came between (1 s, 0.5 s)
    detail = _detail(db)
    assert "Retry-After 'soon' is neither seconds nor a date: ignored, backoff used" in detail
    assert "Retry-After 86400 s capped at 0.5 s (max_retry_after)" in detail


# ---- a pager value that is no usable number ----------------------------------------------------------

BAD_PAGER = {
    "perPage:0": ("perPage:5", "perPage:0"),
    "perPage:-5": ("perPage:5", "perPage:-5"),
    "totalRecord:abc": ("totalRecord:20", "totalRecord:abc"),
    "groupSize:0": ("groupSize:1", "groupSize:0"),
}


@pytest.mark.parametrize("name", sorted(BAD_PAGER))
@pytest.mark.slow
def test_a_hanweb_pager_value_that_is_no_number_costs_its_column_only(site: Site, tmp_path: Path, name: str) -> None:
    # a Hanweb column whose first group (embedded) holds one report, the second only behind the proxy,
    # and a plain column of the same portal with two more
    hanweb_items = variants.items(20, ["某某县财政局", "某某县审计局"], prefix="/hw")
    hanweb = variants.hanweb(site, hanweb_items, per_page=5, group_size=1, embedded=True, window="url")
    good, bad = BAD_PAGER[name]
    page = answer_at(site, "/col/col555/index.html").body
    assert good.encode() in page
    site.add("/col/col555/index.html", Answer(200, page.replace(good.encode(), bad.encode()), HTML))
    plain = variants.plain(site, variants.items(12, ["某某县水务局", "某某县民政局"], prefix="/art"), per_page=10)
    db, result, _ = _crawl((hanweb, plain), tmp_path)
    assert result.outcome == "partial"
    assert _stored(db) == {"某某县财政局", "某某县水务局", "某某县民政局"}  # all that was listed is kept
    columns = {r["column_url"]: r for r in db.query("SELECT * FROM crawl_columns")}
    assert columns[plain]["complete"] == 1
    assert (
        columns[hanweb]["complete"] == 0 and f"{bad.split(':')[0]} '{bad.split(':')[1]}'" in columns[hanweb]["reason"]
    )
    assert not any(r.path.startswith("/module/web/jpage/") for r in site.log)  # nothing asked on its numbers
