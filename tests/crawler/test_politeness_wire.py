"""Politeness as the portal sees it: a loopback server logs when each request reached it, and the
smallest gap between two requests must be the interval (within a tenth: the server's own thread
stamps the arrival), even when a request leaves late after its turn came — a slow connection
set-up (every other TLS handshake stalls), or an event loop busy with other portals' work.

The code before counted the interval from when a request's turn came, so a request that left late
was followed by one on time: gaps of half the interval in the first case.

The portal runs in a process of its own, as on another machine.  In the crawler's process its
access log waited for the crawler: whatever holds the interpreter's lock just after a request left
(a full garbage collection of a pytest worker's heap, say) holds the server's thread too, so that
request was logged late and the next gap looked short — 0.20 s and 0.22 s at 0.3 s in two CI runs
on a busy machine.  (Measured: one collection of a 4-million-object heap right after a send
delayed the in-process server's stamp by 74-80 ms on an idle machine.)"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import random
import ssl
import tempfile
import time
from collections.abc import Iterator
from multiprocessing.queues import Queue
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


def _site(name: str) -> Site:
    site = Site(name)
    site.add("/robots.txt", Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
    for n in range(REQUESTS):
        site.add(f"/{n}.htm", Answer(200, f"<html><body>{n}</body></html>".encode(), {"Content-Type": "text/html"}))
    return site


def _stalling(pem: bytes) -> ssl.SSLContext:
    """A server context whose every other TLS handshake stalls: the request behind it leaves late."""
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.NamedTemporaryFile(suffix=".pem") as file:
        file.write(pem)
        file.flush()
        tls.load_cert_chain(file.name)
    handshakes = itertools.count()

    def stall(*_: Any) -> None:
        if next(handshakes) % 2:
            time.sleep(STALL)

    tls.sni_callback = stall
    return tls


def _serve(name: str, pem: bytes | None, answers: Queue[Any], commands: Queue[Any]) -> None:
    """The portal's process: HTTPS with `pem` (key and certificate chain), HTTP without."""
    site = _site(name)
    start([site], tls=None if pem is None else _stalling(pem))
    answers.put(site.base)
    commands.get()
    # time.monotonic, the clock of the crawler's log too: one clock for the whole machine
    answers.put([r.received for r in site.log])
    stop([site])


class Portal:
    """A portal served by a process of its own; `arrivals()` is its access log, once it is over."""

    def __init__(self, name: str, pem: bytes | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._answers: Queue[Any] = context.Queue()
        self._commands: Queue[Any] = context.Queue()
        self._process = context.Process(target=_serve, args=(name, pem, self._answers, self._commands), daemon=True)
        self._process.start()
        self.base: str = self._answers.get(timeout=60)

    def url(self, path: str) -> str:
        return self.base + path

    def arrivals(self) -> list[float]:
        self._commands.put("log")
        log: list[float] = self._answers.get(timeout=60)
        return sorted(log)

    def close(self) -> None:
        self._commands.put("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():  # pragma: no cover - a portal that did not stop
            self._process.kill()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture()
def stalling_tls_portal(ca: trustme.CA) -> Iterator[Portal]:
    portal = Portal("tls", ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.bytes())
    yield portal
    portal.close()


@pytest.fixture()
def plain_portal() -> Iterator[Portal]:
    portal = Portal("plain")
    yield portal
    portal.close()


def _crawl(
    portal: Portal, *, concurrency: int = 1, verify: ssl.SSLContext | bool = True, busy: bool = False
) -> list[float]:
    """Fetch every page of `portal` at INTERVAL; when the crawler's log says each request was sent."""
    settings = CrawlSettings(interval=INTERVAL, timeout=10.0, retries=0, concurrency=concurrency)
    scheduler = HostScheduler(log=True)

    async def go() -> None:
        async with build_client(settings, verify=verify) as client:
            fetcher = Fetcher(client, Scope.of((portal.base + "/",)), settings, scheduler=scheduler)
            await fetcher.get(portal.url("/0.htm"))  # robots.txt first, alone
            work = asyncio.gather(*(fetcher.get(portal.url(f"/{n}.htm")) for n in range(1, REQUESTS)))
            hog = asyncio.create_task(_hog_the_loop()) if busy else None
            try:
                await work
            finally:
                if hog is not None:
                    hog.cancel()

    asyncio.run(go())
    [sends] = scheduler.sends().values()
    return sends


async def _hog_the_loop() -> None:
    """Other portals' work on the same event loop (parsing list pages, say): at every turn the
    loop is held a random while, so a request whose turn came leaves a random while later."""
    rng = random.Random(25)
    while True:
        await asyncio.sleep(0)
        time.sleep(rng.uniform(0.0, 0.05))  # blocks the loop, and lets the server's thread run


def _smallest_gap(times: list[float]) -> float:
    return min(b - a for a, b in itertools.pairwise(times))


def _assert_polite(sent: list[float], seen: list[float]) -> None:
    """The portal's log shows the interval (within a tenth), the crawler's own log all of it.  Both
    logs are on one clock, so a failure shows which side was late: each request's send, its
    arrival and the time between, in seconds from the first send."""
    assert len(sent) == len(seen) == REQUESTS + 1
    first = sent[0]
    evidence = [(round(s - first, 3), round(r - first, 3), round(r - s, 3)) for s, r in zip(sent, seen, strict=True)]
    assert _smallest_gap(seen) >= 0.9 * INTERVAL, ("(sent, arrived, lag)", evidence)
    assert _smallest_gap(sent) >= INTERVAL, ("(sent, arrived, lag)", evidence)


@pytest.mark.parametrize("concurrency", [1, 2])
def test_a_slow_connection_set_up_does_not_shorten_the_next_gap(
    stalling_tls_portal: Portal, ca: trustme.CA, concurrency: int
) -> None:
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    sent = _crawl(stalling_tls_portal, concurrency=concurrency, verify=trusting)
    _assert_polite(sent, stalling_tls_portal.arrivals())


def test_a_busy_event_loop_does_not_shorten_the_next_gap(plain_portal: Portal) -> None:
    sent = _crawl(plain_portal, busy=True)
    _assert_polite(sent, plain_portal.arrivals())
