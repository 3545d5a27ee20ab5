"""httpx's transport on asyncio's own sockets.

httpx's default async transport reaches the network through anyio, which opens a cancel scope
(and asks sniffio which event loop runs) around every read, write and connect: on a crawl of
thousands of hosts that is a fifth of the crawling process's time.  nianbao runs on one asyncio
loop, so `AsyncioBackend` speaks asyncio directly; everything else — connection pool, HTTP/1.1,
TLS, timeouts and error mapping — is httpx's and httpcore's, unchanged.
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
import ssl
import threading
import weakref
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

# httpcore's pool locks load anyio's asyncio backend at a crawl's first request (25 ms): loaded with
# this module instead, so that every portal's first request does not wait for it
import anyio._backends._asyncio  # noqa: F401
import httpcore
import httpx

from crawler.politeness import before_send, request_sent

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]

# A context whose certificates are still being loaded, and when they will be: a handshake waits for them.
_LOADING: weakref.WeakKeyDictionary[ssl.SSLContext, Future[None]] = weakref.WeakKeyDictionary()


def certificate_store() -> ssl.SSLContext:
    """The TLS context of a crawl, as httpx would make it (certifi's certificates, or SSL_CERT_FILE /
    SSL_CERT_DIR), returned at once: its certificates (tens of milliseconds) are loaded in a thread
    while the first requests go out — most portals speak plain HTTP — and a TLS handshake waits for
    them (`AsyncioStream.start_tls`)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # what ssl.create_default_context sets up
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    loaded: Future[None] = Future()
    _LOADING[context] = loaded

    def load() -> None:
        try:
            if os.environ.get("SSL_CERT_FILE"):
                context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
            elif os.environ.get("SSL_CERT_DIR"):
                context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
            else:
                import certifi

                context.load_verify_locations(cafile=certifi.where())
        except BaseException as exc:  # noqa: BLE001 - told to each handshake that waits for it
            loaded.set_exception(exc)
        else:
            loaded.set_result(None)

    threading.Thread(target=load, name="nianbao-certificates", daemon=True).start()
    return context


async def certificates_loaded(context: ssl.SSLContext) -> None:
    """Wait until `context`'s certificates are loaded (at once for any other context)."""
    loading = _LOADING.get(context)
    if loading is not None:
        try:
            await asyncio.wrap_future(loading)
        except Exception as exc:  # no certificate to trust: a TLS failure, of this machine's making
            raise ssl.SSLError(f"the certificate store could not be loaded ({exc})") from exc


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: an asyncio StreamReader/StreamWriter pair."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        await before_send()  # the host's interval ends here, at its bytes: the set-up came before
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
            request_sent()  # the bytes are the kernel's now: the host's interval counts from here
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await certificates_loaded(ssl_context)
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        transport = self._writer.transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":  # an idle connection with something to read was closed (or spoke out of turn)
            return self._reader.at_eof() or _readable(transport.get_extra_info("socket"))
        return None


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once (data, or the end): a socket that is gone counts as read."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections opened with asyncio.open_connection (TCP_NODELAY is asyncio's default)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock: socket.socket | None = writer.transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(f"{path}: a crawl connects to hosts, not to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AsyncioTransport(httpx.AsyncHTTPTransport):
    """httpx.AsyncHTTPTransport whose connection pool reaches the network through `AsyncioBackend`."""

    def __init__(self, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits) -> None:
        # one certificate store, loaded once (httpx would load its own for the pool replaced below)
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        super().__init__(verify=ssl_context, limits=limits)
        # the pool httpx built, rebuilt with the same settings and asyncio's sockets (httpx takes no
        # network backend of its own; `_pool` is the one attribute its request handling uses)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(),
        )
