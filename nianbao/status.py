"""`nianbao status`: one line per agency and year, read from the status_by_agency_year view (so
users can run the same SQL)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from nianbao.core.findings import StoredFinding
from nianbao.core.languages import DEFAULT_LANGUAGE, language
from nianbao.core.messages import N_, VOCABULARY, gettext_for
from nianbao.texttable import table
from storage.findings import as_stored
from storage.ledger import entries_of
from storage.runs import columns_of, portal_reads, read_summary

HEAD = (
    N_("agency"),
    N_("year"),
    N_("status"),
    N_("found"),
    N_("on time"),
    N_("late"),
    N_("missing"),
    N_("inconsistent"),
    N_("unchecked"),
    N_("published"),
)
STATES = (
    N_("on time"),
    N_("late"),
    N_("missing"),
    N_("inconsistent"),
    N_("could not be checked"),
    N_("not assessable"),
    N_("not yet due"),
    N_("not found"),
)
YES, NO = N_("yes"), N_("no")


def status_rows(db: sqlite_utils.Database, *, year: int | None = None) -> list[dict[str, Any]]:
    """One row per agency and year; a pair without a verdict carries `withheld_by`: the one doubt
    that withholds it (a failed list entry that could be its report, a column not read …)."""
    sql = "SELECT * FROM status_by_agency_year"
    params: list[Any] = []
    if year is not None:
        sql += " WHERE year = ?"
        params.append(year)
    withheld = {(f.agency, f.year): f for f in _not_assessable(db)}
    return [
        {
            **row,
            "found": bool(row["found"]),
            "late": bool(row["late"]),
            "missing": bool(row["missing"]),
            "not_assessable": bool(row["not_assessable"]),
            "withheld_by": withheld[key].message if (key := (row["agency"], row["year"])) in withheld else None,
            "withheld_said": withheld[key].said if key in withheld else None,
        }
        for row in db.query(sql, params)
    ]


def _not_assessable(db: sqlite_utils.Database) -> list[StoredFinding]:
    return [
        as_stored(row)
        for row in db.query(
            "SELECT * FROM findings WHERE kind = 'not_assessable' AND resolved_at IS NULL AND dismissed_at IS NULL"
        )
    ]


def ledger_rows(db: sqlite_utils.Database, run_id: int) -> list[dict[str, Any]]:
    """A pass's entries that were not stored: what each was, and why (failures first)."""
    return [e for e in entries_of(db, run_id) if e["fate"] != "stored" and e["reason"] != "column"]


def portal_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Each portal's last pass: its outcome and, per column, what the CMS declared and what was read."""
    reads = portal_reads(db)
    return [
        {
            "portal": portal,
            "outcome": run["outcome"],
            "finished_at": run["finished_at"],
            "detail": run["detail"],
            "columns": columns_of(db, run["id"]),
            "cause": run.get("cause"),
            "read": [line.en for line in read_summary(db, run["id"])],
            "read_said": read_summary(db, run["id"]),
            "ledger": ledger_rows(db, run["id"]) if run.get("ledger") else None,
        }
        for portal, run in sorted(reads.latest.items())
    ]


def render_portals(rows: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> str:
    """The portals' last passes: complete (with what proves it) or partial (with why)."""
    _ = gettext_for(lang)
    out = ["", _("portals (last pass: declared against read)")]
    for row in rows:
        when = (row["finished_at"] or "?")[:10]
        outcome = _(row["outcome"]) if row["outcome"] else "?"
        out.append(
            "  "
            + _("{portal}: {outcome} on {date}").format(
                portal=row["portal"], outcome=outcome, date=language(lang).date(when)
            )
        )
        out += [f"    {line.text(lang)}" for line in row["read_said"]]
        out += _ledger_lines(row, lang)
        if row["outcome"] != "complete" and row["detail"] and language(lang).source:  # the operators' detail is English
            out.append("    " + _("why: {detail}").format(detail=row["detail"][:300]))
    return "\n".join(out) if rows else ""


def _ledger_lines(row: dict[str, Any], lang: str) -> list[str]:
    """The pass's ledger per column (listed = stored + not a report + failed), then each entry not
    stored, with its fate."""
    _ = gettext_for(lang)
    out = []
    for column in row["columns"]:
        if column.get("listed") is None:
            continue
        out.append(
            "    "
            + _("{column_url}: {listed} listed = {stored} stored + {not_report} not a report + {failed} failed").format(
                column_url=column["column_url"],
                listed=column["listed"],
                stored=column["stored"],
                not_report=column["not_report"],
                failed=column["failed"],
            )
        )
    for entry in sorted(row["ledger"] or [], key=lambda e: e["fate"] != "failed"):
        prefix = "failure" if entry["fate"] == "failed" else "entry"
        word = VOCABULARY.get(f"{prefix}.{entry['reason']}", "")
        colon = language(lang).colon
        out.append(
            f"      {_(FATES[entry['fate']])}{colon}{entry['title']} — {_(word) if word else entry['reason'] or ''}"
        )
    return out


FATES = {"stored": N_("stored"), "not_report": N_("not a report"), "failed": N_("failed")}


def render_withheld(rows: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> str:
    """Each watched pair without a verdict, and the one doubt that withholds it."""
    _ = gettext_for(lang)
    colon = language(lang).colon
    lines = [
        f"  {r['agency']} {r['year']}{colon}{r['withheld_said'].text(lang) if r['withheld_said'] else r['withheld_by']}"
        for r in rows
        if r.get("withheld_by")
    ]
    return "\n".join(["", "", _("not assessable, and why:"), *lines]) if lines else ""


def render_unmatched(rows: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> str:
    """Reports whose name is no watched agency's (or could be two): never given to a look-alike,
    listed here so a person can add the agency, an alias or the portal's region."""
    _ = gettext_for(lang)
    if not rows:
        return ""
    out = ["", _("unmatched reports (their name is no watched agency's: add the agency or an alias)")]
    for row in rows:
        line = _("{portal}: {name} {year} {url}").format(
            portal=row["portal"] or "-",
            name=row["written"] or _("(no name)"),
            year=_("{year}").format(year=row["year"]) if row["year"] else "-",
            url=row["url"] or "",
        )
        if row["candidates"]:
            line += " " + _("(could be: {agencies})").format(agencies=language(lang).list_sep.join(row["candidates"]))
        out.append("  " + line.rstrip())
    return "\n".join(out)


def render(rows: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE, *, year: int | None = None) -> str:
    _ = gettext_for(lang)
    if not rows:
        if year is not None:
            return _("no agency has a status for {year} (other years may: run without --year)").format(year=year)
        return _("no agencies yet: run `nianbao crawl` and `nianbao check` first")
    head = [_(h) for h in HEAD]
    body = [
        [
            r["agency"],
            str(r["year"]),
            _(r["status"]) if r["status"] else "-",
            _(YES) if r["found"] else _(NO),
            _(YES)
            if r["status"] in ("on time", "inconsistent", "could not be checked") and not r["late"] and r["found"]
            else "-",
            _(YES) if r["late"] else "-",
            _(YES) if r["missing"] else "-",
            str(r["inconsistent"] or "-"),
            str(r.get("could_not_check") or "-"),
            (r["published_at"] or "-")[:10],
        ]
        for r in rows
    ]
    return table(head, body)
