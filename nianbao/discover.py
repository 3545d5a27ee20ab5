"""`nianbao discover URL`: from a home page to a ready configuration.

The crawler finds the columns (`crawler.discover`); here the titles they list become agencies
(named by the parser's own title reader, their level from the name), columns on one host become
one portal, and both are written as TOML with the evidence for every line as a comment.  A title
cut short in the list ("…工作年") is read from the report's own page, within the page budget.

`--merge FILE` adds what is new — portals whose columns the file does not have, agencies it does
not name — at the end of the file, leaving every existing line as it was.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from checks.levels import infer_level
from crawler.discover import Column, Discovery, discover
from crawler.errors import OutOfScope
from crawler.fetch import Fetcher, build_client
from crawler.scope import Scope, netloc_key
from nianbao.core.config import CrawlSettings, from_dict
from nianbao.core.errors import ConfigError, FetchError, NianbaoError
from parsers import parse_bytes
from parsers.metadata import find_title

MAX_TITLE_FETCHES = 30  # report pages read to name agencies whose list titles are cut


@dataclass
class ProposedAgency:
    name: str
    level: str
    portal: str
    years: set[int] = field(default_factory=set)
    evidence: str = ""  # a title and the URL it was listed at


@dataclass
class ProposedPortal:
    name: str
    urls: list[str]
    columns: list[Column]


@dataclass
class Proposal:
    home: str
    portals: list[ProposedPortal]
    agencies: list[ProposedAgency]
    problems: list[tuple[str, str]]
    pages: int


def run_discovery(home: str, settings: CrawlSettings, *, budget: int = 80) -> Proposal:
    """Walk from `home` and propose portals and agencies (network: only what `settings` allows)."""
    return asyncio.run(_run(home, settings, budget))


async def _run(home: str, settings: CrawlSettings, budget: int) -> Proposal:
    async with build_client(settings) as client:
        fetcher = Fetcher(client, Scope.of((home,)), settings)
        found = await discover(home, fetcher, settings, budget=budget)
        named = await _names(found, fetcher)
    return propose(found, named)


async def _names(found: Discovery, fetcher: Fetcher) -> dict[str, tuple[str, int | None]]:
    """(agency, year) for every listed report: from its title, else from its own page."""
    out: dict[str, tuple[str, int | None]] = {}
    fetched = 0
    for column in found.columns:
        for title, url in column.titles:
            if url in out:
                continue
            _, agency, year = find_title((), title)
            if agency is None and fetched < min(MAX_TITLE_FETCHES, found.budget_left):
                fetched += 1
                agency, year = await _read_name(url, fetcher, found)
            if agency:
                out[url] = (agency, year)
            else:
                found.problems.append((url, f"listed as {title!r}: no agency could be read from it"))
    return out


async def _read_name(url: str, fetcher: Fetcher, found: Discovery) -> tuple[str | None, int | None]:
    try:
        response = await fetcher.get(url)
    except OutOfScope:
        return None, None
    except FetchError as exc:
        found.problems.append((url, f"could not be fetched to read its title: {exc}"))
        return None, None
    if response.outcome != "ok":
        return None, None
    try:
        report = parse_bytes(response.content, source=url, content_type=response.content_type)
    except NianbaoError:
        return None, None
    return report.agency, report.year


def propose(found: Discovery, names: dict[str, tuple[str, int | None]]) -> Proposal:
    """Columns grouped into portals by host; agencies from the names, each under the portal where
    its report was first listed."""
    by_host: dict[tuple[str, int | None], ProposedPortal] = {}
    for column in found.columns:
        host = netloc_key(column.url)
        if host not in by_host:
            by_host[host] = ProposedPortal(column.site, [], [])
        by_host[host].urls.append(column.url)
        by_host[host].columns.append(column)
    _unique_names(list(by_host.values()), found.home)
    agencies: dict[str, ProposedAgency] = {}
    for portal in by_host.values():
        for column in portal.columns:
            for title, url in column.titles:
                if url not in names:
                    continue
                agency, year = names[url]
                if agency not in agencies:
                    agencies[agency] = ProposedAgency(
                        agency, infer_level(agency), portal.name, evidence=f"{title} {url}"
                    )
                if year:
                    agencies[agency].years.add(year)
    return Proposal(found.home, list(by_host.values()), list(agencies.values()), found.problems, found.pages)


def _unique_names(portals: list[ProposedPortal], home: str) -> None:
    seen: set[str] = set()
    for portal in portals:
        host = urlsplit(portal.urls[0]).netloc
        name = portal.name or host
        if name in seen:
            name = f"{name} ({host})"
        portal.name = name
        seen.add(name)


# ---- TOML ---------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    """Text a portal served, made safe for a comment line."""
    return _CONTROL.sub(" ", text)[:300]


def _column_evidence(column: Column) -> str:
    path = " > ".join(step.text for step in column.path) or "the home page"
    read = column.read.summary().split(": ", 1)[-1] if column.read else ""
    state = "read completely" if column.complete else f"not provably complete: {column.why_not}"
    return f"# {column.url}: reached by {path}; {column.cms}, {len(column.titles)} report(s) listed ({read}; {state})"


def to_toml(
    proposal: Proposal, *, portals: list[ProposedPortal] | None = None, agencies: list[ProposedAgency] | None = None
) -> str:
    """The proposal (or the given part of it) as TOML, evidence as comments."""
    portals = proposal.portals if portals is None else portals
    agencies = proposal.agencies if agencies is None else agencies
    lines = [
        f"# nianbao discover {_comment(proposal.home)} ({date.today().isoformat()}, {proposal.pages} pages read)",
    ]
    for url, why in proposal.problems:
        lines.append(_comment(f"# could not read {url}: {why}"))
    for portal in portals:
        lines += ["", "[[portals]]"]
        lines += [_comment(_column_evidence(c)) for c in portal.columns]
        lines.append(f"name = {_s(portal.name)}")
        if len(portal.urls) == 1:
            lines.append(f"url = {_s(portal.urls[0])}")
        else:
            lines.append("urls = [" + ", ".join(_s(u) for u in portal.urls) + "]")
    for agency in sorted(agencies, key=lambda a: (a.portal, a.level, a.name)):
        years = ", ".join(str(y) for y in sorted(agency.years)) or "year unknown"
        lines += [
            "",
            "[[agencies]]",
            _comment(f"# {years}: {agency.evidence}"),
            f"name = {_s(agency.name)}",
            f"level = {_s(agency.level)}  # from the name",
            f"portal = {_s(agency.portal)}",
        ]
    return "\n".join(lines) + "\n"


def merge(proposal: Proposal, path: str) -> tuple[int, int]:
    """Append to `path` the portals and agencies it lacks; every existing line stays as it was.
    Returns (portals added, agencies added).  The result must load as a valid configuration, or
    the file is left untouched."""
    with open(path, "rb") as f:
        original = f.read()
    try:
        data = tomllib.loads(original.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); nothing merged") from exc
    portal_of_url = {u: p.get("name") for p in data.get("portals", []) for u in [p.get("url"), *p.get("urls", [])] if u}
    known_names = {p.get("name") for p in data.get("portals", [])}
    known_agencies = {a.get("name") for a in data.get("agencies", [])}
    new_portals, renamed = [], {}
    for portal in proposal.portals:
        existing = next((portal_of_url[u] for u in portal.urls if u in portal_of_url), None)
        if existing:
            renamed[portal.name] = existing
            continue
        if portal.name in known_names:
            portal.name = f"{portal.name} ({urlsplit(portal.urls[0]).netloc})"
        new_portals.append(portal)
    new_agencies = []
    for agency in proposal.agencies:
        if agency.name in known_agencies:
            continue
        agency.portal = renamed.get(agency.portal, agency.portal)
        new_agencies.append(agency)
    if not new_portals and not new_agencies:
        return 0, 0
    addition = "\n# ---- added by nianbao discover ----\n" + to_toml(
        proposal, portals=new_portals, agencies=new_agencies
    )
    merged = original.decode("utf-8").rstrip("\n") + "\n" + addition
    try:
        from_dict(tomllib.loads(merged), source=path)
    except (ConfigError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: the merged configuration would not load ({exc}); nothing merged") from exc
    tmp = f"{path}.discover.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(merged)
    os.replace(tmp, path)
    return len(new_portals), len(new_agencies)
