"""Fetch one URL politely: scope, robots.txt, the host's schedule, retries with backoff
(Retry-After honoured), conditional requests, redirects followed only within scope; and safely:
the timeout bounds the whole request (a server trickling one byte every two seconds is cut at the
timeout), the size cap counts decoded bytes as they stream, a URL that is not one is refused for
that link alone, and a portal's Crawl-delay and Retry-After are obeyed only up to
`max_crawl_delay` and `max_retry_after` (a day's delay would stall the run: capped, the portal
noted slow in `Fetcher.notes`), one that is no number of seconds ignored with a note; and a
body that ends before the answer said it would is `Truncated`, never a response (what a body
without such a promise shows of its own end is `crawler.truncation`'s).

Only this module knows httpx's exceptions; it translates them into crawler.errors.  Every HTTP
request made is reported to `on_fetch`, so the fetches table holds one row per request.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timezone
from urllib.parse import urljoin, urlsplit

import httpx

from crawler.body import BadEncoding, BodyTooLarge, Decoder, read_bounded
from crawler.classify import classify
from crawler.errors import (
    BadURL,
    BudgetSpent,
    ConnectError,
    FetchTimeout,
    HTTPStatusError,
    OutOfScope,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    Truncated,
)
from crawler.politeness import HostScheduler, RobotsPolicy
from crawler.scope import Scope
from crawler.transport import AsyncioTransport, certificate_store
from nianbao.core.config import CrawlSettings

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
MAX_URL = 2048
MAX_NOTES = 50  # a portal answering every request with a bad Retry-After gives a few notes, not thousands


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One HTTP request, as the fetches table stores it."""

    url: str
    status: int | None
    outcome: str
    bytes: int
    duration_ms: int
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    outcome: str = "ok"  # ok | not_modified | blocked | redirect_shell | soft404 | not_found | error
    shell_target: str | None = None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def build_client(
    settings: CrawlSettings,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    verify: ssl.SSLContext | bool = True,
    connections: int = 1000,
) -> httpx.AsyncClient:
    """An HTTP client for a crawl: no automatic redirects (scope is checked first) and no
    automatic decoding (the body is decoded within the size cap, see `body`).  A crawl of many
    portals gives each portal its own small client sharing one TLS context (`tls_context`): one
    pool for thousands of hosts costs time in the number of requests in flight for every request."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0)
    return httpx.AsyncClient(
        headers={
            "User-Agent": settings.user_agent,
            "Accept-Language": "zh-CN,zh;q=0.9",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
        },
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        # a fresh connection for every request: a server whose Content-Length lies cannot slip a second
        # response into the next request's answer, and a polite crawl (one request a second per host)
        # loses nothing by it
        transport=transport or AsyncioTransport(verify=verify, limits=limits),
    )


def tls_context() -> ssl.SSLContext:
    """The certificate store, loaded once for every client of a crawl (loading it costs
    milliseconds and a megabyte each time), in a thread while the first requests go out."""
    return certificate_store()


Validators = Callable[[str], tuple[str | None, str | None]]


class RequestBudget:
    """At most `limit` HTTP requests, every one counted (robots.txt, retries, list pages, reports):
    a discovery of an endless column stops at its budget, not at the column's end."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    @property
    def spent(self) -> bool:
        return self.used >= self.limit

    def take(self, url: str) -> None:
        """Count one request to `url`; BudgetSpent (nothing sent) when none is left."""
        if self.spent:
            raise BudgetSpent(f"{url}: the request budget of {self.limit} is spent; not requested", url=url)
        self.used += 1


