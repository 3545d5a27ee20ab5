"""Which hosts a discovery may ask, on what evidence.

A link is a claim made by whoever wrote the page, and a page's template is written once for many
sites: a county's footer links its neighbours, a 政府信息公开 link may point at an intranet name or
at 169.254.169.254 (where cloud machines answer with their credentials).  So a host is asked only
when the portal itself vouches for it, and some addresses never, whatever vouches:

- a literal IP address in a private, link-local, reserved, multicast or unspecified range, and a
  loopback one unless the home page itself is on loopback (a local test portal);
- a name no public DNS answers for: one without a dot (`oa`, `xxgk-server`) or under a special-use
  top-level domain (`.local`, `.internal`, `.lan`, `localhost` …);
- a decimal, hexadecimal or octal spelling of an IPv4 address (`2852039166`, `0xA9FEA9FE`): an
  operating system's resolver reads them as addresses.

"Registrable domain" is the public-suffix rule (`www.ordos.gov.cn` and `zgq.ordos.gov.cn` are both
`ordos.gov.cn`); an address is its own registrable domain, port included, so two loopback sites on
two ports are two sites.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from nianbao.core.messages import Said, said

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

SPECIAL_TLDS = frozenset(
    {
        "local",
        "localhost",
        "localdomain",
        "internal",
        "intranet",
        "lan",
        "corp",
        "home",
        "private",
        "test",
        "example",
        "invalid",
        "onion",
        "arpa",
    }
)
_NUMERIC_V4 = re.compile(r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}", re.I)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def literal_address(host: str) -> Address | None:
    """The address a host names literally (in any spelling a resolver accepts), or None for a name."""
    bare = host.strip("[]").rstrip(".").lower()
    try:
        found = ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        if not _NUMERIC_V4.fullmatch(bare):
            return None
        try:
            found = ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return ipaddress.IPv4Address("255.255.255.255")  # digits that are no address: refused as reserved
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def is_loopback(host: str) -> bool:
    address = literal_address(host)
    return (address is not None and address.is_loopback) or host.rstrip(".").lower() in ("localhost",)


def refusal(host: str, home_host: str) -> Said | None:
    """Why `host` is never asked on a walk that started at `home_host`; None when it may be."""
    address = literal_address(host)
    if address is None:
        name = host.rstrip(".").lower()
        if name == "localhost" or name.endswith(".localhost"):
            return None if is_loopback(home_host) else said("host.loopback", host=host)
        if "." not in name or name.rsplit(".", 1)[-1] in SPECIAL_TLDS:
            return said("host.intranet", host=host)
        return None
    if address.is_loopback:
        return None if is_loopback(home_host) else said("host.loopback", host=host)
    if address.is_link_local:
        return said("host.link_local", host=host)
    if address.is_private:
        return said("host.private", host=host)
    if address.is_multicast or address.is_unspecified or address.is_reserved or not address.is_global:
        return said("host.reserved", host=host)
    return None


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList  # the list ships in the wheel: nothing is downloaded

    return PublicSuffixList()


def registrable(url: str) -> str:
    """The registrable domain of `url`'s host (`ordos.gov.cn`), or the address and port of a literal
    address (`127.0.0.1:8001`): what one organisation controls."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if literal_address(host) is not None or "." not in host:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        return f"{host}:{port}"
    return _suffixes().privatesuffix(host) or host


def same_registrable(a: str, b: str) -> bool:
    return registrable(a) == registrable(b)
