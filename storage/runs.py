"""Crawl passes (`crawl_runs`) and every HTTP request made (`fetches`).

A pass is `running` until its portal's crawl finishes; one left `running` by a process that died
is closed as `interrupted` when the next pass of that portal begins (or finishes)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from nianbao.core.messages import Said, said
from storage.db import insert_row, insert_rows
from storage.ledger import write_ledger


@dataclass(frozen=True, slots=True)
class PortalReads:
    """What the passes so far say about each portal: when its lists were read completely, and its last pass."""

    complete: dict[str, list[str]]  # portal -> finish times of complete passes, oldest first
    latest: dict[str, dict[str, Any]]  # portal -> its last finished pass
    complete_ids: dict[str, list[int]] = field(default_factory=dict)  # the ids of those complete passes
    passes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # portal -> its finished passes, oldest first


def begin_run(db: sqlite_utils.Database, portal: str, *, now: str) -> tuple[int, str | None]:
    """Open a pass; returns its id and, when the portal's last pass never finished (its process was
    killed), when that one began — that pass is closed now, as `interrupted`."""
    row = db.execute(
        "SELECT started_at, finished_at FROM crawl_runs WHERE portal = ? ORDER BY id DESC LIMIT 1", [portal]
    ).fetchone()
    resume_since = row[0] if row and row[1] is None else None
    with db.atomic():
        db.execute(
            "UPDATE crawl_runs SET finished_at = ?, outcome = 'interrupted', "
            "detail = 'the process running this pass ended before it did' WHERE portal = ? AND finished_at IS NULL",
            [now, portal],
        )
        # one prepared statement (no table introspection): a crawl opens a pass per portal before its first request
        inserted = db.execute(
            "INSERT INTO crawl_runs (portal, started_at, outcome) VALUES (?, ?, 'running')", [portal, now]
        )
    return int(inserted.lastrowid or 0), resume_since


def finish_run(db: sqlite_utils.Database, run_id: int, *, portal: str, now: str, values: dict[str, Any]) -> None:
    """Close a pass with its outcome and, per column, what was declared and read; an interrupted
    pass of the same portal that it resumed closes too."""
    values = dict(values)
    evidence = values.pop("evidence", [])
    entries, doubts = values.pop("entries", None), values.pop("doubts", None)
    if entries is not None:
        values["ledger"] = 1
    with db.atomic():
        row = {"finished_at": now, **values}  # plain values under names of this code's own
        db.execute(
            f"UPDATE crawl_runs SET {', '.join(f'[{k}] = ?' for k in row)} WHERE id = ?", [*row.values(), run_id]
        )
        if entries is not None:
            write_ledger(db, run_id, portal, entries, doubts or [])
        insert_rows(
            db,
            "crawl_columns",
            (
                {
                    "run_id": run_id,
                    "portal": portal,
                    "column_url": column["column"],
                    "cms": column["cms"],
                    "declared_pages": column["declared_pages"],
                    "declared_records": column["declared_records"],
                    "declared_how": column["declared_how"],
                    "read_pages": column["read_pages"],
                    "read_records": column["read_records"],
                    "complete": int(bool(column["complete"])),
                    "reason": column["reason"],
                    "column_key": column.get("column_key"),
                    "listed": column.get("listed"),
                    "stored": column.get("stored"),
                    "not_report": column.get("not_report"),
                    "failed": column.get("failed"),
                    "unread_upto": column.get("unread_upto"),
                    "unread_order": column.get("order"),
                    "reason_said": json.dumps(column["reason_said"], ensure_ascii=False)
                    if column.get("reason_said")
                    else None,
                }
                for column in evidence
            ),
        )
        db.execute(
            "UPDATE crawl_runs SET finished_at = ?, outcome = 'interrupted' WHERE portal = ? AND finished_at IS NULL",
            [now, portal],
        )


def record_fetch(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    insert_row(db, "fetches", row)


def portal_reads(db: sqlite_utils.Database) -> PortalReads:
    complete: dict[str, list[str]] = defaultdict(list)
    ids: dict[str, list[int]] = defaultdict(list)
    latest: dict[str, dict[str, Any]] = {}
    passes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in db.query("SELECT * FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY id"):
        if run["outcome"] == "complete":
            complete[run["portal"]].append(run["finished_at"])
            ids[run["portal"]].append(run["id"])
        latest[run["portal"]] = run
        passes[run["portal"]].append(run)
    return PortalReads(dict(complete), latest, dict(ids), dict(passes))


def columns_of(db: sqlite_utils.Database, run_id: int) -> list[dict[str, Any]]:
    """The evidence of one pass: per column, declared against read."""
    return list(db.query("SELECT * FROM crawl_columns WHERE run_id = ? ORDER BY id", [run_id]))


def read_summary(db: sqlite_utils.Database, run_id: int) -> list[Said]:
    """One message per column of a pass: "…/gxz.htm (vsb): 3 of 3 declared pages read"."""
    out = []
    for c in columns_of(db, run_id):
        where = {"column_url": c["column_url"], "cms": c["cms"]}
        if c["declared_records"] is not None:
            line = said("read.records", **where, read=c["read_records"], declared=c["declared_records"])
        elif c["declared_pages"] is not None:
            line = said("read.pages", **where, read=c["read_pages"], declared=c["declared_pages"])
        else:
            line = said("read.undeclared", **where, read=c["read_pages"])
        reason: Any = Said.from_json(json.loads(c["reason_said"])) if c.get("reason_said") else c["reason"]
        out.append(line if c["complete"] else said("read.partial", inner=line, reason=reason))
    return out


def record_check(db: sqlite_utils.Database, *, now: str, as_of: str, due: int, assessed: int) -> tuple[int, int] | None:
    """Keep how many watched pairs past their deadline got a verdict; returns the previous
    evaluation's (due, assessed), or None for the first."""
    row = db.execute("SELECT due, assessed FROM check_runs ORDER BY id DESC LIMIT 1").fetchone()
    db.table("check_runs").insert({"checked_at": now, "as_of": as_of, "due": due, "assessed": assessed})
    return (int(row[0]), int(row[1])) if row else None


