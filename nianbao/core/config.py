"""Configuration: TOML (interfaces.md) -> one validated, frozen `Config`.  Defaults live here.

Precedence: built-in defaults < the TOML file < command-line flags.  Errors name the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nianbao.core.errors import ConfigError

LEVELS = ("government", "department", "township")


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    interval: float = 1.0
    concurrency: int = 1
    timeout: float = 20.0
    retries: int = 2
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 200
    user_agent: str = "nianbao/0.1 (+https://example.org/nianbao; watch@example.org)"


@dataclass(frozen=True, slots=True)
class Portal:
    name: str
    urls: tuple[str, ...]
    allow_hosts: tuple[str, ...] = ()
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    level: str
    portal: str | None = None


@dataclass(frozen=True, slots=True)
class Deadlines:
    government: str = "03-31"
    department: str = "01-31"
    township: str = "01-31"
    grace_days: int = 0


@dataclass(frozen=True, slots=True)
class EmailSettings:
    smtp_host: str = "localhost"  # empty: write digests to the outbox folder only, send nothing
    smtp_port: int = 25
    security: str = "none"  # none | starttls | ssl
    sender: str = "nianbao@localhost"
    to: tuple[str, ...] = ()
    timeout: float = 30.0

    @property
    def credentials(self) -> tuple[str, str] | None:
        """From the environment only, never from the file."""
        user = os.environ.get("NIANBAO_SMTP_USER")
        return (user, os.environ.get("NIANBAO_SMTP_PASSWORD", "")) if user else None


@dataclass(frozen=True, slots=True)
class Config:
    db_path: str = "nianbao.db"
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    portals: tuple[Portal, ...] = ()
    agencies: tuple[Agency, ...] = ()
    deadlines: Deadlines = field(default_factory=Deadlines)
    email: EmailSettings | None = None
    cron: str = "0 6 * * *"
    outbox_dir: str | None = None  # write digests as .eml files here instead of (or besides) SMTP


def load(path: str | None, *, db: str | None = None) -> Config:
    """Read `path` (or ./nianbao.toml when it exists, else defaults) and apply --db."""
    if path is None and Path("nianbao.toml").exists():
        path = "nianbao.toml"
    config = Config() if path is None else from_dict(_read(path))
    return replace(config, db_path=db) if db else config


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def from_dict(data: dict[str, Any]) -> Config:
    """Validate a parsed TOML document."""
    crawl = _crawl(data.get("crawl", {}), CrawlSettings(), "crawl")
    portals = tuple(_portal(p, crawl, i) for i, p in enumerate(data.get("portals", [])))
    agencies = tuple(_agency(a, i) for i, a in enumerate(data.get("agencies", [])))
    email = data.get("notify", {}).get("email")
    deadlines = data.get("deadlines", {})
    try:
        dl = Deadlines(
            **{k: deadlines[k] for k in ("government", "department", "township", "grace_days") if k in deadlines}
        )
    except TypeError as exc:
        raise ConfigError(f"deadlines: {exc}") from None
    return Config(
        db_path=str(data.get("database", {}).get("path", "nianbao.db")),
        crawl=crawl,
        portals=portals,
        agencies=agencies,
        deadlines=dl,
        email=_email(email) if email else None,
        cron=str(data.get("schedule", {}).get("cron", "0 6 * * *")),
        outbox_dir=data.get("notify", {}).get("outbox_dir"),
    )


def _crawl(data: dict[str, Any], base: CrawlSettings, where: str) -> CrawlSettings:
    known = {f for f in CrawlSettings.__slots__}  # type: ignore[attr-defined]
    values = {k: v for k, v in data.items() if k in known}
    try:
        settings = replace(base, **values)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if settings.interval < 0 or settings.concurrency < 1 or settings.timeout <= 0:
        raise ConfigError(f"{where}: interval must be ≥ 0, concurrency ≥ 1 and timeout > 0")
    return settings


def _portal(data: dict[str, Any], crawl: CrawlSettings, index: int) -> Portal:
    where = f"portals[{index}]"
    urls = tuple(data.get("urls", [])) + ((data["url"],) if "url" in data else ())
    if "name" not in data or not urls:
        raise ConfigError(f"{where}: needs a name and a url (or urls)")
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ConfigError(f"{where}.url: {url!r} is not an http(s) URL")
    return Portal(
        name=str(data["name"]),
        urls=urls,
        allow_hosts=tuple(data.get("allow_hosts", [])),
        crawl=_crawl(data, crawl, where),
        recipients=tuple(data.get("recipients", [])),
    )


def _agency(data: dict[str, Any], index: int) -> Agency:
    level = data.get("level", "township")
    if "name" not in data or level not in LEVELS:
        raise ConfigError(f"agencies[{index}]: needs a name and a level in {', '.join(LEVELS)}")
    return Agency(name=str(data["name"]), level=level, portal=data.get("portal"))


def _email(data: dict[str, Any]) -> EmailSettings:
    security = data.get("security", "none")
    if security not in ("none", "starttls", "ssl"):
        raise ConfigError("notify.email.security: one of none, starttls, ssl")
    to = data.get("to", [])
    return EmailSettings(
        smtp_host=data.get("smtp_host", "localhost"),
        smtp_port=int(data.get("smtp_port", 25)),
        security=security,
        sender=data.get("from", "nianbao@localhost"),
        to=tuple([to] if isinstance(to, str) else to),
    )
