"""`nianbao site`: a static site built from the database, that opens from disk with no server and
no network — the overview grid, a page per agency (its reports, findings and tables with the
offending cells marked), per rule, per portal, and the trends.

Everything is read in a few bulk queries, then written page by page; what a province has most of
(reports, their addresses, the trends' cells) is streamed, not held at once.  Nothing is fetched
at view time (the stylesheet and the filter script ship in the package).  A build rewrites only the pages
whose content changed since the last build in the same folder (`views.pages`): an agency page is
not even rendered when the rows it shows are the ones it was built from.  The overview is a small
page that draws the grid from compact data files per portal (`views.overview`)."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from importlib import resources
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils
from markupsafe import Markup, escape

from checks.deadlines import deadline
from checks.registry import all_rules
from nianbao.core.config import Deadlines
from nianbao.core.findings import StoredFinding
from nianbao.core.languages import language
from nianbao.core.messages import (
    KIND_NAMES,
    N_,
    SEVERITY_NAMES,
    VOCABULARY,
    Said,
    cell_label,
    chinese_date,
    gettext_for,
    parse,
    rule_label,
    word,
)
from storage.findings import as_stored
from storage.matches import unmatched
from storage.overview import (
    all_reports,
    application_totals,
    configured_agencies,
    configured_portals,
    crawled_portals,
    current_report_agencies,
    current_report_urls,
    open_finding_rows,
    passes_of,
    report_rows,
    status_grid,
)
from storage.reports import cells_of, crops_of
from views.charts import SERIES, TREND_ROWS, chart, contributions, totals
from views.env import render, rule_file
from views.overview import grid_files, manifest, portal_rows, script_json
from views.pages import STAMP, PageStore, code_version, digest
from views.status import SYMBOLS, AgencyRow, Grid, grid, label, levels, slug, states
from views.tables import PARTS, marks_by_cell, marks_of, readings_by_row, table_html

KIND_LABELS = KIND_NAMES


CASES_PER_PAGE = 500  # a rule's cases on one page at most; more are listed by portal, in parts
# a finding's columns that a page shows (its lifecycle dates do not: they change every run)
SHOWN = ("id", "kind", "agency", "year", "portal", "rule", "severity", "message", "evidence", "report_id", "url")
SHOWN_SAID = ("template", "params")


@dataclass(frozen=True, slots=True)
class Built:
    out: Path
    pages: int  # HTML pages in the site
    bytes: int  # every file of the site (pages, data, style sheet, scripts)
    seconds: float
    written: int = 0  # files this build wrote: the others were as they should be already
    rendered: int = 0  # pages rendered: the others were built from the same rows last time
    removed: int = 0  # files of the last build that this one no longer has
    largest: tuple[str, int] = ("", 0)  # the largest page or data file, and its size


@dataclass
class YearView:
    year: int
    state: str
    state_label: str
    due: date
    report: dict[str, Any] | None
    findings: list[StoredFinding]
    tables: list[Markup] = field(default_factory=list)
    urls: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    doubtful_rows: list[dict[str, Any]] = field(default_factory=list)


EVIDENCE_KEYS = {
    "deadline": N_("deadline"),
    "published_at": N_("published"),
    "source": N_("date from"),
    "first_seen": N_("first seen"),
    "absent_on": N_("read completely without it on"),
    "read_completely_on": N_("read completely on"),
    "read": N_("what was read"),
    "portal_state": N_("last pass"),
    "cells": N_("cells"),
    "used": N_("cells used"),
    "raw": N_("as written"),
    "url": N_("address"),
    "previous_report": N_("last year's report"),
    "outcome": N_("pass"),
    "pass": N_("pass finished"),
    "detail": N_("detail"),
    "text": N_("text"),
    "failed_entries": N_("list entries that could not be fetched"),
    "doubt_url": N_("what withholds the verdict"),
    "cause": N_("what happened"),
}
# kept for queries, not shown: the finding's message already says them in words
_HIDDEN_EVIDENCE = frozenset({"doubt", "doubt_source", "doubt_reason", "pass_id"})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def evidence_items(evidence: dict[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    """A finding's evidence as (name, text) lines in `lang`, lists joined.  The database keeps
    English keys and values; a Chinese page names the keys and renders what nianbao wrote."""
    _ = gettext_for(lang)
    out = []
    for key, value in sorted(evidence.items()):
        if value in (None, "", []) or key in _HIDDEN_EVIDENCE:
            continue
        items = value if isinstance(value, list) else [value]
        shown = [_evidence_value(key, item, lang) for item in items]
        out.append((_(EVIDENCE_KEYS[key]) if key in EVIDENCE_KEYS else key, language(lang).clause_sep.join(shown)))
    return out


def _evidence_value(key: str, value: Any, lang: str) -> str:
    text = str(value)
    if language(lang).source or key in ("raw", "url", "previous_report", "detail", "text", "doubt_url"):
        return text  # nianbao wrote it in the source language: shown as written
    if key in ("cells", "used"):
        return "、".join(cell_label(c) for c in text.split(",") if c)
    if _ISO_DAY.fullmatch(text[:10]) and len(text) <= 25:
        return chinese_date(text[:10])
    _ = gettext_for(lang)
    if text in _WORDS:
        return _(_WORDS[text])
    if f"outcome.{text}" in VOCABULARY:
        return _(VOCABULARY[f"outcome.{text}"])
    if key == "cause" and f"state.{text}" in VOCABULARY:
        return _(VOCABULARY[f"state.{text}"])
    found = parse(text) if key == "read" else None  # a pass's summary line, as the crawl wrote it
    return found.text(lang) if found is not None else text


_WORDS = {text: text for text in VOCABULARY.values()}


def _column_reason(column: dict[str, Any], lang: str) -> str:
    """Why a column was not read completely, in `lang` (as data since m013; before, as written)."""
    if column.get("reason_said"):
        return Said.from_json(json.loads(column["reason_said"])).text(lang)
    return str(column.get("reason") or "")


def _built_at(now: str, lang: str) -> str:
    """When the site was built, as its reader writes it: 2026年4月15日 18:00（北京时间）, or
    2026-04-15 10:00 UTC."""
    try:
        moment = datetime.fromisoformat(now)
    except ValueError:
        return now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return language(lang).clock(moment)


FATES = {"stored": N_("stored"), "not_report": N_("not a report"), "failed": N_("failed")}


def _entry_word(entry: dict[str, Any], lang: str) -> str:
    """Why a list entry was not stored, in `lang`."""
    prefix = "failure" if entry["fate"] == "failed" else "entry"
    word = VOCABULARY.get(f"{prefix}.{entry['reason']}")
    return gettext_for(lang)(word) if word else str(entry["reason"] or "")


def build_site(
    db: sqlite_utils.Database, out: Path, *, as_of: date, deadlines: Deadlines, now: str, lang: str = "zh_CN"
) -> Built:
    """Write the site under `out`: the pages whose content changed since the last build there, and
    those that are new; remove those of the last build that are gone (an agency no longer watched).
    A folder with no record of a build is cleared of nianbao's folders first and written whole."""
    started = time.perf_counter()
    store = _open_store(out, as_of=as_of, now=now, lang=lang)
    the_grid = grid(status_grid(db), configured_agencies(db), as_of=as_of, deadlines=deadlines, lang=lang)
    common = _common(lang)
    # the trends first: their sums of a province's cells need not share the memory with its findings
    _write_trends(store, db, the_grid, common, lang)
    portals = _portals(db, the_grid)
    site = _Site(
        store=store,
        grid=the_grid,
        findings=_Findings(open_finding_rows(db)),
        common=common,
        settings=digest(lang, deadlines),  # what every page is made with, besides the code
        portal_pages={name: f"portal/{slug('portal', name)}.html" for name in portals},
        lang=lang,
    )
    _write_overview(site)
    _write_agency_pages(site, db, deadlines)
    _write_rule_pages(site)
    _write_portal_pages(site, db, portals)
    removed = store.finish()
    return Built(
        out,
        sum(1 for path in store.pages if path.endswith(".html")),
        store.total_bytes,
        time.perf_counter() - started,
        written=store.written,
        rendered=store.rendered,
        removed=len(removed),
        largest=store.largest(),
    )


