"""Regenerate the sample portal's PDF attachment (a synthetic report, written with python-docx and
converted by LibreOffice):  python -m nianbao.sample.make_attachment"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nianbao.sample.docx_report import build_docx
from nianbao.sample.reports import SampleReport, balanced, report_text
from parsers.office import convert

ATTACHMENT = Path(__file__).with_name("data") / "attachment-report.pdf"
SAMPLE = SampleReport(agency="某某县刘堡镇人民政府", year=2025, applications=balanced(2))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docx = build_docx(report_text(SAMPLE), Path(tmp) / "report.docx", title=SAMPLE.title).read_bytes()
    ATTACHMENT.write_bytes(convert(docx, source="report.docx", suffix=".docx", target="pdf"))
    print(f"wrote {ATTACHMENT} ({ATTACHMENT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
