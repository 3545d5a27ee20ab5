"""A body cut short is a failed fetch, never a document: at the HTTP level when the answer framed its
end (Content-Length, chunks, a compressed stream)."""

from __future__ import annotations

import asyncio
import gzip
import os
import time
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pytest

from crawler.errors import Truncated
from crawler.fetch import Fetcher, FetchRecord, Response, build_client
from crawler.scope import Scope
from nianbao.core.config import CrawlSettings
from nianbao.sample.reports import SampleReport, mixed, report_text
from nianbao.sample.server import Answer, Request, Site, start, stop
from nianbao.sample.wordhtml import render

SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=0)


def _page(agency: str = "某某县马关镇人民政府", new: int = 6) -> bytes:
    sample = SampleReport(agency=agency, year=2025, applications=mixed(new))
    return render(report_text(sample), title=sample.title, pub_date="2026-01-20").encode()


# ---- the HTTP level ------------------------------------------------------------------------------


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("cut")
    start([portal])
    yield portal
    stop([portal])


def _raw(head: str, *parts: bytes) -> Callable[[BinaryIO], None]:
    """A server that writes `head` and `parts`, then closes the connection."""

    def write(out: BinaryIO) -> None:
        out.write(f"HTTP/1.1 200 OK\r\n{head}Connection: close\r\n\r\n".encode())
        for part in parts:
            out.write(part)
            out.flush()

    return write


def _get(site: Site, path: str, records: list[FetchRecord], settings: CrawlSettings = SETTINGS) -> Response:
    async def go() -> Response:
        async with build_client(settings) as client:
            return await Fetcher(client, Scope.of((site.base + "/",)), settings, on_fetch=records.append).get(
                site.url(path)
            )

    return asyncio.run(go())


def test_a_body_shorter_than_its_content_length_is_truncated(site: Site) -> None:
    site.add("/cl", Answer(raw=_raw("Content-Type: application/pdf\r\nContent-Length: 10000\r\n", b"x" * 4000)))
    records: list[FetchRecord] = []
    with pytest.raises(Truncated) as caught:
        _get(site, "/cl", records)
    assert str(caught.value).endswith("/cl: the body ended after 4000 of 10000 bytes")
    assert (caught.value.received, caught.value.expected) == (4000, 10000)
    assert [(r.outcome, r.bytes) for r in records if r.url.endswith("/cl")] == [("truncated", 4000)]


def test_a_chunked_body_without_its_last_chunk_is_truncated(site: Site) -> None:
    site.add("/chunked", Answer(raw=_raw("Transfer-Encoding: chunked\r\n", b"400\r\n" + b"y" * 1024 + b"\r\n")))
    with pytest.raises(Truncated, match="the chunked body ended after 1024 bytes, before its last chunk"):
        _get(site, "/chunked", [])


def test_a_compressed_body_cut_inside_its_stream_is_truncated(site: Site) -> None:
    squeezed = gzip.compress(os.urandom(30000))  # incompressible: the cut falls inside the stream
    site.add("/gz", Answer(raw=_raw("Content-Encoding: gzip\r\n", squeezed[:12000])))
    site.add("/gz-whole", Answer(raw=_raw("Content-Encoding: gzip\r\n", squeezed)))
    with pytest.raises(Truncated, match=r"the gzip body ended before its compressed stream did \(after 12000 bytes\)"):
        _get(site, "/gz", [])
    assert len(_get(site, "/gz-whole", []).content) == 30000  # the same, whole, with no length either


def test_a_cut_connection_is_tried_again_like_a_broken_one(site: Site) -> None:
    body = b"<html><body>whole</body></html>"
    calls: list[float] = []

    def flaky(request: Request) -> Answer:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Answer(raw=_raw(f"Content-Length: {len(body)}\r\n", body[:10]))
        return Answer(200, body, {"Content-Type": "text/html"})

    site.add("/flaky", flaky)
    records: list[FetchRecord] = []
    response = _get(site, "/flaky", records, CrawlSettings(interval=0.0, timeout=5.0, retries=1))
    assert response.content == body and len(calls) == 2
    assert [r.outcome for r in records if r.url.endswith("/flaky")] == ["truncated", "ok"]


def test_a_whole_body_framed_by_the_close_is_no_truncation(site: Site) -> None:
    """No Content-Length and the connection closed at the end: HTTP cannot tell; the format can."""
    page = _page()
    site.add("/close", Answer(raw=_raw("Content-Type: text/html; charset=utf-8\r\n", page)))
    assert _get(site, "/close", []).content == page