def _open_store(out: Path, *, as_of: date, now: str, lang: str) -> PageStore:
    """The folder's page store, with the shared assets and the build's date written: a folder with
    no record of a build is cleared of nianbao's folders first."""
    out.mkdir(parents=True, exist_ok=True)
    day, _ = language(lang).date, gettext_for(lang)
    stamp = _("As of {as_of} · built {now}").format(as_of=day(as_of.isoformat()), now=_built_at(now, lang))
    store = PageStore(out, code=code_version(lang), stamp=str(escape(stamp)))
    if store.first:
        for sub in ("agency", "rule", "portal", "static", "data"):
            shutil.rmtree(out / sub, ignore_errors=True)
    for entry in resources.files("views").joinpath("static").iterdir():
        if entry.is_file():
            store.put_bytes(f"static/{entry.name}", entry.read_bytes())
    # every page says when the site was built: that one file changes, the pages need not
    store.put(
        "data/built.js",
        "// when the site was last built, shown on every page\n"
        '(function () { var p = document.getElementById("stamp"); '
        f"if (p) {{ p.textContent = {script_json(stamp)}; }} }}());\n",
    )
    return store


# a finding's columns whose values repeat from row to row (a message or its parameters are those
# of a few dozen templates; a report has several findings)
_REPEATED = (
    "kind",
    "agency",
    "year",
    "portal",
    "rule",
    "severity",
    "message",
    "url",
    "report_id",
    "template",
    "params",
)


