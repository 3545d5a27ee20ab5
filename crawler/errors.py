"""Crawler errors, translated from httpx at the boundary (fetch.py) so nothing else knows httpx."""

from __future__ import annotations

from nianbao.core.errors import FetchError


class OutOfScope(FetchError):
    """The URL (or a redirect) leaves the configured hosts; it was not requested."""

    kind = "off_scope"


class RobotsDisallowed(FetchError):
    """robots.txt forbids the URL for nianbao's user agent; it was not requested."""

    kind = "robots"


class HTTPStatusError(FetchError):
    """The server answered with an error status after all retries."""

    def __init__(self, message: str, *, url: str = "", status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.kind = "http_5xx" if status >= 500 else "http_4xx"


class FetchTimeout(FetchError):
    """No answer within the timeout, after all retries."""

    kind = "timeout"


class TooLarge(FetchError):
    """The answer was bigger than the configured size cap; the download was stopped."""

    kind = "too_large"


class ConnectError(FetchError):
    """The host could not be reached, or the connection broke: `kind` says how — "refused" (nothing
    listens), "dns" (the name does not resolve), "tls" (the handshake or certificate failed),
    "reset" (the connection was dropped) or "network" (anything else)."""

    def __init__(self, message: str, *, url: str = "", kind: str = "network") -> None:
        super().__init__(message, url=url)
        self.kind = kind


class TooManyRedirects(FetchError):
    """A chain of redirects longer than the crawler follows (a loop, usually)."""

    kind = "redirects"


class BadURL(FetchError):
    """A link that is not a usable URL (too long, no host, a scheme httpx cannot ask): not requested."""

    kind = "bad_url"


class Truncated(FetchError):
    """The body ended before the answer said it would: fewer bytes than its Content-Length, a chunked
    body without its last chunk, a compressed body without its end.  Such a body is never stored: a
    report cut short would read as a changed report missing parts."""

    kind = "truncated"

    def __init__(self, message: str, *, url: str = "", received: int = 0, expected: int | None = None) -> None:
        super().__init__(message, url=url)
        self.received, self.expected = received, expected


class BudgetSpent(FetchError):
    """The walk's request budget (`nianbao discover --budget`) is spent: not requested."""

    kind = "budget"
