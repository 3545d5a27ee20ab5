"""Politeness as the portal sees it: a loopback server logs when each request reached it, and the
smallest gap between two requests must be the interval (within a tenth: the server's own thread
stamps the arrival), even when a request leaves late after its turn came — a slow connection
set-up (every other TLS handshake stalls), or an event loop busy with other portals' work.

The code before counted the interval from when a request's turn came, so a request that left late
was followed by one on time: gaps of half the interval in the first case."""

from __future__ import annotations

import asyncio
import itertools
import random
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest
import trustme

from crawler.fetch import Fetcher, build_client
from crawler.politeness import HostScheduler
from crawler.scope import Scope
from nianbao.core.config import CrawlSettings
from nianbao.sample.server import Answer, Site, start, stop

INTERVAL = 0.3  # generous: a busy two-core machine may hold the server's thread for tens of ms
REQUESTS = 16
STALL = 0.15  # half the interval: what every other TLS handshake costs in the first case


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _site(name: str) -> Site:
    site = Site(name)
    site.add("/robots.txt", Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
    for n in range(REQUESTS):
        site.add(f"/{n}.htm", Answer(200, f"<html><body>{n}</body></html>".encode(), {"Content-Type": "text/html"}))
    return site


@pytest.fixture()
def stalling_tls_site(ca: trustme.CA) -> Iterator[Site]:
    """HTTPS whose every other handshake stalls: the request behind it leaves late."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    handshakes = itertools.count()

    def stall(*_: Any) -> None:
        if next(handshakes) % 2:
            time.sleep(STALL)

    context.sni_callback = stall
    site = _site("tls")
    start([site], tls=context)
    yield site
    stop([site])


@pytest.fixture()
def plain_site() -> Iterator[Site]:
    site = _site("plain")
    start([site])
    yield site
    stop([site])


def _crawl(site: Site, *, concurrency: int = 1, verify: ssl.SSLContext | bool = True, busy: bool = False) -> float:
    """Fetch every page of `site` at INTERVAL; the scheduler's own smallest gap between sends."""
    settings = CrawlSettings(interval=INTERVAL, timeout=10.0, retries=0, concurrency=concurrency)
    scheduler = HostScheduler(log=True)

    async def go() -> None:
        async with build_client(settings, verify=verify) as client:
            fetcher = Fetcher(client, Scope.of((site.base + "/",)), settings, scheduler=scheduler)
            await fetcher.get(site.url("/0.htm"))  # robots.txt first, alone
            work = asyncio.gather(*(fetcher.get(site.url(f"/{n}.htm")) for n in range(1, REQUESTS)))
            hog = asyncio.create_task(_hog_the_loop()) if busy else None
            try:
                await work
            finally:
                if hog is not None:
                    hog.cancel()

    asyncio.run(go())
    [sends] = scheduler.sends().values()
    assert len(sends) == REQUESTS + 1
    return min(b - a for a, b in itertools.pairwise(sends))


async def _hog_the_loop() -> None:
    """Other portals' work on the same event loop (parsing list pages, say): at every turn the
    loop is held a random while, so a request whose turn came leaves a random while later."""
    rng = random.Random(25)
    while True:
        await asyncio.sleep(0)
        time.sleep(rng.uniform(0.0, 0.05))  # blocks the loop, and lets the server's thread run


def _arrivals(site: Site) -> list[float]:
    return sorted(r.received for r in site.log)


def _smallest_gap(times: list[float]) -> float:
    return min(b - a for a, b in itertools.pairwise(times))


@pytest.mark.parametrize("concurrency", [1, 2])
def test_a_slow_connection_set_up_does_not_shorten_the_next_gap(
    stalling_tls_site: Site, ca: trustme.CA, concurrency: int
) -> None:
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    logged = _crawl(stalling_tls_site, concurrency=concurrency, verify=trusting)
    seen = _arrivals(stalling_tls_site)
    assert len(seen) == REQUESTS + 1
    assert _smallest_gap(seen) >= 0.9 * INTERVAL, [round(b - a, 3) for a, b in itertools.pairwise(seen)]
    assert logged >= INTERVAL  # the crawler's own log: sends at least the interval apart


def test_a_busy_event_loop_does_not_shorten_the_next_gap(plain_site: Site) -> None:
    logged = _crawl(plain_site, busy=True)
    seen = _arrivals(plain_site)
    assert len(seen) == REQUESTS + 1
    assert _smallest_gap(seen) >= 0.9 * INTERVAL, [round(b - a, 3) for a, b in itertools.pairwise(seen)]
    assert logged >= INTERVAL