class _Findings:
    """The open findings' rows, grouped the ways the pages show them; each row is made a finding
    once, however many pages show it."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.by_agency: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_portal: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._stored: dict[int, StoredFinding] = {}
        shared: dict[object, object] = {}
        for row in rows:
            for key in _REPEATED:  # one object per value, not one per row: a province has 50,000 rows
                row[key] = shared.setdefault(row[key], row[key])
            if row["agency"]:
                self.by_agency[row["agency"]].append(row)
            else:
                self.by_portal[row["portal"] or ""].append(row)
            self.by_rule[row["rule"] or row["kind"]].append(row)

    def read(self, rows: list[dict[str, Any]]) -> list[StoredFinding]:
        for row in rows:
            if row["id"] not in self._stored:
                self._stored[row["id"]] = as_stored(row)
        return [self._stored[row["id"]] for row in rows]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Site:
    """What every step of a build shares."""

    store: PageStore
    grid: Grid
    findings: _Findings
    common: dict[str, Any]  # what every template is given
    settings: str
    portal_pages: dict[str, str]  # portal -> its page
    lang: str

    def agencies(self) -> Iterator[AgencyRow]:
        return (a for g in self.grid.groups for a in g.agencies)


def _common(lang: str) -> dict[str, Any]:
    """What every template is given: the site's words and how it writes dates, kinds, rules."""
    _ = gettext_for(lang)
    record = language(lang)
    return {
        "stamp": STAMP,
        "states": states(lang),
        "levels": levels(lang),
        "symbols": SYMBOLS,
        "said": lambda f: f.text(lang),  # each finding's message in the site's language
        "_": _,
        "html_lang": record.html_lang,
        "rule_doc": lambda rule: _(rule.doc) if rule and rule.doc else "",
        "rule_label": lambda rule_id: rule_label(rule_id, lang),
        "column_reason": lambda column: _column_reason(column, lang),
        "source_language": record.source,  # what nianbao wrote in English is shown as written
        "kind_word": lambda kind: word(KIND_NAMES, kind, lang),
        "severity_word": lambda severity: word(SEVERITY_NAMES, severity, lang),
        "day": record.date,
        "source_words": lambda key: _(VOCABULARY.get(f"source.{key}") or str(key)),
        "kinds": {kind: _(name) for kind, name in KIND_LABELS.items()},
        "evidence_items": lambda evidence: evidence_items(evidence, lang),
    }


def _write_overview(site: _Site) -> None:
    """The overview page and the grid's data files it draws from."""
    files = grid_files(site.grid)
    for f in files:
        site.store.put(f.src, f.text())
    _ = gettext_for(site.lang)
    words = {"noPortal": _("(no portal)"), "levels": site.common["levels"]}
    site.store.put(
        "index.html",
        render(
            "overview.html",
            root="",
            grid=site.grid,
            portal_rows=portal_rows(site.grid, site.portal_pages),
            files_json=manifest(site.grid, files, symbols=SYMBOLS, words=words),
            **site.common,
        ),
    )


def _write_agency_pages(site: _Site, db: sqlite_utils.Database, deadlines: Deadlines) -> None:
    """An agency's page, rendered only when what it shows changed since the last build.  The
    agencies are taken by name, as the database streams their reports and addresses: a province's
    are not held at once."""
    reports, addresses = _ByAgency(all_reports(db)), _ByAgency(current_report_urls(db))
    for agency in sorted(site.agencies(), key=lambda a: a.name):
        rows = site.findings.by_agency.get(agency.name, [])
        mine = reports.take(agency.name)
        urls: dict[int, list[dict[str, Any]]] = {}
        for address in addresses.take(agency.name):
            del address["agency"]
            urls.setdefault(address.pop("report_id"), []).append(address)
        shown = [_shown(row) for row in rows]
        inputs = digest(site.settings, agency, mine, shown, [urls.get(r["id"]) for r in mine if r["is_current"]])
        if site.store.unchanged(agency.page, inputs):
            continue
        years = _years(db, agency, mine, site.findings.read(rows), deadlines, site.lang, urls)
        page = render(
            "agency.html",
            root="../",
            agency=agency,
            years=years,
            portal_page=site.portal_pages.get(agency.portal) if agency.portal else None,
            **site.common,
        )
        site.store.put(agency.page, page, inputs=inputs)


