"""Benchmark: PDF pages per second and peak memory, pdfplumber (what nianbao uses) against
pypdfium2, on the same files.

    python benchmarks/pdf_bench.py [--reports 8] [--rounds 3]

The PDFs are synthetic reports written with python-docx and converted by LibreOffice (so it needs
soffice), ~5 pages each with table 3 across a page break.  Each library runs in its own process so
their peak memory is measured separately:
- nianbao: pdfplumber, text lines and ruling-line tables (what `nianbao parse` does), then parsed;
- pdfplumber text: pdfplumber's plain text only (no tables);
- pypdfium2 text: PDFium's text only (no tables: it cannot tell cells apart).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from nianbao.sample.docx_report import build_docx
from nianbao.sample.reports import SampleReport, balanced, report_text
from parsers.office import convert


def make_pdfs(count: int) -> list[bytes]:
    pdfs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            sample = SampleReport(agency=f"某某县第{i}乡人民政府", year=2025, applications=balanced(i))
            docx = build_docx(report_text(sample), Path(tmp) / f"r{i}.docx", title=sample.title).read_bytes()
            pdfs.append(convert(docx, source=f"r{i}", suffix=".docx", target="pdf"))
    return pdfs


def run_nianbao(pdfs: list[bytes]) -> int:
    from parsers import parse_bytes

    pages = 0
    for data in pdfs:
        report = parse_bytes(data, source="bench")
        assert report.applications is not None
        pages += _count(data)
    return pages


def run_pdfplumber_text(pdfs: list[bytes]) -> int:
    import pdfplumber

    pages = 0
    for data in pdfs:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return pages


def run_pypdfium2_text(pdfs: list[bytes]) -> int:
    import pypdfium2

    pages = 0
    for data in pdfs:
        pdf = pypdfium2.PdfDocument(data)
        for page in pdf:
            page.get_textpage().get_text_range()
            pages += 1
        pdf.close()
    return pages


def _count(data: bytes) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(data))


def _measure(name: str, pdfs: list[bytes], rounds: int, out: multiprocessing.Queue) -> None:
    func = {
        "nianbao (pdfplumber, tables)": run_nianbao,
        "pdfplumber text": run_pdfplumber_text,
        "pypdfium2 text": run_pypdfium2_text,
    }[name]
    start = time.process_time()
    pages = sum(func(pdfs) for _ in range(rounds))
    elapsed = time.process_time() - start
    out.put((name, pages, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pdfs = make_pdfs(args.reports)
    size = sum(map(len, pdfs)) / len(pdfs) / 1024
    context = multiprocessing.get_context("spawn")
    results = []
    for name in ("nianbao (pdfplumber, tables)", "pdfplumber text", "pypdfium2 text"):
        queue = context.Queue()
        proc = context.Process(target=_measure, args=(name, pdfs, args.rounds, queue))
        proc.start()
        results.append(queue.get())
        proc.join()
    print(f"{args.reports} report PDFs ({size:.0f} KB, {_count(pdfs[0])} pages each), {args.rounds} rounds, one core")
    for name, pages, elapsed, rss in results:
        print(f"{name:30} {pages / elapsed:8.1f} pages/s  peak RSS {rss:5.0f} MB")


if __name__ == "__main__":
    main()
