"""A loopback HTTP server for simulated portal sites: one server (one port, so one "host") per site.

Routes map a path (with its query) to a fixed answer or to a handler called with the request,
so a site can check a Referer, answer a POST, fail twice before succeeding, or stall.
"""

from __future__ import annotations

import hashlib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes
    received: float = field(default_factory=time.monotonic)  # when the server had read it: its access log

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False  # drop the connection without answering
    # a hostile server: writes the whole raw answer itself (a trickle, a lying Content-Length …)
    raw: Callable[[BinaryIO], None] | None = None


Route = Answer | Callable[[Request], Answer]


class Site:
    """Routes of one simulated host; unknown paths get `fallback` (a soft 404 on most portals)."""

    def __init__(
        self, name: str, *, fallback: Answer | None = None, latency: float = 0.0, validators: bool = True
    ) -> None:
        self.name, self.latency, self.validators = name, latency, validators
        self.routes: dict[str, Route] = {}
        self.fallback = fallback or Answer(404, b"<html><body>404 Not Found</body></html>")
        self.log: list[Request] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.scheme = "http"

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    @property
    def base(self) -> str:
        assert self.server is not None, "site not started"
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def answer(self, request: Request) -> Answer:
        with self.lock:
            self.log.append(request)
        route = self.routes.get(request.path) or self.routes.get(urlsplit(request.path).path)
        if route is None:
            return self.fallback
        return route(request) if callable(route) else route

    def requested(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.log if r.path == path]


def _handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            answer = site.answer(request)
            if site.latency or answer.delay:
                time.sleep(site.latency + answer.delay)
            if answer.reset:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if answer.raw is not None:
                try:
                    answer.raw(self.wfile)  # type: ignore[arg-type]
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                return
            if answer.status == 200 and site.validators:
                etag = '"' + hashlib.sha1(answer.body).hexdigest()[:16] + '"'
                if request.headers.get("if-none-match") == etag:
                    answer = Answer(304, b"", {"ETag": etag})
                else:
                    answer = Answer(
                        200,
                        answer.body,
                        {**answer.headers, "ETag": etag, "Last-Modified": "Tue, 20 Jan 2026 01:22:00 GMT"},
                    )
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                try:
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        do_GET = do_POST = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr logging
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (size cap, timeout) is expected here, not an error


def start(sites: list[Site], *, tls: ssl.SSLContext | None = None, ports: dict[str, int] | None = None) -> None:
    """Start every site on its own loopback port, each in a daemon thread (HTTPS with `tls`, a
    server context holding the site's certificate).  `ports` fixes a site's port by its name (any
    free one otherwise); a port already taken raises OSError, and the sites started so far stop."""
    started: list[Site] = []
    for site in sites:
        try:
            server = _QuietServer(("127.0.0.1", (ports or {}).get(site.name, 0)), _handler_for(site))
        except OSError:
            stop(started)
            raise
        started.append(site)
        server.daemon_threads = True
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
            site.scheme = "https"
        site.server = server
        # stop() waits for serve_forever to look at its flag: every 50 ms, not the default 0.5 s (the demo
        # and the tests stop six sites at a time)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"site-{site.name}", daemon=True
        ).start()


def stop(sites: list[Site]) -> None:
    for site in sites:
        if site.server is not None:
            site.server.shutdown()
            site.server.server_close()
            site.server = None