class _ByAgency:
    """Rows streamed in order of their "agency" (as Python orders strings), taken agency by agency
    in that order; an agency with none has none, and rows of agencies never asked for are passed."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self._groups = groupby(rows, key=itemgetter("agency"))
        self._head: tuple[str, Iterator[dict[str, Any]]] | None = None
        self._advance()

    def _advance(self) -> None:
        last = self._head[0] if self._head is not None else None
        self._head = next(self._groups, None)
        if last is not None and self._head is not None and self._head[0] <= last:
            raise RuntimeError(f"rows not in order of agency: {self._head[0]!r} after {last!r}")

    def take(self, name: str) -> list[dict[str, Any]]:
        """The rows of `name`, which follows every name taken before."""
        while self._head is not None and self._head[0] < name:
            self._advance()
        if self._head is None or self._head[0] != name:
            return []
        rows = list(self._head[1])
        self._advance()
        return rows


def _write_rule_pages(site: _Site) -> None:
    """Each rule's pages, and the list of rules."""
    rules = all_rules()
    by_rule = site.findings.by_rule
    rule_ids = sorted(set(rules) | set(by_rule))
    agency_pages = {a.name: a.page for a in site.agencies()}
    agency_portals = {a.name: a.portal for a in site.agencies()}
    for rule_id in rule_ids:
        _rule_pages(
            site.store,
            rule_id,
            rules.get(rule_id),
            by_rule.get(rule_id, []),
            site.findings.read,
            agency_pages=agency_pages,
            agency_portals=agency_portals,
            settings=site.settings,
            common=site.common,
        )
    site.store.put(
        "rule/index.html",
        render(
            "rules.html",
            root="../",
            rules=[(rid, rules.get(rid), len(by_rule.get(rid, [])), rule_file(rid)) for rid in rule_ids],
            **site.common,
        ),
    )


def _write_portal_pages(site: _Site, db: sqlite_utils.Database, portals: dict[str, str | None]) -> None:
    """Each portal's page (its passes, ledgers and findings), and the list of portals."""
    for name, url in portals.items():
        page = render(
            "portal.html",
            root="../",
            name=name,
            url=url,
            passes=passes_of(db, name),
            entry_word=lambda entry: _entry_word(entry, site.lang),
            fates=FATES,
            unmatched=unmatched(db, portal=name),
            findings=site.findings.read(site.findings.by_portal.get(name, [])),
            agencies=[a for a in site.agencies() if a.portal == name],
            **site.common,
        )
        site.store.put(site.portal_pages[name], page)
    site.store.put("portal/index.html", render("portals.html", root="../", portals=portals, slug=slug, **site.common))


