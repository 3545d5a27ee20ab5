"""The fetcher against loopback sites: scope, robots.txt, throttle, retries, timeouts, size cap, classification."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, TypedDict

import pytest

from crawler.errors import ConnectError, FetchTimeout, OutOfScope, RobotsDisallowed, TooLarge
from crawler.fetch import Fetcher, FetchRecord, Response, build_client
from crawler.politeness import HostScheduler
from crawler.scope import Scope
from nianbao.core.config import CrawlSettings
from nianbao.sample.server import Answer, Site, start, stop

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.12

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture()
def sites() -> Iterator[tuple[Site, Site]]:
    home, other = Site("home"), Site("other")
    start([home, other])
    yield home, other
    stop([home, other])


class Sync:
    """A fetcher driven from a plain test: each get runs on a fresh event loop."""

    def __init__(self, make: Callable[[], Fetcher]) -> None:
        self.make = make

    def get(self, url: str) -> Response:
        async def run() -> Response:
            fetcher = self.make()
            try:
                return await fetcher.get(url)
            finally:
                await fetcher.client.aclose()

        return asyncio.run(run())


class Changes(TypedDict, total=False):
    """What a test changes of the crawl settings."""

    interval: float
    timeout: float
    retries: int
    max_bytes: int


def _crawl(**changes: Unpack[Changes]) -> CrawlSettings:
    """Fast settings (no interval, short timeouts) with `changes`."""
    return replace(CrawlSettings(interval=0.0, timeout=2.0, retries=2), **changes)


def _fetcher(site: Site, records: list[FetchRecord] | None = None, **changes: Unpack[Changes]) -> Sync:
    crawl = _crawl(**changes)
    sink = records if records is not None else []
    return Sync(lambda: Fetcher(build_client(crawl), Scope.of((site.base + "/",)), crawl, on_fetch=sink.append))


def test_redirect_out_of_scope_is_never_followed(sites: tuple[Site, Site]) -> None:
    home, other = sites
    home.add("/go", Answer(302, b"", {"Location": other.url("/x")}))
    with pytest.raises(OutOfScope):
        _fetcher(home).get(home.url("/go"))
    with pytest.raises(OutOfScope):
        _fetcher(home).get(other.url("/y"))  # same host, another port: another site
    assert other.log == []


def test_robots_disallow_and_forbidden_robots(sites: tuple[Site, Site]) -> None:
    home, other = sites
    home.add("/robots.txt", Answer(200, b"User-agent: *\nDisallow: /private/\n"))
    home.add("/public", Answer(200, b"<html>ok</html>", HTML))
    fetcher = _fetcher(home)
    assert fetcher.get(home.url("/public")).outcome == "ok"
    with pytest.raises(RobotsDisallowed):
        fetcher.get(home.url("/private/a"))
    assert not home.requested("/private/a")
    other.add("/robots.txt", Answer(403, b"forbidden"))
    with pytest.raises(RobotsDisallowed):
        Sync(lambda: Fetcher(build_client(CrawlSettings()), Scope.of((other.base,)), CrawlSettings(interval=0))).get(
            other.url("/a")
        )


class FakeClock:
    """Monotonic time that only `sleep` moves: the throttle's waits are read, never slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def _clocked(site: Site, clock: FakeClock, **changes: Unpack[Changes]) -> Fetcher:
    crawl = _crawl(**changes)
    scheduler = HostScheduler(clock=clock, sleep=clock.sleep, log=True)
    return Fetcher(build_client(crawl), Scope.of((site.base + "/",)), crawl, scheduler=scheduler)


def gaps(fetcher: Fetcher) -> list[float]:
    """The time between two requests' bytes, host by host: what the portal sees (a start waits
    out most of it, the bytes the short lead left; see HostScheduler)."""
    return [
        round(b - a, 3) for sends in fetcher.scheduler.sends().values() for a, b in zip(sends, sends[1:], strict=False)
    ]


def _run(fetcher: Fetcher, *urls: str) -> list[Response]:
    async def go() -> list[Response]:
        try:
            return [await fetcher.get(url) for url in urls]
        finally:
            await fetcher.client.aclose()

    return asyncio.run(go())


