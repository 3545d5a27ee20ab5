"""`nianbao discover URL`: from a home page to a ready configuration.

The crawler finds the columns (`crawler.discover`); here the titles they list become agencies,
named as the law names the publisher (a bare region name is its 人民政府: `nianbao.core.divisions`)
at nianbao's levels, columns on one host become one portal, and both are written as TOML with the
evidence for every line as a comment: how each column was reached, why each host is there, where
each agency was listed.  A title cut short in the list ("…工作年") is read from the report's own
page, and so is one report of each column, for the hosts its attachments are on (`allow_hosts`).

Reports of governments above the portal's own (the region's, the city's) or beside it, which a
column republishes, are listed as republished, with where they come from, and left out of the
watch list unless asked for (`--include-republished`).

The TOML is written by a TOML library (tomli-w: every control character escaped), and loaded and
validated by the configuration schema before anything is printed or merged: output that would not
load is a bug of nianbao's (`DiscoverBug`, one line, exit 2), never a half-valid file.

`--merge FILE` adds what is new — portals whose columns the file does not have, agencies it does
not name — at the end of the file, leaving every existing line as it was.
"""

from __future__ import annotations

import asyncio
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import httpx
import tomli_w

from crawler.crawl import _attachments
from crawler.discover import Column, Discovery, Step, discover
from crawler.errors import BudgetSpent, OutOfScope
from crawler.fetch import Fetcher, build_client
from crawler.hosts import refusal
from crawler.listing import Page
from crawler.scope import Scope, netloc_key
from crawler.scripted import Browser
from nianbao.core.agencies import normalise
from nianbao.core.config import Config, CrawlSettings, from_dict
from nianbao.core.divisions import RANK_NAMES, Name, own_government, read_name, relation
from nianbao.core.encoding import decode
from nianbao.core.errors import ConfigError, FetchError, NianbaoError
from nianbao.core.messages import N_, Said, gettext_for, said
from parsers import parse_bytes
from parsers.metadata import find_title

MAX_TITLE_FETCHES = 30  # report pages read to name agencies whose list titles are cut
MAX_SKIPPED_HOSTS = 12  # hosts not asked, each on a line of its own in the output

Host = tuple[str, int | None]


class DiscoverBug(NianbaoError):
    """The configuration discover wrote does not load: a bug of nianbao's, never printed."""


@dataclass
class ProposedAgency:
    name: str  # as the law names the publisher
    level: str
    portal: str
    years: set[int] = field(default_factory=set)
    evidence: str = ""  # a title and the URL it was listed at
    aliases: set[str] = field(default_factory=set)  # the name as titles write it, where it differs
    relation: str = "own"  # own | above | beside (the portal's own government)
    column: str = ""  # the column it was listed in
    rank: str = ""  # the administrative level of its region: national | province | prefecture | county | township


@dataclass
class ProposedPortal:
    name: str
    urls: list[str]
    columns: list[Column]
    hosts: list[tuple[Host, list[Said]]] = field(default_factory=list)
    allow_hosts: list[tuple[str, list[Said]]] = field(default_factory=list)
    scripted: list[str] = field(default_factory=list)  # pages of its host whose script menu was not followed


@dataclass
class Proposal:
    home: str
    portals: list[ProposedPortal]
    agencies: list[ProposedAgency]
    problems: list[tuple[str, Said]]
    pages: int
    requests: int = 0
    budget: int = 0
    republished: list[ProposedAgency] = field(default_factory=list)
    own: str | None = None  # the portal's own government, and how it was told
    own_how: str = ""
    skipped: list[tuple[str, str, Said]] = field(default_factory=list)
    scripted: list[str] = field(default_factory=list)
    include_republished: bool = False


