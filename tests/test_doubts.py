"""A row's reasons for doubt are data end to end: the parser gives `Said` values (template id and
parameters), the JSON and the database keep them beside their English (`why`, unchanged), and the
site renders them in the reader's language from the data.  Rows stored before doubts were data are
read back once, by the migration, and still show in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from checks.registry import check_report
from crawler.sink import Document
from nianbao.core.messages import Said, doubts_of, render_doubts, said
from nianbao.ingest import ingest
from parsers import parse_bytes
from storage.db import open_db
from storage.migrations import migrations
from storage.overview import report_rows
from views.tables import readings_by_row, table_html

NOW = "2025-01-10"


def _cut_row(text: str) -> str:
    """(一)予以公开 with 6 cells instead of 7, one of them text."""
    out = []
    for line in text.splitlines():
        if "(一)予以公开" in line:
            line = "三、本年度办理结果 | (一)予以公开 | 5 | 见附件 | 0 | 0 | 0 | 5"
        out.append(line)
    return "\n".join(out)


def test_a_parsed_rows_doubts_are_messages_whose_english_is_the_why_as_before(seed_text: str) -> None:
    report = parse_bytes(_cut_row(seed_text).encode(), source="cut")
    [granted] = [r for r in report.readings if r.key == "granted"]
    assert not granted.certain
    assert all(isinstance(d, Said) for d in granted.doubts)
    assert [d.template for d in granted.doubts] == ["why.cells", "why.text_cell"]
    assert granted.why == "6 of 7 cells; cell 2 is text ('见附件')"  # the English the parsers wrote before
    data = granted.to_json()
    assert data["why"] == granted.why
    assert data["doubts"] == [
        {"template": "why.cells", "params": {"n": 6, "width": 7}},
        {"template": "why.text_cell", "params": {"n": 2, "text": "见附件"}},
    ]
    assert render_doubts(granted.doubts, "zh_CN") == "只有6个单元格，应为7个；第2个单元格是文字（“见附件”）"
    # a finding over the row quotes its doubts as data too
    unchecked = [f for f in check_report(report) if f.said is not None and f.said.template == "unreadable.doubt"]
    assert unchecked
    for finding in unchecked:
        assert finding.said is not None
        rows = [d for d in finding.said.params["why"] if d.params.get("row") == "granted"]
        assert [row.params["why"] for row in rows] == [list(granted.doubts)]
        assert "row granted (6 of 7 cells; cell 2 is text ('见附件'))" in finding.message


def test_the_site_says_a_doubt_in_chinese_from_the_data(seed_text: str, tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document("http://127.0.0.1/a.htm", _cut_row(seed_text).encode(), portal="县"), now=NOW)
    stored = db.execute("SELECT why, doubts FROM report_rows WHERE row_key = 'granted'").fetchone()
    assert stored[0] == "6 of 7 cells; cell 2 is text ('见附件')"  # the English column stays (queries read it)
    assert [d["template"] for d in json.loads(stored[1])] == ["why.cells", "why.text_cell"]
    # the English is not what is shown: spoilt, the page still says the data in Chinese
    db.execute("UPDATE report_rows SET why = 'spoilt' WHERE row_key = 'granted'")
    read = readings_by_row(report_rows(db, 1))
    html = str(table_html("applications", {}, {}, read, "y2024", "zh_CN"))
    assert "读取存疑：只有6个单元格，应为7个；第2个单元格是文字（“见附件”）" in html
    assert "spoilt" not in html and "6 of 7" not in html
    english = str(table_html("applications", {}, {}, read, "y2024", "en"))
    assert "6 of 7 cells; cell 2 is text (&#39;见附件&#39;)" in english


OLD_WHY = (
    "6 of 7 cells; a missing ruling line merged this row with the next; split by the lines of its numbers; "
    "something nianbao once said"
)


def test_a_row_stored_before_doubts_were_data_still_shows_in_chinese(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m015_doubts_as_data")
    old.table("report_rows").insert(
        {"report_id": 1, "part": "applications", "row_key": "granted", "label": "(一)予以公开", "how": "exact"}
        | {"certain": 0, "why": OLD_WHY, "cells": "[]"}
    )
    old.close()
    db = open_db(path)  # m015 reads the English back into messages, once
    rows = report_rows(db, 1)
    assert rows[0]["why"] == OLD_WHY
    doubts = json.loads(rows[0]["doubts"])
    assert [d["template"] if isinstance(d, dict) else d for d in doubts] == [
        "why.cells",
        "why.merged",  # its own text holds "; ": one reason, not two
        "something nianbao once said",  # no template fits: kept as written
    ]
    html = str(table_html("applications", {}, {}, readings_by_row(rows), "y2020", "zh_CN"))
    chinese = render_doubts(doubts_of(OLD_WHY), "zh_CN")
    assert chinese.startswith("只有6个单元格，应为7个；") and "merged" not in chinese
    assert f"读取存疑：{chinese}" in html


def test_doubts_of_reads_back_what_the_templates_write() -> None:
    doubts = [
        said("why.label", percent="71%"),
        said("why.disagree", trouble=said("why.two_numbers", first="3", second="7")),
        said("why.one_reader", inner=said("why.merged")),
    ]
    english = "; ".join(d.en for d in doubts)
    assert [d.en if isinstance(d, Said) else d for d in doubts_of(english)] == [d.en for d in doubts]
    assert [d.template for d in doubts_of(english) if isinstance(d, Said)] == [d.template for d in doubts]
