"""What storing a report computes from the report alone (its content identity, its compressed body)
is computed by the parse worker; the writer stores it as it would have computed it, and computes it
again for a report whose agency, year or title a list entry's title completed since."""

from __future__ import annotations

import zlib
from dataclasses import replace
from pathlib import Path

from crawler.sink import Document
from nianbao.ingest import ingest
from nianbao.parsing import parse_document
from nianbao.sample.reports import SampleReport, balanced, report_text
from storage.content import content_identity, form_of, stored_form
from storage.db import open_db

NOW = "2026-02-01T12:00:00+00:00"
TEXT = report_text(SampleReport(agency="某某县人民政府", year=2025, applications=balanced(3))).encode()


def test_a_workers_form_is_the_one_storage_computes() -> None:
    parsed = parse_document(TEXT, url="http://a/1.txt", content_type="text/plain", to_store=True)
    assert parsed.report is not None and parsed.form is not None
    assert parsed.form == stored_form(parsed.report)
    assert parsed.form.identity == content_identity(parsed.report)
    assert parse_document(TEXT, url="http://a/1.txt", content_type="text/plain").form is None  # `parse` needs none


def test_a_form_for_other_names_is_computed_again() -> None:
    parsed = parse_document(TEXT, url="http://a/1.txt", content_type="text/plain", to_store=True)
    assert parsed.report is not None and parsed.form is not None
    assert form_of(parsed.report, parsed.form) is parsed.form
    completed = replace(parsed.report, agency="某某县某某镇人民政府")  # a list title named the agency
    assert form_of(completed, parsed.form) == stored_form(completed) != parsed.form


def test_stored_with_the_workers_form_or_without_it_the_same(tmp_path: Path) -> None:
    rows = []
    for name, to_store in (("worker", True), ("writer", False)):
        db = open_db(str(tmp_path / f"{name}.db"))
        parsed = parse_document(TEXT, url="http://a/1.txt", content_type="text/plain", to_store=to_store)
        ingest(db, Document("http://a/1.txt", TEXT, "text/plain", "县"), now=NOW, parsed=parsed)
        row = db.execute("SELECT content_hash, body_z FROM reports").fetchone()
        rows.append((row[0], zlib.decompress(row[1])))
    assert rows[0] == rows[1]
