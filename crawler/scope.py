"""Which URLs the crawler may request: the configured portals' hosts and ports, plus allow_hosts.

An http→https move on the default ports stays in scope; another host, or the same host on
another port, never is (interfaces.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def netloc_key(url: str) -> tuple[str, int | None]:
    """(host, port) with default ports folded, so http://x and https://x compare equal."""
    parts = urlsplit(url)
    port = parts.port
    if port is not None and port == _DEFAULT_PORTS.get(parts.scheme):
        port = None
    return (parts.hostname or "").lower(), port


@dataclass(frozen=True, slots=True)
class Scope:
    allowed: frozenset[tuple[str, int | None]]

    @classmethod
    def of(cls, urls: tuple[str, ...], allow_hosts: tuple[str, ...] = ()) -> Scope:
        keys = {netloc_key(u) for u in urls}
        for host in allow_hosts:
            name, _, port = host.partition(":")
            keys.add((name.lower(), int(port) if port else None))
        return cls(frozenset(keys))

    def allows(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            return parts.scheme in _DEFAULT_PORTS and netloc_key(url) in self.allowed
        except ValueError:  # not a URL: never in scope
            return False
