"""Both PDF readers on the same files: pdfplumber (the reader before PDFium) and PDFium.  For each
PDF: the pages each gives (words, text lines, table cells), then the report (every table cell,
each row's certainty and why, page and positions) and the findings.  Prints the differences;
exits 1 when there are any.  `--reports` adds every fixture report (tests/fixtures/reports and the
seed) written as a Word file and printed to PDF by LibreOffice (cached in --cache).

    python benchmarks/pdf_equivalence.py [FILE.pdf…] [--reports] [--pages]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.parsers.pdf_readers import compare  # noqa: E402


def report_pdfs(cache: Path) -> list[Path]:
    """Every fixture report as a PDF (python-docx, then LibreOffice), made once into `cache`."""
    from nianbao.sample.docx_report import build_docx
    from parsers.office import convert
    from parsers.source import from_text

    root = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for path in [root / "seeds" / "yanjia-2024.txt", *sorted((root / "reports").glob("*.txt"))]:
        target = cache / f"{path.stem}.pdf"
        if not target.exists():
            text = "\n".join(from_text(path.read_text(encoding="utf-8")).lines)
            try:
                docx = build_docx(text, cache / "report.docx").read_bytes()
            except IndexError:  # a table the fixture builder cannot draw (cells split over lines: 28-34)
                print(f"{path.stem}: not written as Word (the builder draws the uniform table only)")
                continue
            target.write_bytes(convert(docx, source=path.stem, suffix=".docx", target="pdf"))
        out.append(target)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--reports", action="store_true", help="add every fixture report as a PDF")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/nianbao-report-pdfs"))
    parser.add_argument("--pages", action="store_true", help="compare words, lines and cells page by page too")
    args = parser.parse_args()
    files = [*args.files, *(report_pdfs(args.cache) if args.reports else [])]
    bad = 0
    for path in files:
        diffs = compare(path.read_bytes(), pages=args.pages)
        print(f"{path.name}: {'same' if not diffs else f'{len(diffs)} differences'}")
        for diff in diffs[:10]:
            print("   ", diff[:400])
        bad += bool(diffs)
    print(f"{len(files) - bad} of {len(files)} read alike")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