class Fetcher:
    """Polite GETs (and the POSTs some list proxies need) for one portal of a crawl."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        scope: Scope,
        settings: CrawlSettings,
        *,
        scheduler: HostScheduler | None = None,
        on_fetch: Callable[[FetchRecord], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        budget: RequestBudget | None = None,
    ) -> None:
        self.client, self.scope, self.settings = client, scope, settings
        self.budget = budget  # every request counted against it, when given (discover's --budget)
        self.scheduler = scheduler or HostScheduler(clock=clock)
        self.on_fetch = on_fetch or (lambda record: None)
        self._robots: dict[str, RobotsPolicy] = {}
        self._robots_lock = asyncio.Lock()
        # validators of stored copies, for a redirect target's conditional request (set by the crawl)
        self.validators: Validators = lambda url: (None, None)
        # what the portal asked that was capped or ignored ("…Crawl-delay 86400 s capped at 30 s"): the crawl
        # puts them in the pass's record
        self.notes: list[str] = []

    def _note(self, text: str) -> None:
        if text in self.notes or len(self.notes) >= MAX_NOTES:
            return
        self.notes.append(text)
        logger.info("%s", text)

    async def get(
        self,
        url: str,
        *,
        referer: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        data: dict[str, str] | None = None,
    ) -> Response:
        """Fetch `url` (POST when `data` is given); raises a FetchError subclass when it cannot."""
        for _ in range(MAX_REDIRECTS + 1):
            await self._check(url)
            response = await self._request(url, referer=referer, etag=etag, last_modified=last_modified, data=data)
            location = response.headers.get("location")
            if response.status in (301, 302, 303, 307, 308) and location:
                referer, url = url, urljoin(url, location)
                etag, last_modified = self.validators(url)
                data = data if response.status in (307, 308) else None
                continue
            return response
        raise TooManyRedirects(f"{url}: more than {MAX_REDIRECTS} redirects; not followed further", url=url)

    async def _check(self, url: str) -> None:
        if len(url) > MAX_URL or _host(url) is None:
            self.on_fetch(FetchRecord(url[:MAX_URL], None, "bad_url", 0, 0, "not requested: not a usable URL"))
            raise BadURL(f"{url[:200]}: not a usable URL ({len(url)} characters); not requested", url=url[:MAX_URL])
        if not self.scope.allows(url):
            self.on_fetch(FetchRecord(url, None, "out_of_scope", 0, 0, "not requested: outside the portal's hosts"))
            raise OutOfScope(f"{url}: outside the configured hosts; not requested", url=url)
        policy = await self._robots_for(url)
        if policy.unavailable is not None:
            reason = policy.reason
            self.on_fetch(FetchRecord(url, None, "robots_unavailable", 0, 0, reason))
            raise HTTPStatusError(f"{url}: {reason}; not requested", url=url, status=policy.unavailable)
        if not policy.allows(url, self.settings.user_agent):
            reason = policy.reason or "disallowed by robots.txt"
            self.on_fetch(FetchRecord(url, None, "robots", 0, 0, reason))
            raise RobotsDisallowed(f"{url}: {reason}; not requested", url=url)

    def _interval(self, url: str) -> float:
        """The configured interval, or robots.txt's Crawl-delay for the agent sent when it is longer
        (up to max_crawl_delay: `Crawl-delay: 86400` would hold the run for a day per request)."""
        origin = _origin(url)
        policy = self._robots.get(origin)
        delay = policy.crawl_delay(self.settings.user_agent) if policy else None
        cap = self.settings.max_crawl_delay
        if delay is not None and delay > cap:
            self._note(
                f"slow portal: {origin}/robots.txt Crawl-delay {delay:g} s capped at {cap:g} s (max_crawl_delay)"
            )
            delay = cap
        return max(self.settings.interval, delay or 0.0)

    async def _robots_for(self, url: str) -> RobotsPolicy:
        origin = _origin(url)
        async with self._robots_lock:  # one robots.txt request per host, however many wait for it
            if origin not in self._robots:
                try:
                    response = await self._request(origin + "/robots.txt", retries=0)
                    self._robots[origin] = RobotsPolicy.from_response(response.status, response.content)
                    for value in self._robots[origin].ignored:
                        self._note(f"{origin}/robots.txt Crawl-delay {value!r} is no number of seconds: ignored")
                except (FetchTimeout, ConnectError):
                    raise  # the host cannot be reached: that is what happened, not a robots.txt rule
                except (TooLarge, BadEncoding, Truncated):
                    self._robots[origin] = RobotsPolicy.from_response(None, b"")
        return self._robots[origin]

    async def _request(
        self,
        url: str,
        *,
        referer: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        data: dict[str, str] | None = None,
        retries: int | None = None,
    ) -> Response:
        headers = {
            k: v for k, v in (("Referer", referer), ("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v
        }
        retries = self.settings.retries if retries is None else retries
        host = urlsplit(url).netloc
        for attempt in range(retries + 1):
            if self.budget is not None:
                self.budget.take(url)
            started = time.monotonic()
            try:
                async with self.scheduler.slot(
                    host, interval=self._interval(url), concurrency=self.settings.concurrency
                ):
                    status, resp_headers, content = await self._send(url, headers, data)
            except (FetchTimeout, ConnectError, Truncated) as exc:  # a cut connection may hold the next time
                if isinstance(exc, Truncated):
                    self._record(url, None, "truncated", exc.received, started, str(exc))
                else:
                    self._record(url, None, "error", 0, started, str(exc))
                if attempt < retries:
                    self.scheduler.defer(host, self._backoff(attempt))
                    continue
                raise
            except (TooLarge, BadEncoding) as exc:
                self._record(url, None, "too_large" if isinstance(exc, TooLarge) else "error", 0, started, str(exc))
                raise
            if status in RETRY_STATUSES and attempt < retries:
                self._record(url, status, "retry", len(content), started, f"HTTP {status}")
                self.scheduler.defer(host, self._retry_after(url, resp_headers, attempt))
                continue
            conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
            return self._finish(url, status, resp_headers, content, started, conditional)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self, url: str, headers: dict[str, str], data: dict[str, str] | None
    ) -> tuple[int, dict[str, str], bytes]:
        """One request, bounded in time as a whole and in decoded size."""
        method = "POST" if data is not None else "GET"
        headers = {**headers, "User-Agent": self.settings.user_agent}  # the portal's own agent, every request
        cap = self.settings.max_bytes
        try:
            async with asyncio.timeout(self.settings.timeout):
                async with _unbound(
                    self.client.stream(method, url, headers=headers, data=data, timeout=self.settings.timeout)
                ) as response:
                    declared = int(response.headers.get("content-length") or 0)
                    if declared > cap and "content-encoding" not in response.headers:
                        raise TooLarge(f"{url}: {declared} bytes announced, over the {cap} byte cap", url=url)
                    decoder = Decoder(response.headers.get("content-encoding"), url=url, limit=cap)
                    wire = _Counted(response.aiter_raw())
                    try:
                        content = await read_bounded(wire, decoder)
                    except httpx.RemoteProtocolError as exc:  # h11: the peer closed before the body's end
                        raise _truncated(url, wire.size, response.headers.get("content-length")) from exc
                    # closed inside the gzip/deflate stream (an empty body, as a 304's, has no stream to end)
                    if wire.size and any(not layer.eof for layer in decoder.layers):
                        encoding = response.headers.get("content-encoding")
                        raise Truncated(
                            f"{url}: the {encoding} body ended before its compressed stream did "
                            f"(after {wire.size} bytes)",
                            url=url,
                            received=wire.size,
                        )
                    return response.status_code, {k.lower(): v for k, v in response.headers.items()}, content
        except BodyTooLarge:
            raise TooLarge(f"{url}: over the {cap} byte cap (decoded); download stopped", url=url) from None
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchTimeout(f"{url}: no complete answer within {self.settings.timeout:g} s", url=url) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise BadURL(f"{url[:200]}: not a usable URL ({exc})", url=url) from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            kind = connect_kind(exc)
            words = _CONNECT_WORDS.get(kind, f"{type(exc).__name__}: {exc or 'connection failed'}")
            raise ConnectError(f"{url}: {words}", url=url, kind=kind) from exc

    def _finish(
        self, url: str, status: int, headers: dict[str, str], content: bytes, started: float, conditional: bool
    ) -> Response:
        if status == 304 and not conditional:  # "not modified" since nothing: no copy to stand for it
            self._record(url, status, "unasked_304", 0, started, "304 to a request without validators", headers)
            return Response(url, status, b"", headers, "unasked_304")
        if status == 304:
            self._record(url, status, "not_modified", 0, started, None, headers)
            return Response(url, status, b"", headers, "not_modified")
        if 300 <= status < 400:
            self._record(url, status, "redirect", len(content), started, None, headers)
            return Response(url, status, content, headers, "redirect")
        outcome, target = classify(status, content, url)
        error = None if outcome == "ok" else f"HTTP {status} ({outcome})"
        self._record(url, status, outcome, len(content), started, error, headers)
        return Response(url, status, content, headers, outcome, target)

    def _record(
        self,
        url: str,
        status: int | None,
        outcome: str,
        size: int,
        started: float,
        error: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        headers = headers or {}
        self.on_fetch(
            FetchRecord(
                url,
                status,
                outcome,
                size,
                int((time.monotonic() - started) * 1000),
                error,
                headers.get("etag"),
                headers.get("last-modified"),
            )
        )

    def _backoff(self, attempt: int) -> float:
        return float(max(self.settings.interval, 1.0) * (2**attempt))

    def _retry_after(self, url: str, headers: dict[str, str], attempt: int) -> float:
        """Seconds before the retry: Retry-After (seconds or a date) up to max_retry_after, else the
        ordinary backoff.  A cap applied, or a value that is neither ("soon"), is noted."""
        value = headers.get("retry-after", "").strip()
        if not value:
            return self._backoff(attempt)
        origin, cap = _origin(url), self.settings.max_retry_after
        seconds = _retry_seconds(value)
        if seconds is None:
            backoff = self._backoff(attempt)
            self._note(f"{origin}: Retry-After {value[:40]!r} is neither seconds nor a date: ignored, backoff used")
            return backoff
        if seconds > cap:
            self._note(f"slow portal: {origin} Retry-After {seconds:.0f} s capped at {cap:g} s (max_retry_after)")
            return cap
        return seconds


def _retry_seconds(value: str) -> float | None:
    """Retry-After as seconds from now: delay-seconds or an HTTP-date (a past one is 0); None for
    anything else."""
    if value.isascii() and value.isdigit():
        return float(value)  # 5000 digits give inf: capped like any long delay
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC without saying so
        parsed = parsed.replace(tzinfo=timezone.utc)
    return max(parsed.timestamp() - time.time(), 0.0)


_CONNECT_WORDS = {
    "refused": "connection refused (nothing listens on that address and port)",
    "dns": "the host name does not resolve (DNS)",
    "tls": "the TLS handshake failed (certificate or protocol)",
    "reset": "the connection was reset by the server",
}


_DNS_WORDS = ("Name or service not known", "nodename nor servname", "Temporary failure in name", "No address")


def connect_kind(exc: BaseException) -> str:
    """What broke a connection, read from the exception chain httpx and the transport keep:
    "refused", "dns", "tls", "reset", or "network"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "refused"
        if isinstance(current, socket.gaierror):
            return "dns"
        if isinstance(current, ssl.SSLError):
            return "tls"
        if isinstance(current, ConnectionResetError):
            return "reset"
        text = str(current)
        if "Connection refused" in text or "Errno 111" in text:
            return "refused"
        if any(words in text for words in _DNS_WORDS):
            return "dns"
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text and "handshake" in text.lower():
            return "tls"
        current = current.__cause__ or current.__context__
    return "network"