def test_interval_between_requests_to_one_host(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    for n in range(3):
        home.add(f"/{n}", Answer(200, b"<html>x</html>", HTML))
    clock = FakeClock()
    fetcher = _clocked(home, clock, interval=5.0)
    _run(fetcher, *(home.url(f"/{n}") for n in range(3)))
    # robots.txt, then three pages: each sent 5 s after the one before, and not a moment more
    assert gaps(fetcher) == [5.0, 5.0, 5.0] and sum(clock.sleeps) == 15.0
    # each start opens the request a lead (MAX_LEAD) early, to build it and connect; its bytes wait the rest
    assert clock.sleeps == [4.95, 0.05] * 3


def test_robots_crawl_delay_wins_when_longer(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    home.add("/robots.txt", Answer(200, b"User-agent: *\nCrawl-delay: 7\n"))
    for n in range(2):
        home.add(f"/{n}", Answer(200, b"<html>x</html>", HTML))
    clock = FakeClock()
    fetcher = _clocked(home, clock, interval=2.0)
    _run(fetcher, home.url("/0"), home.url("/1"))
    assert gaps(fetcher) == [7.0, 7.0] and sum(clock.sleeps) == 14.0
    clock = FakeClock()
    fetcher = _clocked(home, clock, interval=9.0)
    _run(fetcher, home.url("/0"))
    assert gaps(fetcher) == [9.0] and sum(clock.sleeps) == 9.0


def test_retry_after_is_honoured(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    calls: list[str] = []

    def limited(request: object) -> Answer:
        calls.append("x")
        return Answer(200, b"<html>ok</html>", HTML) if len(calls) > 1 else Answer(429, b"slow", {"Retry-After": "30"})

    home.add("/limited", limited)
    clock = FakeClock()
    [response] = _run(_clocked(home, clock), home.url("/limited"))
    assert response.outcome == "ok"
    assert clock.sleeps == [30.0] and len(calls) == 2


def test_a_crawl_delay_of_a_day_is_capped_and_noted(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    home.add("/robots.txt", Answer(200, b"User-agent: *\nCrawl-delay: 86400\n"))
    for n in range(2):
        home.add(f"/{n}", Answer(200, b"<html>x</html>", HTML))
    clock = FakeClock()
    fetcher = _clocked(home, clock)
    _run(fetcher, home.url("/0"), home.url("/1"))
    assert gaps(fetcher) == [30.0, 30.0]  # max_crawl_delay's default, not a day
    assert fetcher.notes == [
        f"slow portal: {home.base}/robots.txt Crawl-delay 86400 s capped at 30 s (max_crawl_delay)"
    ]


def test_a_crawl_delay_that_is_no_number_is_ignored_and_noted(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    home.add("/robots.txt", Answer(200, b"User-agent: *\nCrawl-delay: abc\n"))
    home.add("/0", Answer(200, b"<html>x</html>", HTML))
    clock = FakeClock()
    fetcher = _clocked(home, clock, interval=2.0)
    _run(fetcher, home.url("/0"))
    assert gaps(fetcher) == [2.0]  # the configured interval
    assert fetcher.notes == [f"{home.base}/robots.txt Crawl-delay 'abc' is no number of seconds: ignored"]


@pytest.mark.parametrize(
    ("retry_after", "sleeps", "note"),
    [
        ("soon", [1.0], "Retry-After 'soon' is neither seconds nor a date: ignored, backoff used"),
        ("-5", [1.0], "Retry-After '-5' is neither seconds nor a date: ignored, backoff used"),
        ("86400", [60.0], "slow portal: {base} Retry-After 86400 s capped at 60 s (max_retry_after)"),
        ("Fri, 31 Dec 9999 23:59:59 GMT", [60.0], "capped at 60 s (max_retry_after)"),
        ("9" * 5000, [60.0], "slow portal: {base} Retry-After inf s capped at 60 s (max_retry_after)"),
        ("Thu, 01 Jan 1970 00:00:00 GMT", [], ""),  # a date gone by: retry at once
    ],
)
def test_retry_after_is_capped_and_one_that_is_no_delay_backs_off(
    sites: tuple[Site, Site], retry_after: str, sleeps: list[float], note: str
) -> None:
    home, _ = sites
    calls: list[str] = []

    def limited(request: object) -> Answer:
        calls.append("x")
        busy = Answer(503, b"busy", {"Retry-After": retry_after})
        return Answer(200, b"<html>ok</html>", HTML) if len(calls) > 1 else busy

    home.add("/limited", limited)
    clock = FakeClock()
    fetcher = _clocked(home, clock)
    [response] = _run(fetcher, home.url("/limited"))
    assert response.outcome == "ok" and len(calls) == 2
    assert clock.sleeps == sleeps
    assert len(fetcher.notes) == (1 if note else 0) and all(note.format(base=home.base) in n for n in fetcher.notes)


def test_the_portals_own_agent_and_timeout_reach_the_wire(sites: tuple[Site, Site]) -> None:
    home, other = sites
    for site in (home, other):
        site.add("/robots.txt", Answer(200, b"User-agent: strict-bot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"))
        site.add("/page", Answer(200, b"<html>ok</html>", HTML))
        site.add("/slow", Answer(200, b"<html>late</html>", HTML, delay=1.0))
    own = CrawlSettings(interval=0.0, retries=0, timeout=0.3, user_agent="county-bot/2.0")

    def fetcher() -> Fetcher:
        shared = build_client(CrawlSettings(user_agent="global-agent", timeout=30.0))
        return Fetcher(shared, Scope.of((home.base + "/",)), own)

    assert Sync(fetcher).get(home.url("/page")).outcome == "ok"
    assert {r.headers["user-agent"] for r in home.log} == {"county-bot/2.0"}  # robots.txt asked with it too
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        Sync(fetcher).get(home.url("/slow"))
    assert time.monotonic() - started < 0.9  # the portal's 0.3 s, not the client's 30 s
    strict_settings = CrawlSettings(interval=0.0, user_agent="strict-bot")
    strict = Sync(lambda: Fetcher(build_client(strict_settings), Scope.of((other.base + "/",)), strict_settings))
    with pytest.raises(RobotsDisallowed):  # robots.txt is read for the agent actually sent
        strict.get(other.url("/page"))
    assert not other.requested("/page")


def test_timeout_retries_then_fails(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    home.add("/slow", Answer(200, b"late", HTML, delay=1.5))
    records: list[FetchRecord] = []
    with pytest.raises(FetchTimeout):
        _fetcher(home, records, timeout=0.4, retries=1).get(home.url("/slow"))
    assert [r.outcome for r in records if r.url.endswith("/slow")] == ["error", "error"]


def test_size_cap_stops_the_download(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    home.add("/huge", Answer(200, bytes(3_000_000), {"Content-Type": "application/pdf"}))
    with pytest.raises(TooLarge):
        _fetcher(home, max_bytes=1_000_000).get(home.url("/huge"))


def test_connection_reset_is_a_fetch_error(sites: tuple[Site, Site]) -> None:
    home, _ = sites
    home.add("/reset", Answer(reset=True))
    with pytest.raises(ConnectError):
        _fetcher(home, retries=0).get(home.url("/reset"))


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (
            Answer(
                521, b"<script>document.cookie=('_')+('_')+('j')+('s')+('l');location.href=location.pathname</script>"
            ),
            "blocked",
        ),
        (
            Answer(200, b"<html><script>var _0x=['\\x61'];eval(function(p){return p}('x'));</script></html>", HTML),
            "blocked",
        ),
        (
            Answer(
                200, b'<html><head><meta http-equiv="refresh" content="0;url=./list/index.htm"></head></html>', HTML
            ),
            "redirect_shell",
        ),
        (Answer(200, "<html><title>提示</title><body>您访问的页面不存在</body></html>".encode(), HTML), "soft404"),
        (Answer(404, b"nope"), "not_found"),
    ],
)
@pytest.mark.slow
def test_classification(sites: tuple[Site, Site], answer: Answer, outcome: str) -> None:
    home, _ = sites
    home.add("/page", answer)
    assert _fetcher(home).get(home.url("/page")).outcome == outcome


def test_a_request_leaves_nothing_for_the_garbage_collector(sites: tuple[Site, Site]) -> None:
    """A crawl allocates fast: what a request made is freed when it is done, not by collections that
    hold the event loop (httpx's streamed response and its stream refer to each other; the fetch
    cuts that cycle)."""
    home, _ = sites
    for n in range(21):
        home.add(f"/{n}", Answer(200, b"<html>x</html>" * 100, HTML))
    crawl = _crawl()

    async def run() -> int:
        fetcher = Fetcher(build_client(crawl), Scope.of((home.base + "/",)), crawl)
        try:
            await fetcher.get(home.url("/0"))  # robots.txt and the client's first use, before counting
            gc.collect()
            gc.disable()
            try:
                for n in range(1, 21):
                    await fetcher.get(home.url(f"/{n}"))
                return gc.collect()
            finally:
                gc.enable()
        finally:
            await fetcher.client.aclose()

    assert asyncio.run(run()) < 20 * 15  # some 7 objects a request; some 70 before the cycle was cut
