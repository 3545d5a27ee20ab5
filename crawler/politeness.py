"""Politeness: one schedule per host (at most `concurrency` requests in flight, sent at least
`interval` apart, as the portal sees them arrive) and robots.txt.

The schedule is asyncio: thousands of portals share one event loop, and a host's next start is a
time, not a sleeping thread.  robots.txt follows the common crawler convention: 404 and other 4xx
mean "no rules", 401/403 mean "permission cannot be established" (nothing is fetched), 5xx and
network errors mean "try later" (nothing is fetched this run).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from protego import Protego

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Host:
    slots: asyncio.Semaphore
    last_sent: float = float("-inf")  # when the host's last request left (its bytes written)
    not_before: float = float("-inf")  # pushed back by Retry-After and backoff
    unsent: int = 0  # requests started whose bytes have not left yet (and that are not over)
    quiet: asyncio.Event = field(default_factory=asyncio.Event)  # set while `unsent` is 0
    sends: list[float] = field(default_factory=list)  # kept only when a request log is asked for

    def __post_init__(self) -> None:
        self.quiet.set()


# The request of the running task that holds a slot: the transport calls `request_sent` when the
# request's bytes are written, and the host's schedule counts from that moment.  A context
# variable, because the write happens deep inside httpx, in the same task as the slot.
_SENDING: ContextVar[_Sending | None] = ContextVar("nianbao_sending", default=None)
# How long before the host's interval is over a request's slot opens: building the request and
# opening its connection happen in that lead, and its bytes wait for the interval's end
# (`before_send`).  A tenth of the interval at most, so that even connections, which start in the
# lead, are never closer than nine tenths of the interval.
LEAD = 0.1
MAX_LEAD = 0.05


@dataclass(frozen=True)
class _Sending:
    turn: Callable[[], Awaitable[None]]  # waits for the host's interval to be over (before the first write)
    stamp: Callable[[], None]  # the bytes are written


async def before_send() -> None:
    """Wait until this task's request may leave (called by the transport before each write)."""
    sending = _SENDING.get()
    if sending is not None:
        await sending.turn()


def request_sent() -> None:
    """Stamp the request of this task as sent, now (called by the transport after each write)."""
    sending = _SENDING.get()
    if sending is not None:
        sending.stamp()


class HostScheduler:
    """Per host: at most `concurrency` requests in flight, and each request sent at least its
    `interval` after the host's previous one was (the interval of the request about to start: a
    robots.txt Crawl-delay learnt from the request before applies at once).

    "Sent" is when the request's bytes were written (`request_sent`), not when its slot opened:
    what a portal's firewall sees.  Connection set-up and whatever else the event loop did in
    between come after the start, so the next start counts from the send; a request that wrote
    nothing (refused, or a transport that is no socket) counts from its end.  With concurrency
    above 1, a start waits until every request started before it has been sent."""

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep, log: bool = False) -> None:
        self._clock, self._sleep, self._log = clock, sleep, log
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str, concurrency: int) -> _Host:
        if host not in self._hosts:
            self._hosts[host] = _Host(asyncio.Semaphore(concurrency))
        return self._hosts[host]

    @asynccontextmanager
    async def slot(self, host: str, *, interval: float, concurrency: int) -> AsyncIterator[None]:
        """Hold one of the host's request slots.  The start waits out the host's interval, less a
        short lead (`LEAD`) in which the request is built and its connection opened; its bytes
        wait for the rest (`before_send`), so that the interval counts between what the host sees."""
        state = self._host(host, concurrency)
        lead = min(interval * LEAD, MAX_LEAD)
        async with state.slots:
            while True:  # another request of the host may have started or been sent while we slept
                if state.unsent:
                    await state.quiet.wait()
                    continue
                wait = max(state.last_sent + interval, state.not_before) - lead - self._clock()
                if wait <= 0:
                    break
                await self._sleep(wait)
            sent: list[float] = []

            async def turn() -> None:
                while not sent:  # the first write only: the rest of a request follows at once
                    wait = max(state.last_sent + interval, state.not_before) - self._clock()
                    if wait <= 0:
                        return
                    await self._sleep(wait)

            def stamp() -> None:
                now = self._clock()
                if not sent:
                    state.unsent -= 1
                    if not state.unsent:
                        state.quiet.set()
                sent[:] = [now]
                state.last_sent = max(state.last_sent, now)

            state.unsent += 1
            state.quiet.clear()
            token = _SENDING.set(_Sending(turn, stamp))
            try:
                yield
            finally:
                try:
                    _SENDING.reset(token)
                except ValueError:  # pragma: no cover - closed from another context (a collected generator)
                    pass
                if sent:
                    if self._log:
                        state.sends.append(sent[0])
                else:  # nothing written: nothing can leave after now
                    stamp()

    def defer(self, host: str, seconds: float) -> None:
        """Push the host's next start back (Retry-After, backoff) for every request to that host."""
        state = self._host(host, 1)
        state.not_before = max(state.not_before, self._clock() + seconds)

    def sends(self) -> dict[str, list[float]]:
        """When each request to each host was sent (with log=True), by the scheduler's clock: the
        evidence of politeness, which a portal's own log should show as well."""
        return {host: list(state.sends) for host, state in self._hosts.items()}


_CRAWL_DELAY = re.compile(r"^[ \t]*crawl-delay[ \t]*:[ \t]*([^#\r\n]*)", re.I | re.M)


class RobotsPolicy:
    """The rules of one host: allow-all, deny-all, or a parsed robots.txt.  `ignored` holds the
    Crawl-delay values that are no number of seconds ("abc", "-5"): ignored, and worth a note."""

    def __init__(
        self,
        rules: Protego | None,
        *,
        deny_all: bool = False,
        reason: str = "",
        unavailable: int | None = None,
        ignored: tuple[str, ...] = (),
    ) -> None:
        self._rules, self.deny_all, self.reason, self.ignored = rules, deny_all, reason, ignored
        self.unavailable = unavailable  # robots.txt answered this 5xx: nothing is fetched, and it is no ban

    @classmethod
    def from_response(cls, status: int | None, body: bytes) -> RobotsPolicy:
        if status is not None and status >= 500:
            return cls(None, deny_all=True, reason=f"robots.txt answered HTTP {status}", unavailable=status)
        if status is None:
            return cls(None, deny_all=True, reason="robots.txt could not be read")
        if status in (401, 403):
            return cls(None, deny_all=True, reason=f"robots.txt answered {status}")
        if status >= 400:
            return cls(None)
        text = body.decode("utf-8", errors="replace")
        ignored = tuple(v.strip()[:40] for v in _CRAWL_DELAY.findall(text) if _seconds(v) is None)
        return cls(Protego.parse(text), ignored=ignored)

    def allows(self, url: str, user_agent: str) -> bool:
        if self.deny_all:
            return False
        return self._rules is None or bool(self._rules.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """The delay robots.txt asks of this agent, uncapped (the fetcher caps it); None for none or
        for one that is no number of seconds."""
        delay = self._rules.crawl_delay(user_agent) if self._rules else None
        return _seconds(delay) if delay else None


def _seconds(value: object) -> float | None:
    """A finite, non-negative number of seconds, or None ("abc", "-5", "nan", "inf")."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
