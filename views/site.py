"""`nianbao site`: a static site built from the database, that opens from disk with no server and
no network — the overview grid, a page per agency (its reports, findings and tables with the
offending cells marked), per rule, per portal, and the trends.

Everything is read in a few bulk queries, then written page by page; nothing is fetched at view
time (the stylesheet and the filter script ship in the package)."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import sqlite_utils
from markupsafe import Markup

from checks.deadlines import deadline
from checks.registry import all_rules
from nianbao.core.config import Deadlines
from nianbao.core.findings import StoredFinding
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
from storage.matches import unmatched
from storage.overview import (
    all_reports,
    application_totals,
    configured_agencies,
    configured_portals,
    crawled_portals,
    findings_where,
    passes_of,
    report_rows,
    report_urls,
    status_grid,
)
from storage.reports import cells_of
from views.charts import TREND_ROWS, chart, totals
from views.env import render, rule_file
from views.status import SYMBOLS, AgencyRow, Grid, grid, label, levels, slug, states
from views.tables import PARTS, marks_by_cell, marks_of, readings_by_row, table_html

KIND_LABELS = KIND_NAMES


@dataclass(frozen=True, slots=True)
class Built:
    out: Path
    pages: int
    bytes: int
    seconds: float


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
        out.append(
            (_(EVIDENCE_KEYS[key]) if key in EVIDENCE_KEYS else key, ("; " if lang == "en" else "；").join(shown))
        )
    return out


def _evidence_value(key: str, value: Any, lang: str) -> str:
    text = str(value)
    if lang == "en" or key in ("raw", "url", "previous_report", "detail", "text", "doubt_url"):
        return text
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
    if lang == "en":
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    local = moment.astimezone(timezone(timedelta(hours=8)))
    return f"{chinese_date(local.date().isoformat())} {local:%H:%M}（{gettext_for(lang)(BEIJING)}）"


BEIJING = N_("Beijing time")


FATES = {"stored": N_("stored"), "not_report": N_("not a report"), "failed": N_("failed")}


def _entry_word(entry: dict[str, Any], lang: str) -> str:
    """Why a list entry was not stored, in `lang`."""
    word = VOCABULARY.get(f"failure.{entry['reason']}") or VOCABULARY.get(f"entry.{entry['reason']}")
    return gettext_for(lang)(word) if word else str(entry["reason"] or "")


def build_site(
    db: sqlite_utils.Database, out: Path, *, as_of: date, deadlines: Deadlines, now: str, lang: str = "zh_CN"
) -> Built:
    """Write the whole site under `out` (replacing what a previous build wrote there)."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("agency", "rule", "portal", "static"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir()
    _copy_static(out / "static")
    findings = findings_where(db)
    by_agency: dict[str, list[StoredFinding]] = defaultdict(list)
    by_rule: dict[str, list[StoredFinding]] = defaultdict(list)
    by_portal: dict[str, list[StoredFinding]] = defaultdict(list)
    for f in findings:
        if f.agency:
            by_agency[f.agency].append(f)
        else:
            by_portal[f.portal or ""].append(f)
        by_rule[f.rule or f.kind].append(f)
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in all_reports(db):
        reports[r["agency"]].append(r)
    the_grid = grid(status_grid(db), configured_agencies(db), as_of=as_of, deadlines=deadlines, lang=lang)
    portals = _portals(db, the_grid)
    _ = gettext_for(lang)
    kinds = {kind: _(name) for kind, name in KIND_LABELS.items()}
    level_names = levels(lang)
    common = {
        "now": _built_at(now, lang),
        "as_of": as_of.isoformat(),
        "states": states(lang),
        "levels": level_names,
        "symbols": SYMBOLS,
        "said": lambda f: f.text(lang),  # each finding's message in the site's language
        "_": _,
        "html_lang": "zh-CN" if lang == "zh_CN" else "en",
        "rule_doc": lambda rule: _(rule.doc) if rule and rule.doc else "",
        "rule_label": lambda rule_id: rule_label(rule_id, lang),
        "column_reason": lambda column: _column_reason(column, lang),
        "english": lang == "en",
        "kind_word": lambda kind: word(KIND_NAMES, kind, lang),
        "severity_word": lambda severity: word(SEVERITY_NAMES, severity, lang),
        "day": (lambda iso: iso) if lang == "en" else chinese_date,
        "source_words": lambda key: _(VOCABULARY.get(f"source.{key}") or str(key)),
    }
    pages = 0
    _write(out / "index.html", render("overview.html", root="", grid=the_grid, portals=portals, **common))
    pages += 1
    for group in the_grid.groups:
        for agency in group.agencies:
            mine = by_agency.get(agency.name, [])
            years = _years(db, agency, reports.get(agency.name, []), mine, deadlines, lang)
            page = render(
                "agency.html",
                root="../",
                agency=agency,
                years=years,
                portal_page=f"portal/{slug('portal', agency.portal)}.html" if agency.portal else None,
                kinds=kinds,
                evidence_items=lambda evidence: evidence_items(evidence, lang),
                **common,
            )
            _write(out / agency.page, page)
            pages += 1
    rules = all_rules()
    rule_ids = sorted(set(rules) | set(by_rule))
    agency_pages = {a.name: a.page for g in the_grid.groups for a in g.agencies}
    for rule_id in rule_ids:
        rule = rules.get(rule_id)
        page = render(
            "rule.html",
            root="../",
            rule_id=rule_id,
            rule=rule,
            cases=by_rule.get(rule_id, []),
            agency_pages=agency_pages,
            kinds=kinds,
            evidence_items=lambda evidence: evidence_items(evidence, lang),
            **common,
        )
        _write(out / "rule" / rule_file(rule_id), page)
        pages += 1
    _write(
        out / "rule" / "index.html",
        render(
            "rules.html",
            root="../",
            rules=[(rid, rules.get(rid), len(by_rule.get(rid, [])), rule_file(rid)) for rid in rule_ids],
            **common,
        ),
    )
    pages += 1
    for name, url in portals.items():
        page = render(
            "portal.html",
            root="../",
            name=name,
            url=url,
            passes=passes_of(db, name),
            entry_word=lambda entry: _entry_word(entry, lang),
            fates=FATES,
            unmatched=unmatched(db, portal=name),
            findings=by_portal.get(name, []),
            agencies=[a for g in the_grid.groups for a in g.agencies if a.portal == name],
            kinds=kinds,
            **common,
        )
        _write(out / "portal" / f"{slug('portal', name)}.html", page)
        pages += 1
    _write(out / "portal" / "index.html", render("portals.html", root="../", portals=portals, slug=slug, **common))
    pages += 1
    level_of = {a.name: a.level for g in the_grid.groups for a in g.agencies}
    sums = totals(application_totals(db, TREND_ROWS), lambda name: level_of.get(name, "department"))
    charts = [
        chart(level_names.get(level, level) if level != "all" else _("all levels"), years)
        for level, years in sorted(sums.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    ]
    _write(out / "trends.html", render("trends.html", root="", charts=charts, **common))
    pages += 1
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return Built(out, pages, size, time.perf_counter() - started)


def _years(
    db: sqlite_utils.Database,
    agency: AgencyRow,
    reports: list[dict[str, Any]],
    findings: list[StoredFinding],
    deadlines: Deadlines,
    lang: str = "zh_CN",
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
            view.tables = [table_html(part, cells, marks, read, f"y{cell.year}", lang) for part in PARTS]
            view.urls = report_urls(db, current["id"])
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


def _copy_static(target: Path) -> None:
    for entry in resources.files("views").joinpath("static").iterdir():
        if entry.is_file():
            (target / entry.name).write_bytes(entry.read_bytes())


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
