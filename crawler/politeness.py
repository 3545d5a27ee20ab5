"""Politeness: one queue per host (concurrency and minimum interval from the config) and robots.txt.

robots.txt follows the common crawler convention: 404 and other 4xx mean "no rules", 401/403
mean "permission cannot be established" (nothing is fetched), 5xx and network errors mean
"try later" (nothing is fetched this run).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from protego import Protego


class HostThrottle:
    """At most `concurrency` requests in flight per host, and starts at least `interval` s apart."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.Semaphore, threading.Lock, list[float]]] = {}

    def _host(self, host: str, concurrency: int) -> tuple[threading.Semaphore, threading.Lock, list[float]]:
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = (threading.Semaphore(concurrency), threading.Lock(), [float("-inf")])
            return self._hosts[host]

    @contextmanager
    def slot(self, host: str, *, interval: float, concurrency: int) -> Iterator[None]:
        """Hold one of the host's request slots, waiting out its interval first."""
        semaphore, lock, last = self._host(host, concurrency)
        with semaphore:
            with lock:
                wait = last[0] + interval - self._clock()
                if wait > 0:
                    self._sleep(wait)
                last[0] = self._clock()
            yield

    def defer(self, host: str, seconds: float) -> None:
        """Push the host's next start back (Retry-After, backoff) for every worker on that host."""
        _, lock, last = self._host(host, 1)
        with lock:
            last[0] = max(last[0], self._clock() + seconds)


class RobotsPolicy:
    """The rules of one host: allow-all, deny-all, or a parsed robots.txt."""

    def __init__(self, rules: Protego | None, *, deny_all: bool = False, reason: str = "") -> None:
        self._rules, self.deny_all, self.reason = rules, deny_all, reason

    @classmethod
    def from_response(cls, status: int | None, body: bytes) -> RobotsPolicy:
        if status is None or status >= 500:
            return cls(None, deny_all=True, reason=f"robots.txt unavailable ({status or 'no answer'})")
        if status in (401, 403):
            return cls(None, deny_all=True, reason=f"robots.txt answered {status}")
        if status >= 400:
            return cls(None)
        return cls(Protego.parse(body.decode("utf-8", errors="replace")))

    def allows(self, url: str, user_agent: str) -> bool:
        if self.deny_all:
            return False
        return self._rules is None or bool(self._rules.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        delay = self._rules.crawl_delay(user_agent) if self._rules else None
        return float(delay) if delay else None