@dataclass(frozen=True, slots=True)
class PortalPasses:
    """What `nianbao health` asks of one portal's passes: the newest (perhaps still running), the
    newest that finished, the newest complete one, and when its first pass began."""

    portal: str
    newest: dict[str, Any]
    finished: dict[str, Any] | None
    complete: dict[str, Any] | None
    first_started: str


def passes_by_portal(db: sqlite_utils.Database) -> dict[str, PortalPasses]:
    """Each portal's passes as `PortalPasses`, in three indexed lookups rather than the whole history."""
    newest = {
        r["portal"]: r
        for r in db.query("SELECT * FROM crawl_runs WHERE id IN (SELECT max(id) FROM crawl_runs GROUP BY portal)")
    }
    finished = {
        r["portal"]: r
        for r in db.query(
            "SELECT * FROM crawl_runs WHERE id IN "
            "(SELECT max(id) FROM crawl_runs WHERE finished_at IS NOT NULL GROUP BY portal)"
        )
    }
    complete = {
        r["portal"]: r
        for r in db.query(
            "SELECT * FROM crawl_runs WHERE id IN "
            "(SELECT max(id) FROM crawl_runs WHERE outcome = 'complete' AND finished_at IS NOT NULL GROUP BY portal)"
        )
    }
    first = dict(db.execute("SELECT portal, min(started_at) FROM crawl_runs GROUP BY portal").fetchall())
    return {
        portal: PortalPasses(portal, row, finished.get(portal), complete.get(portal), first[portal])
        for portal, row in sorted(newest.items())
    }


def last_checks(db: sqlite_utils.Database, count: int = 2) -> list[dict[str, Any]]:
    """The last `count` evaluations (`check_runs`), newest first."""
    return list(db.query("SELECT * FROM check_runs ORDER BY id DESC LIMIT ?", [count]))
