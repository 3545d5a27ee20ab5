"""OCR of scanned reports: seconds per page, numbers read right per condition, and the accusations
that would have been made from wrong numbers (must be 0).

The report of the fixtures (tests/parsers/test_pdf_readings: 28 applications, a planted error in
(一)予以公开) and the same report without it are built as Word documents, printed to PDF by
LibreOffice and scanned (nianbao.sample.scans) at 150, 200 and 300 dpi, clean and degraded (0.7°
skew, speckle, JPEG 60).  For each scan: every number of tables 3 and 4 against the truth; each
accusation (an `inconsistent` error) is right when the planted error is its cause, and counted
"from wrong numbers" when a cell it uses was read wrong or it names a sum that adds up in truth.

    python benchmarks/ocr_bench.py [--dpi 150,200,300] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks.registry import check_report  # noqa: E402
from nianbao.core.report import APPLICANT_COLUMNS, APPLICATION_ROWS, REVIEW_FIELDS, REVIEW_GROUPS  # noqa: E402
from nianbao.sample.docx_report import build_docx  # noqa: E402
from nianbao.sample.reports import SampleReport, report_text  # noqa: E402
from nianbao.sample.scans import Condition, pages, scanned_pdf  # noqa: E402
from parsers import parse_bytes  # noqa: E402
from parsers.office import convert  # noqa: E402
from tests.parsers.test_pdf_readings import AGENCY, APPS, REVIEW  # noqa: E402

PLANTED = {**APPS, "granted": [8, 1, 0, 0, 1, 0, 10]}
TRUE_ERRORS = {"applications.total.natural_person", "applications.total.total"}  # what the planted error breaks


def _printed(apps: dict[str, list[int]], folder: Path, name: str) -> bytes:
    text = report_text(SampleReport(agency=AGENCY, year=2025, applications=apps, review=REVIEW, normative=(3, 1, 20)))
    docx = build_docx(text, folder / f"{name}.docx", title=f"{AGENCY}2025年度政府信息公开工作报告")
    return convert(docx.read_bytes(), source=name, suffix=".docx", target="pdf")


def _truth(apps: dict[str, list[int]]) -> dict[str, int]:
    out = {
        f"applications.{row}.{c}": apps.get(row, [0] * 7)[i]
        for row in APPLICATION_ROWS
        for i, c in enumerate(APPLICANT_COLUMNS)
    }
    values = iter(REVIEW)
    out |= {f"review_litigation.{g}.{f}": next(values) for g in REVIEW_GROUPS for f in REVIEW_FIELDS}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dpi", default="150,200,300")
    parser.add_argument("--quick", action="store_true", help="the planted report only")
    args = parser.parse_args()
    conditions = [
        c
        for dpi in (int(d) for d in args.dpi.split(","))
        for c in (Condition(dpi), Condition(dpi, skew=0.7, speckle=0.002, jpeg=60))
    ]
    with tempfile.TemporaryDirectory() as folder:
        documents = {"planted": (_printed(PLANTED, Path(folder), "planted"), PLANTED)}
        if not args.quick:
            documents["correct"] = (_printed(APPS, Path(folder), "correct"), APPS)
        print(
            f"{'condition':<34} {'document':<8} {'s/page':>7} {'right':>9} {'certain':>9} {'wrong&certain':>13} "
            f"{'found':>5} {'false':>5}"
        )
        totals = {"false": 0, "wrong_certain": 0}
        for condition in conditions:
            for name, (pdf, apps) in documents.items():
                scan = scanned_pdf(pdf, condition, seed=condition.dpi)
                count = len(pages(pdf, 18))
                started = time.perf_counter()
                report = parse_bytes(scan, source=f"{name}.pdf")
                seconds = (time.perf_counter() - started) / count
                truth = _truth(apps)
                read: dict[str, object] = {}
                for part in ("applications", "review_litigation"):
                    for row, cells in (getattr(report, part) or {}).items():
                        for column, value in cells.items():
                            read[f"{part}.{row}.{column}"] = value
                right = sum(1 for cell, value in truth.items() if read.get(cell) == value)
                sure = {
                    f"{r.part}.{r.key}.{(APPLICANT_COLUMNS if r.part == 'applications' else REVIEW_FIELDS)[i]}"
                    for r in report.readings
                    if r.certain and r.part != "active_disclosure"
                    for i in range(len(r.ocr))
                }
                wrong_sure = sum(1 for cell in sure if cell in truth and read.get(cell) != truth[cell])
                errors = [f for f in check_report(report) if f.severity == "error" and f.kind == "inconsistent"]
                found = sum(1 for f in errors if set(f.cells) & TRUE_ERRORS and name == "planted")
                false = sum(
                    1
                    for f in errors
                    if not (set(f.cells) & TRUE_ERRORS and name == "planted")
                    or any(read.get(c) != truth.get(c) for c in f.used if c in truth)
                )
                totals["false"] += false
                totals["wrong_certain"] += wrong_sure
                print(
                    f"{condition.name:<34} {name:<8} {seconds:>7.2f} {right:>4}/{len(truth):<4} {len(sure):>9} "
                    f"{wrong_sure:>13} {found:>5} {false:>5}",
                    flush=True,
                )
        print(f"accusations from wrong numbers: {totals['false']}")
        print(f"wrong numbers taken as certain: {totals['wrong_certain']}")


if __name__ == "__main__":
    main()
