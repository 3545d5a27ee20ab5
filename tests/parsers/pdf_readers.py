"""The two PDF readers side by side: pdfplumber (the reader before PDFium, still the fallback) and
PDFium.  What each gives page by page (words, text lines, table cells) and the report built from
it (every table cell, each row's certainty and why, page and positions, the findings).  Used by
`test_pdfium` and `benchmarks/pdf_equivalence.py`."""

from __future__ import annotations

from typing import Any

from checks.registry import check_report
from nianbao.core.errors import NotAReport
from nianbao.core.report import to_json
from parsers import parse_source
from parsers.pdf import RawPage, _read_pdfium, _read_pdfplumber, assemble
from parsers.source import SourceText


def _page(page: RawPage) -> dict[str, Any]:
    return {
        "words": [(w.text, w.x0, w.x1, w.top, w.bottom) for w in page.words],
        "lines": [(line["text"], line["x0"], line["top"], line["x1"], line["bottom"]) for line in page.lines],
        "tables": [
            (box, [[(c.text, c.box) for c in row.cells] for row in rows], [row.box for row in rows])
            for box, rows in page.tables
        ],
    }


def _report(pages: list[RawPage]) -> dict[str, Any]:
    lines, geometry = assemble(pages)
    try:
        report = parse_source(SourceText(lines=lines, kind="pdf", geometry=geometry))
    except NotAReport as refused:
        return {"lines": list(lines), "refused": str(refused)}
    doc = to_json(report, check_report(report))
    doc.pop("parser", None)
    return doc


def compare(data: bytes, *, pages: bool = False) -> list[str]:
    """The differences between the two readers on one PDF ([] when they read alike)."""
    new = _read_pdfium(data)
    if new is None:
        return []  # pdfplumber reads it in both
    old = _read_pdfplumber(data, source="x")
    out = []
    if pages:
        for number, (a, b) in enumerate(zip(old[0], new[0], strict=True), start=1):
            pa, pb = _page(a), _page(b)
            for key in pa:
                if not alike(pa[key], pb[key]):
                    out.append(f"page {number} {key}: {_first(pa[key], pb[key])}")
    ra, rb = _report(old[0]), _report(new[0])
    for key in sorted(set(ra) | set(rb)):
        if ra.get(key) != rb.get(key):
            out.append(f"report {key}: {_first(ra.get(key), rb.get(key))}")
    return out


TOLERANCE = 0.02  # pt: PDFium keeps 32-bit floats, pdfminer adds up 64-bit ones


def alike(a: Any, b: Any) -> bool:
    """Equal, numbers within TOLERANCE (the words' and cells' coordinates)."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return abs(a - b) <= TOLERANCE
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(alike(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(alike(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _first(a: Any, b: Any) -> str:
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            if not alike(x, y):
                return f"#{index}: {x!r} != {y!r}"
        return f"lengths {len(a)} != {len(b)}"
    return f"{a!r} != {b!r}"
