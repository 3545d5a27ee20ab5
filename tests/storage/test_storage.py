"""Storage: round trip, migration, concurrent reader, SIGKILL mid-write, idempotent re-store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

from crawler.sink import Document
from nianbao.ingest import ingest, ingest_known, reparse
from nianbao.sample.reports import SampleReport, balanced, report_text
from storage.db import open_db
from storage.migrations import migrations

NOW = "2026-02-01T00:00:00"


def _doc(agency: str = "某某县马关镇人民政府", year: int = 2025, new: int = 3) -> bytes:
    return report_text(SampleReport(agency=agency, year=year, applications=balanced(new))).encode()


def test_round_trip(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    result = ingest(db, Document("http://127.0.0.1/a.htm", _doc(new=3), portal="p"), now=NOW)
    assert result.report_id is not None
    row = db.table("reports").get(result.report_id)
    assert (row["agency"], row["year"], row["format"], row["is_current"]) == ("某某县马关镇人民政府", 2025, "2021", 1)
    cells = {(c["part"], c["row_key"], c["column_key"]): c["value"] for c in db["report_cells"].rows}
    assert cells[("applications", "new", "natural_person")] == 3
    assert len([k for k in cells if k[0] == "applications"]) == 25 * 7
    assert len([k for k in cells if k[0] == "review_litigation"]) == 15
    hits = list(db.query("SELECT rowid FROM report_search WHERE report_search MATCH ?", ["马关镇人民"]))
    assert hits == [{"rowid": result.report_id}]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_document_twice_changes_nothing(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document("http://127.0.0.1/a.htm", _doc()), now=NOW)
    counts = {t: db[t].count for t in ("documents", "reports", "report_cells")}
    ingest(db, Document("http://127.0.0.1/a.htm", _doc()), now="2026-03-01T00:00:00")
    ingest(db, Document("http://127.0.0.1/content.jsp?wbnewsid=1", _doc()), now="2026-03-01T00:00:00")  # another URL
    assert {t: db[t].count for t in counts} == counts


def test_known_bytes_join_their_report_without_parsing(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    assert ingest_known(db, Document("http://127.0.0.1/a.htm", _doc()), now=NOW) is None  # new bytes: parse them
    assert db["documents"].count == 0  # and nothing was stored by asking
    first = ingest(db, Document("http://127.0.0.1/a.htm", _doc(), portal="p"), now=NOW)
    again = ingest_known(db, Document("http://127.0.0.1/b.htm", _doc(), portal="q"), now="2026-03-01T00:00:00")
    assert again is not None and again.report_id == first.report_id and again.sha256 == first.sha256
    assert db["reports"].count == 1
    urls = {r["url"] for r in db.query("SELECT url FROM report_urls WHERE report_id = ?", [first.report_id])}
    assert urls == {"http://127.0.0.1/a.htm", "http://127.0.0.1/b.htm"}
    row = db.table("document_urls").get("http://127.0.0.1/b.htm")
    assert (row["portal"], row["agency"], row["year"], row["parse_error"]) == ("q", "某某县马关镇人民政府", 2025, None)
    other = ingest_known(db, Document("http://127.0.0.1/c.htm", _doc(new=4)), now=NOW)
    assert other is None


def test_edited_report_keeps_versions(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document("http://127.0.0.1/a.htm", _doc(new=3)), now=NOW)
    ingest(db, Document("http://127.0.0.1/a.htm", _doc(new=4)), now="2026-03-01T00:00:00")
    rows = list(db.query("SELECT version, is_current FROM reports ORDER BY id"))
    assert rows == [{"version": 1, "is_current": 0}, {"version": 2, "is_current": 1}]
    view = list(db.query("SELECT value FROM applications_by_agency_year WHERE row_key='new' AND column_key='total'"))
    assert view == [{"value": 4}]


def test_migration_from_previous_version_keeps_data(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m002_views_and_search")
    old.table("reports").insert(
        {"agency": "旧机关", "year": 2020, "sha256": None, "is_current": 1, "parser_version": "0"}
    )
    assert "status_by_agency_year" not in old.view_names()
    old.close()
    db = open_db(path)
    assert "status_by_agency_year" in db.view_names() and "report_search" in db.table_names()
    assert [r["agency"] for r in db.query("SELECT agency FROM status_by_agency_year")] == ["旧机关"]


def test_reader_while_writer_writes(tmp_path: Path) -> None:
    path = str(tmp_path / "n.db")
    open_db(path)
    done = threading.Event()

    def write() -> None:
        db = open_db(path)
        for i in range(30):
            ingest(db, Document(f"http://127.0.0.1/{i}.htm", _doc(agency=f"某某县第{i}乡人民政府")), now=NOW)
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    reader = open_db(path)
    seen = []
    while not done.is_set():
        with reader.atomic():  # one snapshot for both counts (WAL readers never wait for the writer)
            n_reports = reader.execute("SELECT count(*) FROM reports").fetchone()[0]
            n_cells = reader.execute("SELECT count(*) FROM report_cells").fetchone()[0]
        assert n_cells == n_reports * (25 * 7 + 15 + 10)  # whole reports only, never half of one
        seen.append(n_reports)
    thread.join()
    assert seen and reader["reports"].count == 30


KILLER = """
import sys, os
from nianbao.sample.reports import SampleReport, balanced, report_text
from storage.db import open_db
from crawler.sink import Document
from nianbao.ingest import ingest
db = open_db(sys.argv[1])
i = 0
while True:
    i += 1
    text = report_text(SampleReport(agency=f"某某县第{i}乡人民政府", year=2025, applications=balanced(i)))
    ingest(db, Document(f"http://127.0.0.1/{i}.htm", text.encode()), now="2026-02-01")
    if i == 5:
        print("ready", flush=True)
"""


@pytest.mark.faults
@pytest.mark.slow
def test_sigkill_mid_write_leaves_whole_reports(tmp_path: Path) -> None:
    path = str(tmp_path / "n.db")
    proc = subprocess.Popen([sys.executable, "-c", KILLER, path], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    cells = conn.execute("SELECT count(*) FROM report_cells").fetchone()[0]
    searchable = conn.execute("SELECT count(*) FROM report_search").fetchone()[0]
    assert reports >= 5 and cells == reports * 200 and searchable == reports
    orphans = conn.execute("SELECT count(*) FROM report_cells WHERE report_id NOT IN (SELECT id FROM reports)")
    assert orphans.fetchone()[0] == 0


def test_reparse_retries_stored_documents(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document("http://127.0.0.1/x.htm", b"<html><body><p>not yet a report</p></body></html>"), now=NOW)
    assert db["reports"].count == 0 and db.table("document_urls").get("http://127.0.0.1/x.htm")["parse_error"]
    stored, failed = reparse(db, now=NOW)
    assert (stored, failed) == (0, 1)