def run_discovery(
    home: str,
    settings: CrawlSettings,
    *,
    budget: int = 80,
    browser: bool = False,
    include_republished: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Proposal:
    """Walk from `home` and propose portals and agencies (network: only what `settings` allows;
    `transport` carries every request, for a test that must see them all)."""
    return asyncio.run(_run(home, settings, budget, browser, include_republished, transport))


async def _run(
    home: str,
    settings: CrawlSettings,
    budget: int,
    browser: bool,
    include_republished: bool,
    transport: httpx.AsyncBaseTransport | None,
) -> Proposal:
    async with build_client(settings, transport) as client:
        fetcher = Fetcher(client, Scope.of((home,)), settings)
        drawer = Browser(fetcher, timeout=settings.timeout) if browser else None
        found = await discover(home, fetcher, settings, budget=budget, browser=drawer)
        named, attachments = await _read_reports(found, fetcher)
        found.requests = fetcher.budget.used if fetcher.budget is not None else found.requests
    return propose(found, named, attachments, include_republished=include_republished)


async def _read_reports(
    found: Discovery, fetcher: Fetcher
) -> tuple[dict[str, tuple[str, int | None]], dict[str, list[tuple[str, str]]]]:
    """(agency, year) for every listed report: from its title, else from its own page; and, from
    the report pages read (at least one a column), the other hosts their attachments are on."""
    names: dict[str, tuple[str, int | None]] = {}
    attachments: dict[str, list[tuple[str, str]]] = {}  # column URL -> (attachment URL, report page)
    fetched = 0
    for column in found.columns:
        looked = False
        for title, url in column.titles:
            if url in names:
                continue
            _, agency, year = find_title((), title)
            if agency is None and fetched < MAX_TITLE_FETCHES:
                fetched += 1
                agency, year, links = await _read_page(url, fetcher, found)
                attachments.setdefault(column.url, []).extend(links)
                looked = True
            if agency:
                names[url] = (agency, year)
            else:
                found.problems.append((url, said("discover.no_agency", title=title)))
        if not looked and column.titles:
            _, _, links = await _read_page(column.titles[0][1], fetcher, found)
            attachments.setdefault(column.url, []).extend(links)
    return names, attachments


async def _read_page(
    url: str, fetcher: Fetcher, found: Discovery
) -> tuple[str | None, int | None, list[tuple[str, str]]]:
    try:
        response = await fetcher.get(url)
    except (OutOfScope, BudgetSpent):
        return None, None, []
    except FetchError as exc:
        found.problems.append((url, said("discover.failed", failure=f"failure.{exc.kind}")))
        return None, None, []
    if response.outcome != "ok":
        return None, None, []
    links: list[tuple[str, str]] = []
    if b"<" in response.content[:2048]:
        text, _ = decode(response.content, content_type=response.content_type)
        links = [(link.url, response.url) for link in _attachments(Page(response.url, text))]
    try:
        report = parse_bytes(response.content, source=url, content_type=response.content_type)
    except NianbaoError:
        return None, None, links
    return report.agency, report.year, links


def _own(found: Discovery, names: dict[str, tuple[str, int | None]]) -> tuple[Name | None, str]:
    """The portal's own government: the home page's name says it; else the government listed that
    the most publishers fall under."""
    read = [read_name(agency) for agency, _ in names.values()]
    if found.own is not None and (not read or any(relation(n, found.own) == "own" for n in read)):
        return found.own, "home"  # a name no title falls under is no portal's own (the titles say)
    governments = [n for n in read if n.is_government] or [n for n in read if n.regions]
    if not governments:
        return None, ""
    votes = Counter(
        (g.regions[-1].rank, "".join(r.name for r in g.regions))
        for g in governments
        if sum(relation(n, g) == "own" for n in read) * 2 > len(read)
    )
    if not votes:
        return None, ""
    (_, region), _ = max(votes.items(), key=lambda kv: (kv[1], kv[0][0]))
    return own_government(region), "titles"


def propose(
    found: Discovery,
    names: dict[str, tuple[str, int | None]],
    attachments: dict[str, list[tuple[str, str]]] | None = None,
    *,
    include_republished: bool = False,
) -> Proposal:
    """Columns grouped into portals by host; agencies from the names, each under the portal where
    its report was first listed: the portal's own, or republished."""
    by_host: dict[Host, ProposedPortal] = {}
    for column in found.columns:
        host = netloc_key(column.url)
        if host not in by_host:
            by_host[host] = ProposedPortal(column.site, [], [], hosts=[(host, found.hosts.get(host, []))])
        by_host[host].urls.append(column.url)
        by_host[host].columns.append(column)
    for page in found.scripted:
        portal = by_host.get(netloc_key(page))
        if portal is not None:
            portal.scripted.append(page)
    _allow(by_host, found, attachments or {})
    _unique_names(list(by_host.values()))
    own, how = _own(found, names)
    agencies: dict[str, ProposedAgency] = {}
    republished: dict[str, ProposedAgency] = {}
    for portal in by_host.values():
        for column in portal.columns:
            for title, url in column.titles:
                if url not in names:
                    continue
                written, year = names[url]
                name = read_name(written)
                where = relation(name, own)
                into = agencies if where == "own" else republished
                key = normalise(name.lawful)
                if key not in into:
                    evidence = f"{title} {url}"
                    into[key] = ProposedAgency(
                        name.lawful,
                        name.level,
                        portal.name,
                        evidence=evidence,
                        relation=where,
                        column=column.url,
                        rank=RANK_NAMES.get(name.rank, "") if name.rank is not None else "",
                    )
                if normalise(written) != key:
                    into[key].aliases.add(written)
                if year:
                    into[key].years.add(year)
    return Proposal(
        found.home,
        list(by_host.values()),
        list(agencies.values()),
        found.problems,
        found.pages,
        requests=found.requests,
        budget=found.budget,
        republished=list(republished.values()),
        own=own.written if own is not None else None,
        own_how=how,
        skipped=found.skipped,
        scripted=found.scripted,
        include_republished=include_republished,
    )


def _allow(
    by_host: dict[Host, ProposedPortal], found: Discovery, attachments: dict[str, list[tuple[str, str]]]
) -> None:
    """Each portal's attachment hosts: seen on its report pages, never an address that may not be asked."""
    home_host = urlsplit(found.home).hostname or ""
    for portal in by_host.values():
        seen: dict[str, list[Said]] = {}
        for column in portal.columns:
            for url, page in attachments.get(column.url, []):
                parts = urlsplit(url)
                host = netloc_key(url)
                if host in by_host or host == netloc_key(column.url) or not parts.hostname:
                    continue
                if parts.scheme not in ("http", "https") or refusal(parts.hostname, home_host) is not None:
                    continue
                written = parts.hostname + (f":{host[1]}" if host[1] else "")
                if written not in seen:
                    seen[written] = [said("host.attachments", url=page)]
        portal.allow_hosts = list(seen.items())


def _unique_names(portals: list[ProposedPortal]) -> None:
    seen: set[str] = set()
    for portal in portals:
        host = urlsplit(portal.urls[0]).netloc
        name = portal.name or host
        if name in seen:
            name = f"{name} ({host})"
        portal.name = name
        seen.add(name)


# ---- TOML ---------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _value(key: str, value: Any) -> str:
    """`key = value` as TOML, by the TOML library: every control character escaped."""
    return tomli_w.dumps({key: value}).rstrip("\n")


def _comment(text: str) -> str:
    """Text a portal served, made safe for a comment line."""
    return "# " + _CONTROL.sub(" ", text)[:400]


_REGION_WORDS = {
    "content": N_("content"),
    "nav": N_("navigation"),
    "header": N_("header"),
    "footer": N_("footer"),
    "links": N_("links block"),
    "sitemap": N_("site map"),
    "breadcrumb": N_("breadcrumb"),
    "repeated": N_("repeated on the site's pages"),
    "block": N_("block of reports"),
}


def _step(step: Step, lang: str) -> str:
    _ = gettext_for(lang)
    drawn = step.region.startswith("script:")
    region = step.region.removeprefix("script:")
    where = _(_REGION_WORDS[region]) if region in _REGION_WORDS else region
    if drawn:
        where = _("{region}, drawn by script").format(region=where)
    if step.why and region != "block":
        where = f"{where} {step.why}"
    if not where:
        return step.text
    return _("{text} ({region}; by the words {words})").format(text=step.text, region=where, words=step.words or "—")


def _column_evidence(column: Column, lang: str) -> str:
    _ = gettext_for(lang)
    path = " > ".join(_step(step, lang) for step in column.path) or _("the home page")
    if column.complete:
        state = _("read completely")
    else:
        why = column.why_said.text(lang) if column.why_said is not None else column.why_not
        state = _("not provably complete: {why}").format(why=why)
    return _comment(
        _("column {url}: reached by {path}; {cms}, {n} report(s) listed, {state}").format(
            url=column.url, path=path, cms=column.cms, n=len(column.titles), state=state
        )
    )


def _host_text(host: Host) -> str:
    return host[0] + (f":{host[1]}" if host[1] else "")


def to_toml(
    proposal: Proposal,
    *,
    portals: list[ProposedPortal] | None = None,
    agencies: list[ProposedAgency] | None = None,
    lang: str = "zh_CN",
) -> str:
    """The proposal (or the given part of it) as TOML, evidence as comments."""
    _ = gettext_for(lang)
    portals = proposal.portals if portals is None else portals
    agencies = watched(proposal) if agencies is None else agencies
    header = _("nianbao discover {home} ({day}: {requests} requests of a budget of {budget}, {pages} pages read)")
    lines = [
        _comment(
            header.format(
                home=proposal.home,
                day=date.today().isoformat(),
                requests=proposal.requests,
                budget=proposal.budget,
                pages=proposal.pages,
            )
        )
    ]
    lines += _walk_lines(proposal, lang)
    for portal in portals:
        lines += _portal_lines(portal, lang)
    for agency in sorted(agencies, key=lambda a: (a.portal, a.level, a.name)):
        lines += ["", "[[agencies]]", _agency_comment(agency, lang)]
        lines.append(_value("name", agency.name))
        lines.append(_value("level", agency.level) + "  # " + _("from the name"))
        lines.append(_value("portal", agency.portal))
        if agency.aliases:
            lines.append(_value("aliases", sorted(agency.aliases)))
    others = [a for a in proposal.republished if a not in agencies]
    if others:
        lines += ["", _comment(_("republished: reports of governments above or beside this portal's own, not watched"))]
        lines.append(_comment(_("(nianbao discover --include-republished watches them too)")))
        for agency in sorted(others, key=lambda a: (a.name, a.column)):
            lines.append(_agency_comment(agency, lang))
    return "\n".join(lines) + "\n"


def _walk_lines(proposal: Proposal, lang: str) -> list[str]:
    """What the walk says before the tables: whose portal it is, what could not be read, and the
    hosts it did not ask, each once with its link's words and why (a neighbour in the footer)."""
    _ = gettext_for(lang)
    lines = []
    if proposal.own:
        how = _("by the home page's name") if proposal.own_how == "home" else _("by the titles listed")
        lines.append(_comment(_("this portal's own government: {name} ({how})").format(name=proposal.own, how=how)))
    for url, why in proposal.problems:
        lines.append(_comment(f"{url}: {why.text(lang)}"))
    if not proposal.skipped:
        return lines
    lines.append(
        _comment(
            _("{n} link(s) to other sites not followed, for example {url}: {why}").format(
                n=len(proposal.skipped), url=proposal.skipped[0][0], why=proposal.skipped[0][2].text(lang)
            )
        )
    )
    asked = {h for portal in proposal.portals for h, _ in portal.hosts}
    hosts: dict[str, tuple[str, Said]] = {}
    for url, title, why in proposal.skipped:
        host = netloc_key(url)
        if host not in asked and url.startswith(("http://", "https://")):
            hosts.setdefault(_host_text(host), (title, why))
    for host_name, (title, why) in list(hosts.items())[:MAX_SKIPPED_HOSTS]:
        words = _("host {host} not asked: {title}, {why}").format(host=host_name, title=title, why=why.text(lang))
        lines.append(_comment(words))
    return lines


def _portal_lines(portal: ProposedPortal, lang: str) -> list[str]:
    """One `[[portals]]` table: its hosts' evidence, its columns' paths, a script menu not followed."""
    _ = gettext_for(lang)
    lines = ["", "[[portals]]"]
    for host, evidence in portal.hosts:
        for why in evidence:
            lines.append(_comment(_("host {host}: {why}").format(host=_host_text(host), why=why.text(lang))))
    lines += [_column_evidence(c, lang) for c in portal.columns]
    for page in portal.scripted:
        note = _("note: its columns may be incomplete: the menu of {url} is drawn by script and was not followed")
        lines.append(_comment(note.format(url=page)))
    lines.append(_value("name", portal.name))
    lines.append(_value("url", portal.urls[0]) if len(portal.urls) == 1 else _value("urls", portal.urls))
    if portal.allow_hosts:
        for host_name, evidence in portal.allow_hosts:
            for why in evidence:
                lines.append(_comment(_("host {host}: {why}").format(host=host_name, why=why.text(lang))))
        lines.append(_value("allow_hosts", [h for h, _ in portal.allow_hosts]))
    return lines


_RELATION_WORDS = {"above": N_("above this portal's own government"), "beside": N_("another region's")}
_RANK_WORDS = {
    "national": N_("national level"),
    "province": N_("province level"),
    "prefecture": N_("prefecture level"),
    "county": N_("county level"),
    "township": N_("township level"),
}
_LEVEL_WORDS = {"government": N_("government"), "department": N_("department"), "township": N_("township")}


def _agency_comment(agency: ProposedAgency, lang: str) -> str:
    _ = gettext_for(lang)
    years = ", ".join(str(y) for y in sorted(agency.years)) or _("year unknown")
    if agency.relation == "own":
        return _comment(f"{years}: {agency.evidence}")
    level = _(_LEVEL_WORDS.get(agency.level, agency.level))
    if agency.rank in _RANK_WORDS:
        level = _("{level}, {rank}").format(level=level, rank=_(_RANK_WORDS[agency.rank]))
    return _comment(
        _("{name}, {relation} ({level}), {years}: listed in the column {column} as {evidence}").format(
            name=agency.name,
            relation=_(_RELATION_WORDS[agency.relation]),
            level=level,
            years=years,
            column=agency.column,
            evidence=agency.evidence,
        )
    )


def watched(proposal: Proposal) -> list[ProposedAgency]:
    """The agencies the configuration watches: the portal's own, and the republished when asked."""
    return proposal.agencies + (proposal.republished if proposal.include_republished else [])


def validated(text: str, *, base: str = "") -> Config:
    """`text` (after `base`, the file it is appended to) loaded and checked by the schema; a
    failure is a bug of nianbao's (`DiscoverBug`, one line)."""
    try:
        return from_dict(tomllib.loads(base + text), source="discover")
    except (ConfigError, tomllib.TOMLDecodeError) as exc:
        line = "; ".join(str(exc).splitlines())[:500]
        raise DiscoverBug(f"a bug of nianbao's: the configuration discover wrote does not load ({line})") from exc


def merge(proposal: Proposal, path: str, *, lang: str = "zh_CN") -> tuple[int, int]:
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
    for agency in watched(proposal):
        if agency.name in known_agencies:
            continue
        agency.portal = renamed.get(agency.portal, agency.portal)
        new_agencies.append(agency)
    if not new_portals and not new_agencies:
        return 0, 0
    addition = "\n# ---- added by nianbao discover ----\n" + to_toml(
        proposal, portals=new_portals, agencies=new_agencies, lang=lang
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
