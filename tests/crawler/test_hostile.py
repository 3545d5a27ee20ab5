"""Hostile portals cannot stall or sink a pass: each case ends within its bound, with one recorded
error, and the rest of the pass intact."""

from __future__ import annotations

import asyncio
import gzip
import resource
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from crawler.errors import FetchTimeout, TooLarge
from crawler.fetch import Fetcher, build_client
from crawler.scope import Scope
from nianbao.core.config import Config, CrawlSettings, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.sample import variants
from nianbao.sample.server import Answer, Site, start, stop
from storage.db import open_db
from tests.conftest import answer_at

SETTINGS = CrawlSettings(interval=0.0, timeout=2.0, retries=0, max_bytes=1_000_000)
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("hostile")
    start([portal])
    yield portal
    stop([portal])


def _get(site: Site, *paths: str, settings: CrawlSettings = SETTINGS) -> list[object]:
    """Fetch the paths in order with one client (one connection pool), as a crawl does."""

    async def go() -> list[object]:
        async with build_client(settings) as client:
            fetcher = Fetcher(client, Scope.of((site.base + "/",)), settings)
            out: list[object] = []
            for path in paths:
                try:
                    out.append(await fetcher.get(site.url(path)))
                except Exception as exc:  # the test looks at what each request gave
                    out.append(exc)
            return out

    return asyncio.run(go())


def _trickle(out: BinaryIO) -> None:
    out.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n")
    out.flush()
    for _ in range(30):  # one byte every two seconds: each read is in time, the whole never is
        out.write(b"x")
        out.flush()
        time.sleep(2)


def test_a_trickling_server_is_cut_at_the_timeout(site: Site) -> None:
    site.add("/slow", Answer(raw=_trickle))
    started = time.monotonic()
    [result] = _get(site, "/slow")
    assert isinstance(result, FetchTimeout) and time.monotonic() - started < 4


def _bomb() -> bytes:
    """gzip over gzip: 20 members of 1 GB of zeros inside, about 20 GB decoded, a few KB on the wire."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    member = b"".join(squeeze.compress(zeros) for _ in range(1024)) + squeeze.flush()
    return gzip.compress(member * 20, 9)


@pytest.mark.slow
def test_stacked_gzip_is_counted_decoded_and_stopped_at_the_cap(site: Site) -> None:
    body = _bomb()
    assert len(body) < 200_000
    site.add("/bomb", Answer(200, body, {"Content-Type": "text/html", "Content-Encoding": "gzip, gzip"}))
    site.validators = False
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    [result] = _get(site, "/bomb")
    assert isinstance(result, TooLarge) and "decoded" in str(result)
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KB: under 100 MB more


def _liar(out: BinaryIO) -> None:
    """Content-Length says 10; 10 bytes come, then a whole smuggled response on the same connection."""
    out.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n\r\n0123456789")
    out.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 35\r\n\r\n<html><body>SMUGGLED</body></html>\n"
    )
    out.flush()
    time.sleep(0.5)


def test_a_lying_content_length_does_not_corrupt_the_next_response(site: Site) -> None:
    site.add("/lie", Answer(raw=_liar))
    site.add("/next", Answer(200, b"<html><body>the real next page</body></html>", HTML))
    first, second = _get(site, "/lie", "/next")
    assert getattr(first, "content", None) == b"0123456789"
    assert getattr(second, "content", b"") == b"<html><body>the real next page</body></html>"


@pytest.mark.slow
def test_unusable_links_and_caps_cost_their_links_only(site: Site, tmp_path: Path) -> None:
    listed = variants.items(12, ["某某县水务局", "某某县民政局", "某某县教育局"], prefix="/art")
    url = variants.plain(site, listed, per_page=20)
    page = answer_at(site, "/news/list?page=1").body
    long_link = "/art/" + "x" * 5000 + ".html"
    page = page.replace(
        b"</ul>",
        f'<li><a href="{long_link}">某某县审计局2025年政府信息公开工作年度报告</a></li>'
        '<li><a href="http://[::1:80/x.html">某某县统计局2025年政府信息公开工作年度报告</a></li></ul>'.encode(),
    )
    site.add("/news/list?page=1", Answer(200, page, HTML))
    settings = CrawlSettings(interval=0.0, timeout=5.0, retries=0, max_documents=4)
    config = Config(portals=(Portal("县", (url,), crawl=settings),))
    db = open_db(str(tmp_path / "n.db"))
    started = time.monotonic()
    [result] = crawl_all(config, db, now="2026-02-10T12:00:00+00:00")
    assert time.monotonic() - started < 20
    assert result.outcome == "partial"  # the pass went on, and says why it is not complete
    assert any("max_documents" in reason for reason in result.why_partial)
    outcomes = {r["outcome"] for r in db.query("SELECT outcome FROM fetches")}
    assert "bad_url" in outcomes  # recorded for that link
    stored = {r["agency"] for r in db.query("SELECT agency FROM reports")}
    assert stored and stored <= {"某某县水务局", "某某县民政局", "某某县教育局"}