def _write_trends(
    store: PageStore, db: sqlite_utils.Database, the_grid: Grid, common: dict[str, Any], lang: str
) -> None:
    """The trends page: applications and their outcomes per year and level."""
    level_of = {a.name: a.level for g in the_grid.groups for a in g.agencies}
    level_names, _ = common["levels"], gettext_for(lang)
    sums = totals(_trend_sums(db, store), lambda name: level_of.get(name, "department"))
    charts = [
        chart(level_names.get(level, level) if level != "all" else _("all levels"), years)
        for level, years in sorted(sums.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    ]
    store.put("trends.html", render("trends.html", root="", charts=charts, **common))


def _shown(row: dict[str, Any]) -> tuple[Any, ...]:
    """What a page shows of a finding row."""
    return tuple(row.get(key) for key in SHOWN + SHOWN_SAID)


def _rule_pages(
    store: PageStore,
    rule_id: str,
    rule: Any,
    rows: list[dict[str, Any]],
    read: Callable[[list[dict[str, Any]]], list[StoredFinding]],
    *,
    agency_pages: dict[str, str],
    agency_portals: dict[str, str],
    settings: str,
    common: dict[str, Any],
) -> None:
    """A rule's page: every open case; past CASES_PER_PAGE, the cases counted by portal, each
    portal's cases on pages of their own (`rule/<rule>--<portal>[-<part>].html`)."""
    main = f"rule/{rule_file(rule_id)}"
    context = {"root": "../", "rule_id": rule_id, "rule": rule, "agency_pages": agency_pages, "total": len(rows)}
    if len(rows) <= CASES_PER_PAGE:
        inputs = digest(settings, rule_id, [_shown(r) for r in rows], [agency_pages.get(r["agency"]) for r in rows])
        if not store.unchanged(main, inputs):
            page = render("rule.html", cases=read(rows), by_portal=None, portal_name=None, **context, **common)
            store.put(main, page, inputs=inputs)
        return
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[agency_portals.get(row["agency"] or "") or row["portal"] or ""].append(row)
    stem = rule_file(rule_id).removesuffix(".html")
    listed = []
    for portal in sorted(grouped):
        mine = grouped[portal]
        base = f"{stem}--{slug('portal', portal)}"
        parts = [f"{base}-{n + 1}.html" if n else f"{base}.html" for n in range(-(-len(mine) // CASES_PER_PAGE))]
        listed.append((portal, len(mine), parts))
        for n, href in enumerate(parts):
            cases = mine[n * CASES_PER_PAGE : (n + 1) * CASES_PER_PAGE]
            inputs = digest(
                settings, rule_id, portal, parts, len(mine), [_shown(r) for r in cases],
                [agency_pages.get(r["agency"]) for r in cases],
            )  # fmt: skip
            if store.unchanged(f"rule/{href}", inputs):
                continue
            page = render(
                "rule.html",
                cases=read(cases),
                by_portal=None,
                portal_name=portal,
                portal_total=len(mine),
                parts=parts,
                part=n + 1,
                **context,
                **common,
            )
            store.put(f"rule/{href}", page, inputs=inputs)
    store.put(main, render("rule.html", cases=[], by_portal=listed, portal_name=None, **context, **common))


def _trend_sums(db: sqlite_utils.Database, store: PageStore) -> list[tuple[int, str, dict[str, float]]]:
    """(year, agency, sums per series) of every current report: the sums of reports the last build
    saw are kept beside the site (a report's cells never change), the others read now."""
    kept = store.before_extra.get("trends") or {}
    names = [name for name, *_ in SERIES]
    current = current_report_agencies(db)
    sums: dict[int, dict[str, float]] = {}
    new = []
    for row in current:
        values = kept.get(str(row["id"]))
        if values is None:
            new.append(row["id"])
        else:
            sums[row["id"]] = {name: v for name, v in zip(names, values, strict=True) if v is not None}
    # all at once when most are new (a first build), else by the few hundred
    if len(new) > len(current) // 2:
        sums.update(contributions(application_totals(db, TREND_ROWS)))
    else:
        for start in range(0, len(new), 500):
            sums.update(contributions(application_totals(db, TREND_ROWS, report_ids=new[start : start + 500])))
    store.extra["trends"] = {str(row["id"]): [sums.get(row["id"], {}).get(name) for name in names] for row in current}
    return [(row["year"], row["agency"], sums.get(row["id"], {})) for row in current]


def _years(
    db: sqlite_utils.Database,
    agency: AgencyRow,
    reports: list[dict[str, Any]],
    findings: list[StoredFinding],
    deadlines: Deadlines,
    lang: str = "zh_CN",
    urls: dict[int, list[dict[str, Any]]] | None = None,
) -> list[YearView]:
    """The agency's years, newest first: state, deadline, current report with its tables marked,
    earlier versions, findings."""
    out = []
    for cell in sorted(agency.cells, key=lambda c: -c.year):
        versions = [r for r in reports if r["year"] == cell.year]
        current = next((r for r in versions if r["is_current"]), None)
        mine = [f for f in findings if f.year == cell.year]
        view = YearView(
            cell.year,
            cell.state,
            label(cell.state, lang),
            deadline(agency.level, cell.year, deadlines),
            current,
            mine,
            versions=[r for r in versions if r is not current],
        )
        if current is not None:
            rows = report_rows(db, current["id"])
            cells = cells_of(db, current["id"])
            marks = marks_by_cell(marks_of((f for f in mine if f.report_id == current["id"]), lang))
            read = readings_by_row(rows)
            crops = crops_of(db, current["id"]) if current.get("kind") == "scan" else {}
            view.tables = [table_html(part, cells, marks, read, f"y{cell.year}", lang, crops) for part in PARTS]
            view.urls = (urls or {}).get(current["id"], [])
            view.doubtful_rows = [r for r in rows if not r["certain"]]
        out.append(view)
    return out


def _portals(db: sqlite_utils.Database, the_grid: Grid) -> dict[str, str | None]:
    names: dict[str, str | None] = {p["name"]: p["url"] for p in configured_portals(db)}
    for name in crawled_portals(db):
        names.setdefault(name, None)
    for group in the_grid.groups:
        if group.portal:
            names.setdefault(group.portal, None)
    return dict(sorted(names.items()))