class _Counted:
    """The raw body as it streams, with the bytes received so far counted (to say where it was cut)."""

    def __init__(self, raw: AsyncIterator[bytes]) -> None:
        self.raw, self.size = raw, 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        data = await self.raw.__anext__()
        self.size += len(data)
        return data


@asynccontextmanager
async def _unbound(stream: AbstractAsyncContextManager[httpx.Response]) -> AsyncIterator[httpx.Response]:
    """httpx's streamed response and its stream refer to each other: a cycle per request that only
    the garbage collector frees (some 70 objects a request; collections of tens of ms on the event
    loop in a crawl of hundreds of portals).  Cut once the response is closed, the request's
    objects are freed at once."""
    response = None
    try:
        async with stream as response:
            yield response
    finally:
        if response is not None:
            response.stream = httpx.ByteStream(b"")


def _truncated(url: str, received: int, content_length: str | None) -> Truncated:
    """The body ended before its end as HTTP/1.1 frames it: its Content-Length, or its last chunk.
    (A body framed by the connection's close has no end to miss here: crawler.truncation looks at
    what its format says instead.)"""
    expected = int(content_length) if content_length and content_length.strip().isdigit() else None
    if expected is not None:
        said = f"the body ended after {received} of {expected} bytes"
    else:
        said = f"the chunked body ended after {received} bytes, before its last chunk"
    return Truncated(f"{url}: {said}", url=url, received=received, expected=expected)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # "http://[::1:80/" and the like
        return None
