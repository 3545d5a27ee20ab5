"""Benchmark: a farm of simulated portals on loopback, crawled by nianbao and by Scrapy in one run;
throughput against the politeness bound, peak memory, and the smallest gap between two requests
to one host.

    python benchmarks/crawl_farm.py --portals 200 --interval 0.5
    python benchmarks/crawl_farm.py --portals 1000 --interval 1 [--no-scrapy]

Every portal is its own host (its own loopback address, 127.0.x.y) with a VSB column of `reports`
articles over two list pages: reports + 3 requests each (robots.txt, two list pages, the
articles).  The farm is an asyncio server (on uvloop) in its own process, with `latency` added per
request.
Portals share 20 sets of pages, so most documents are bytes nianbao has already read — as in a
daily re-crawl of unchanged reports — and are linked to their report without a second parse;
`--unique` gives every portal reports of its own, all parsed and stored.

nianbao runs the real pipeline — every report is parsed (worker processes) and stored (SQLite) as
it arrives — and its own request log gives the gaps between requests to one host.  Scrapy (2.x,
installed for this benchmark only: `pip install scrapy`) runs a spider that only follows the same
links, with the same politeness: one request in flight per host, DOWNLOAD_DELAY = interval,
robots.txt obeyed.  Each runs in its own process, so each peak RSS is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HTML = b"text/html; charset=utf-8"


def host_of(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def pages_of(index: int, reports: int) -> dict[str, bytes]:
    """Path -> body of one portal."""
    from nianbao.sample.reports import SampleReport, balanced, report_text
    from nianbao.sample.wordhtml import render

    pages = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    items = []
    for n in range(reports):
        sample = SampleReport(agency=f"某某县第{index}片区{n}号人民政府", year=2025, applications=balanced(n))
        pages[f"/info/1/{n}.htm"] = render(
            report_text(sample), title=sample.title, pub_date="2026-01-20 10:00"
        ).encode()
        items.append(
            f'<li><a href="DEPTHinfo/1/{n}.htm" title="{sample.title}">{sample.title}</a><span>2026-01-20</span></li>'
        )
    half = len(items) // 2  # page 2 sits one directory deeper, so its relative links gain a "../" (VSB)
    pager = (
        '<a href="list/1.htm">下页</a>'
        '<a href="javascript:;" onclick="_simple_list_gotopage_fun(2,&quot;u13&quot;,2)">跳转</a>'
    )
    chrome = "<div>某某县人民政府 政府信息公开 政府信息公开年报 首页 政务公开 互动交流</div>"
    first = "".join(items[:half]).replace("DEPTH", "../")
    second = "".join(items[half:]).replace("DEPTH", "../../")
    pages["/nb/list.htm"] = f"<html><body>{chrome}<ul>{first}</ul>{pager}</body></html>".encode()
    pages["/nb/list/1.htm"] = f"<html><body>{chrome}<ul>{second}</ul></body></html>".encode()
    return pages


async def _serve(
    portals: int,
    reports: int,
    latency: float,
    port: int,
    ready: multiprocessing.Queue,
    unique: bool = False,
    control: multiprocessing.Queue | None = None,
) -> None:
    sites = [pages_of(i, reports) for i in range(min(portals, 20))]  # portals share 20 page sets
    # what each portal's firewall would log: when each connection was accepted and each request's
    # head had arrived (time.monotonic, the clock the crawler's own log uses: one clock per machine)
    arrivals: dict[int, list[float]] = {i: [] for i in range(portals)}
    accepts: dict[int, list[float]] = {i: [] for i in range(portals)}

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pages: dict[str, bytes], index: int
    ) -> None:
        # unique: the shared set's agency numbers become this portal's own, so every report is new
        mine, shared = f"第{index}片区".encode(), f"第{index % len(sites)}片区".encode()
        accepts[index].append(time.monotonic())
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrivals[index].append(time.monotonic())
                line = head.split(b"\r\n", 1)[0].decode()
                path = line.split(" ")[1] if " " in line else "/"
                close = b"connection: close" in head.lower()
                await asyncio.sleep(latency)
                body = pages.get(path)
                if unique and body is not None:
                    body = body.replace(shared, mine)
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b"<html>404 Not Found</html>"
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nContent-Type: "
                    + HTML
                    + b"\r\nContent-Length: "
                    + str(len(body)).encode()
                    + (b"\r\nConnection: close" if close else b"")
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    servers = []
    for index in range(portals):
        pages = sites[index % len(sites)]
        servers.append(
            await asyncio.start_server(
                lambda r, w, p=pages, i=index: handle(r, w, p, i), host_of(index), port, backlog=512
            )
        )
    ready.put(True)
    loop = asyncio.get_running_loop()
    while control is not None:  # "log": hand over the log so far (on `ready`) and start a new one
        command = await loop.run_in_executor(None, control.get)
        if command == "log":
            # copies: the queue pickles in a thread of its own, after the lists are cleared below
            ready.put(
                {
                    "requests": {i: list(t) for i, t in arrivals.items()},
                    "connections": {i: list(t) for i, t in accepts.items()},
                }
            )
            for log in (*arrivals.values(), *accepts.values()):
                log.clear()
    await asyncio.Event().wait()


def serve_farm(
    portals: int,
    reports: int,
    latency: float,
    port: int,
    ready: multiprocessing.Queue,
    unique: bool = False,
    control: multiprocessing.Queue | None = None,
) -> None:
    import uvloop  # the farm stands for remote servers: the less CPU it takes from the two crawlers, the better

    uvloop.run(_serve(portals, reports, latency, port, ready, unique, control))


def smallest_gap(log: dict[int, list[float]]) -> float | None:
    """The smallest time between two consecutive events at one host."""
    gaps = [b - a for times in log.values() for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
    return min(gaps) if gaps else None


def farm_log(control: multiprocessing.Queue, ready: multiprocessing.Queue) -> dict[str, float | None]:
    """The farm's smallest gaps since the last call (requests, connections), and its log restarted.
    (The answer comes back on `ready`: a queue cannot travel through another queue.)"""
    control.put("log")
    logs = ready.get(timeout=60)
    return {"requests": smallest_gap(logs["requests"]), "connections": smallest_gap(logs["connections"])}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_nianbao(bases: list[str], interval: float, out: multiprocessing.Queue) -> None:
    from crawler.politeness import HostScheduler
    from nianbao.core.config import Config, CrawlSettings, Portal
    from nianbao.crawl_runner import crawl_all
    from storage.db import open_db

    settings = CrawlSettings(interval=interval, timeout=30.0, retries=1)
    config = Config(
        crawl=settings,
        portals=tuple(Portal(f"portal-{i}", (f"{b}/nb/list.htm",), crawl=settings) for i, b in enumerate(bases)),
    )
    scheduler = HostScheduler(log=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(os.path.join(tmp, "farm.db"))
        started = time.perf_counter()
        results = crawl_all(config, db, now="2026-02-01T12:00:00+00:00", scheduler=scheduler)
        elapsed = time.perf_counter() - started
        for child in multiprocessing.active_children():  # the writer, stopping its parse workers after
            child.join()  # the crawl returned: waited for here so that their CPU and memory are counted
        requests = db["fetches"].count
        stored = db["reports"].count
        linked = db["report_urls"].count
    # the code before 2026-12-07 logged when each request's slot opened, not when it was sent
    log = scheduler.sends() if hasattr(scheduler, "sends") else scheduler.starts()
    gaps = [b - a for sends in log.values() for a, b in zip(sends, sends[1:], strict=False)]
    out.put(
        {
            "requests": requests,
            "elapsed": elapsed,
            "stored": stored,
            "linked": linked,
            "complete": sum(r.outcome == "complete" for r in results),
            "min_gap": min(gaps) if gaps else None,
            "rss_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "cpu_main": _cpu(resource.RUSAGE_SELF),
            "cpu_children": _cpu(resource.RUSAGE_CHILDREN),
        }
    )


SPIDER = textwrap.dedent("""
    import json, resource, sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess

    bases, interval = json.loads(sys.argv[1]), float(sys.argv[2])

    class Farm(scrapy.Spider):
        name = "farm"
        start_urls = [b + "/nb/list.htm" for b in bases]

        def parse(self, response):
            for href in response.css("ul a::attr(href)").getall():
                yield response.follow(href, self.article)
            for href in response.css("a::attr(href)").re(r".*list/1\\.htm$"):
                yield response.follow(href, self.parse)

        def article(self, response):
            yield {"url": response.url, "bytes": len(response.body)}

    process = CrawlerProcess(settings={
        "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": interval,
        "RANDOMIZE_DOWNLOAD_DELAY": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS": 100000, "REACTOR_THREADPOOL_MAXSIZE": 20, "DOWNLOAD_TIMEOUT": 60,
        "TELNETCONSOLE_ENABLED": False, "ITEM_PIPELINES": {}, "COOKIES_ENABLED": False,
    })
    crawler = process.create_crawler(Farm)
    process.crawl(crawler)
    started = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    print(json.dumps({"requests": stats.get("downloader/request_count", 0), "elapsed": elapsed,
                      "items": stats.get("item_scraped_count", 0),
                      "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2])}))
""")


def run_scrapy(bases: list[str], interval: float) -> dict[str, float] | None:
    try:
        import scrapy  # noqa: F401
    except ImportError:
        print("scrapy is not installed: pip install scrapy (it is for this benchmark only)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "farm_spider.py"
        script.write_text(SPIDER, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script), json.dumps(bases), str(interval)], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        print("scrapy failed:", done.stderr[-2000:])
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _s(seconds: float | None) -> str:
    return "none" if seconds is None else f"{seconds:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--reports", type=int, default=12)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between requests to one host")
    parser.add_argument("--latency", type=float, default=0.05, help="added server latency per request")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--no-scrapy", action="store_true")
    parser.add_argument(
        "--unique",
        action="store_true",
        help="every portal its own reports (default: portals share 20 sets of pages, as a re-crawl of "
        "unchanged documents does, and nianbao parses each distinct document once)",
    )
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ready, control = context.Queue(), context.Queue()
    farm = context.Process(
        target=serve_farm,
        args=(args.portals, args.reports, args.latency, args.port, ready, args.unique, control),
        daemon=True,
    )
    farm.start()
    ready.get(timeout=300)
    bases = [f"http://{host_of(i)}:{args.port}" for i in range(args.portals)]
    per_host = args.reports + 3
    ideal = (per_host - 1) * args.interval + args.latency  # each host's requests one interval apart
    bound = args.portals / args.interval
    print(
        f"{args.portals} portals × {per_host} requests, interval {args.interval:g} s, latency {args.latency:g} s: "
        f"politeness bound {bound:.0f} req/s, ideal pass {ideal:.1f} s"
    )
    try:
        out = context.Queue()
        crawl = context.Process(target=run_nianbao, args=(bases, args.interval, out))
        crawl.start()
        mine = out.get(timeout=3600)
        crawl.join()
        seen = farm_log(control, ready)
        rate = mine["requests"] / mine["elapsed"]
        print(
            f"nianbao: {mine['requests']} requests, {mine['linked']} report URLs stored, {mine['stored']} distinct "
            "reports parsed and stored, "
            f"{mine['complete']} passes complete, {mine['elapsed']:.1f} s, {rate:.0f} req/s = "
            f"{100 * ideal / mine['elapsed']:.0f}% of the politeness bound; smallest gap between two requests "
            f"to one host: {mine['min_gap']:.3f} s in nianbao's log, {_s(seen['requests'])} as the farm saw them "
            f"({_s(seen['connections'])} between connections); peak RSS {mine['rss_main']:.0f} MB crawling + "
            f"{mine['rss_workers']:.0f} MB per parse worker; CPU {mine['cpu_main']:.1f} s crawling + "
            f"{mine['cpu_children']:.1f} s writing and parsing"
        )
        theirs = None if args.no_scrapy else run_scrapy(bases, args.interval)
        if theirs:
            their_rate = theirs["requests"] / theirs["elapsed"]
            seen = farm_log(control, ready)
            print(
                f"scrapy:  {theirs['requests']} requests ({theirs['items']} articles, not parsed), "
                f"{theirs['elapsed']:.1f} s, {their_rate:.0f} req/s = {100 * ideal / theirs['elapsed']:.0f}% of "
                f"the politeness bound; smallest gap as the farm saw them {_s(seen['requests'])} "
                f"({_s(seen['connections'])} between connections); peak RSS {theirs['rss']:.0f} MB; "
                f"CPU {theirs['cpu']:.1f} s"
            )
    finally:
        farm.terminate()


if __name__ == "__main__":
    main()
