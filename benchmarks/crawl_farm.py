"""Benchmark: a farm of simulated portals on loopback with added latency; crawl throughput against
the politeness bound (hosts × requests per second allowed per host) and peak memory.

    python benchmarks/crawl_farm.py --portals 50 --interval 1.0 --latency 0.05 --reports 12

Every portal is its own host (port) with a VSB column of `reports` articles over two list pages
(so reports+3 requests: robots.txt, two list pages, the articles). The farm is served from a
separate process, so the crawler's processes are measured alone.  The crawl runs the real pipeline:
documents are parsed and stored in a SQLite file as they arrive.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import threading
import time

from nianbao.core.config import Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.server import Answer, Site, start
from nianbao.sample.wordhtml import render
from storage.db import open_db

HTML = {"Content-Type": "text/html; charset=utf-8"}


def build_site(index: int, reports: int, latency: float) -> Site:
    site = Site(f"p{index}", latency=latency)
    site.add("/robots.txt", Answer(200, b"User-agent: *\nAllow: /\n"))
    items = []
    for n in range(reports):
        sample = SampleReport(agency=f"某某县第{index}片区{n}号人民政府", year=2025, applications=balanced(n))
        site.add(
            f"/info/1/{n}.htm",
            Answer(200, render(report_text(sample), title=sample.title, pub_date="2026-01-20 10:00").encode(), HTML),
        )
        items.append(
            f'<li><a href="DEPTHinfo/1/{n}.htm" title="{sample.title}">{sample.title}</a><span>2026-01-20</span></li>'
        )
    half = len(items) // 2  # page 2 sits one directory deeper, so its relative links gain a "../" (VSB)
    pager = '<a href="javascript:;" onclick="_simple_list_gotopage_fun(2,&quot;u13&quot;,2)">跳转</a>'
    first = "".join(items[:half]).replace("DEPTH", "../")
    second = "".join(items[half:]).replace("DEPTH", "../../")
    site.add("/nb/list.htm", Answer(200, f"<html><body><ul>{first}</ul>{pager}</body></html>".encode(), HTML))
    site.add("/nb/list/1.htm", Answer(200, f"<html><body><ul>{second}</ul></body></html>".encode(), HTML))
    return site


def serve_farm(portals: int, reports: int, latency: float, ready: multiprocessing.Queue) -> None:
    sites = [build_site(i, reports, latency) for i in range(portals)]
    start(sites)
    ready.put([site.base for site in sites])
    threading.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=50)
    parser.add_argument("--reports", type=int, default=12)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between requests to one host")
    parser.add_argument("--latency", type=float, default=0.05, help="added server latency per request")
    args = parser.parse_args()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    farm = multiprocessing.Process(
        target=serve_farm, args=(args.portals, args.reports, args.latency, ready), daemon=True
    )
    farm.start()
    bases = ready.get(timeout=120)
    try:
        settings = CrawlSettings(interval=args.interval, timeout=10.0)
        config = Config(
            crawl=settings,
            portals=tuple(
                Portal(f"portal-{i}", (f"{base}/nb/list.htm",), crawl=settings) for i, base in enumerate(bases)
            ),
        )
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(os.path.join(tmp, "farm.db"))
            started = time.perf_counter()
            results = crawl_all(config, db, now="2026-02-01T12:00:00+00:00")
            elapsed = time.perf_counter() - started
            requests = db["fetches"].count
            stored = db["reports"].count
    finally:
        farm.terminate()
    bound = args.portals / args.interval
    per_host = requests / args.portals
    # the best a polite crawler can do: each host's requests one interval apart
    ideal = (per_host - 1) * args.interval + args.latency
    print(
        f"{args.portals} portals, {requests} requests, {stored} reports stored, "
        f"{sum(r.outcome == 'complete' for r in results)} complete, in {elapsed:.1f} s"
    )
    print(
        f"throughput {requests / elapsed:.1f} req/s; politeness bound {bound:.1f} req/s "
        f"({args.portals} hosts × {1 / args.interval:g} req/s): {100 * requests / elapsed / bound:.0f}% of the bound"
    )
    print(f"per-host schedule: ideal {ideal:.1f} s, measured {elapsed:.1f} s ({100 * ideal / elapsed:.0f}%)")
    print(
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (crawling process), "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB (writer process)"
    )


if __name__ == "__main__":
    main()
