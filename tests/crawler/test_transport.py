"""httpx over asyncio's own sockets (crawler.transport): HTTPS with a certificate checked, and
failures that stay one-line fetch errors."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from crawler.errors import ConnectError, FetchTimeout
from crawler.fetch import Fetcher, FetchRecord, Response, build_client
from crawler.scope import Scope
from nianbao.core.config import CrawlSettings
from nianbao.sample.server import Answer, Site, start, stop

SETTINGS = CrawlSettings(interval=0.0, timeout=3.0, retries=0)
PAGE = "<html><body>某某县人民政府2025年度政府信息公开工作年度报告</body></html>".encode()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture()
def tls_site(ca: trustme.CA) -> Iterator[Site]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    site = Site("tls")
    site.add("/robots.txt", Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
    site.add("/report.html", Answer(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    start([site], tls=context)
    yield site
    stop([site])


def _fetch(url: str, *, verify: ssl.SSLContext | bool = True) -> tuple[Response | Exception, list[FetchRecord]]:
    records: list[FetchRecord] = []

    async def go() -> Response | Exception:
        async with build_client(SETTINGS, verify=verify) as client:
            fetcher = Fetcher(client, Scope.of((url,)), SETTINGS, on_fetch=records.append)
            try:
                return await fetcher.get(url)
            except Exception as exc:  # the test looks at what the request gave
                return exc

    return asyncio.run(go()), records


def test_https_with_a_trusted_certificate(tls_site: Site, ca: trustme.CA) -> None:
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    response, records = _fetch(tls_site.url("/report.html"), verify=trusting)
    assert tls_site.base.startswith("https://")
    assert isinstance(response, Response) and response.content == PAGE and response.status == 200
    assert [(r.url.rsplit("/", 1)[1], r.outcome) for r in records] == [("robots.txt", "ok"), ("report.html", "ok")]


def test_an_untrusted_certificate_is_a_connect_error_not_a_page(tls_site: Site) -> None:
    response, records = _fetch(tls_site.url("/report.html"))  # the system's store does not know this CA
    # robots.txt could not be had: nothing is requested, and the failure is what it was (TLS), no robots rule
    assert isinstance(response, ConnectError) and response.kind == "tls", response
    assert len(records) == 1
    robots = records[0]
    assert robots.outcome == "error" and "certificate" in (robots.error or "").lower()
    assert "\n" not in (robots.error or "")


@pytest.mark.slow
def test_a_closed_port_and_a_silent_server_are_fetch_errors() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    error, [refused] = _fetch(f"http://127.0.0.1:{port}/report.html")
    assert refused.outcome == "error" and refused.error and "connection refused" in refused.error
    assert isinstance(error, ConnectError) and error.kind == "refused"  # not "blocked": nothing listens
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        error, [waited] = _fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/report.html")
    assert waited.outcome == "error" and waited.error and "within 3 s" in waited.error
    assert isinstance(error, FetchTimeout) and error.kind == "timeout"


def test_the_crawls_certificate_store_is_loaded_beside_the_first_requests(
    tls_site: Site, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tls_context` returns before its certificates are loaded (in a thread); a handshake made at
    once waits for them, and trusts exactly what they trust (SSL_CERT_FILE, as httpx reads it); a
    store that cannot be loaded makes each handshake a one-line TLS failure, not a hang."""
    from crawler.fetch import tls_context

    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    store = tls_context()
    assert store.verify_mode == ssl.CERT_REQUIRED and store.check_hostname
    response, records = _fetch(tls_site.url("/report.html"), verify=store)
    assert isinstance(response, Response) and response.content == PAGE, response
    assert store.cert_store_stats()["x509_ca"] == 1  # this CA, and not the system's nor certifi's

    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    response, records = _fetch(tls_site.url("/report.html"), verify=tls_context())
    assert isinstance(response, ConnectError) and response.kind == "tls", response
    assert records[0].outcome == "error" and "TLS handshake failed" in (records[0].error or ""), records[0].error
