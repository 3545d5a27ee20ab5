"""No accusation without a sure reading: a sum that fails on a row nianbao could not read with
certainty is "could not be checked" — in the findings, the status and the digest — never the
agency's error; the same sum on a sure reading is an error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from checks.registry import check_report, declared
from checks.run import run_checks
from crawler.sink import Document
from nianbao.core.config import Agency, Config, Portal
from nianbao.ingest import ingest
from nianbao.status import render, status_rows
from notify.compose import UNCHECKED, text_body
from parsers import parse_bytes
from storage.db import open_db
from storage.findings import list_findings, pending_findings
from tests.conftest import set_row

AGENCY = "张家川县闫家乡人民政府"


def _cut_row(text: str) -> str:
    """(一)予以公开 with 6 cells instead of 7 (a cell lost in extraction), 5 natural-person grants."""
    out = []
    for line in text.splitlines():
        if "(一)予以公开" in line:
            line = "三、本年度办理结果 | (一)予以公开 | 5 | 0 | 0 | 0 | 0 | 5"
        out.append(line)
    return "\n".join(out)


def test_a_sum_over_an_uncertain_row_is_not_an_accusation(seed_text: str) -> None:
    report = parse_bytes(_cut_row(seed_text).encode(), source="cut")
    [granted] = [r for r in report.readings if r.key == "granted"]
    assert not granted.certain and "6 of 7 cells" in granted.why
    findings = check_report(report)
    assert declared(findings)
    assert not [f for f in findings if f.kind == "inconsistent" and f.severity == "error"]
    unchecked = [f for f in findings if f.rule == "applications.outcome_total" and f.kind == "unreadable"]
    assert unchecked and all("row granted (6 of 7 cells)" in f.message and f.severity == "warning" for f in unchecked)


def test_the_same_sum_read_with_certainty_is_an_error(seed_text: str) -> None:
    text = set_row(seed_text, "(一)予以公开", [5, 0, 0, 0, 0, 0, 5])
    findings = check_report(parse_bytes(text.encode(), source="sure"))
    errors = [f for f in findings if f.kind == "inconsistent" and f.severity == "error"]
    assert {f.rule for f in errors} == {"applications.outcome_total"}


def test_could_not_be_checked_in_findings_status_and_digest(seed_text: str, tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    text = _cut_row(seed_text).replace("741502", "741503")  # the seed's own (real) contact inconsistency removed
    ingest(db, Document("http://127.0.0.1/a.htm", text.encode(), portal="县", list_date="2025-01-10"), now="2025-01-10")
    config = Config(portals=(Portal("县", ("http://127.0.0.1/nb.htm",)),), agencies=(Agency(AGENCY, "township", "县"),))
    run_checks(db, config, as_of=date(2025, 4, 1), now="2025-04-01T00:00:00")
    kinds = {(f.kind, f.rule) for f in list_findings(db)}
    assert ("unreadable", "applications.outcome_total") in kinds
    assert not [r for k, r in kinds if k == "inconsistent" and r is not None and r.startswith("applications.")]
    [row] = status_rows(db, year=2024)
    assert row["status"] == "could not be checked" and row["could_not_check"] >= 1
    assert "could not be checked" in render([row], "en") and "无法核验" in render([row])
    new, resolved = pending_findings(db, date(2025, 4, 1))
    body = text_body(new, resolved, lang="en")
    assert UNCHECKED in body and "New findings" not in body.split(UNCHECKED)[1]
