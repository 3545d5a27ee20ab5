"""The PDF reader on PDFium against the one before it (pdfplumber): the same words, lines, cells,
certainty and findings on the PDFs the tests make, and pdfplumber kept where PDFium cannot answer
alike.  (All the fixture reports as PDFs: `benchmarks/pdf_equivalence.py --reports`.)"""

from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pytest

from nianbao.sample.pdf import tiny_pdf
from parsers import parse_bytes
from parsers.pdf import _read_pdfium, _read_pdfplumber
from parsers.pdf_page import _address, _font_descent, _object_font, quick_descents, read_page
from tests.parsers.pdf_readers import compare
from tests.parsers.test_pdf_readings import pdfs  # noqa: F401  (the fixture)


def _bundled() -> bytes:
    from pathlib import Path

    from nianbao.sample import pdf

    return (Path(pdf.__file__).with_name("data") / "attachment-report.pdf").read_bytes()


@pytest.mark.parametrize("name", ["clean", "shifted", "planted", "repeated", "repeated_planted", "unruled_planted"])
def test_the_two_readers_read_the_test_pdfs_alike(pdfs: dict[str, bytes], name: str) -> None:  # noqa: F811
    assert _read_pdfium(pdfs[name]) is not None  # PDFium read it, not the fallback
    assert compare(pdfs[name], pages=True) == []


def test_the_bundled_report_and_a_one_line_pdf_read_alike() -> None:
    for data in (_bundled(), tiny_pdf("hello world")):
        assert _read_pdfium(data) is not None
        assert compare(data, pages=True) == []


def test_a_difference_is_seen() -> None:
    # the harness is no test that cannot fail: a reading with one word changed differs
    data = _bundled()
    old = _read_pdfplumber(data, source="x")[0]
    new = _read_pdfium(data)
    assert new is not None
    from tests.parsers.pdf_readers import _page, alike

    page = new[0][0]
    changed = type(page)(page.tables, page.lines, [type(w)("改", w.x0, w.x1, w.top, w.bottom) for w in page.words])
    assert alike(_page(old[0]), _page(page)) and not alike(_page(old[0]), _page(changed))


def test_pdfium_does_not_know_the_descent_a_descriptor_states() -> None:
    # LibreOffice writes Descent 0 in its font descriptors; pdfminer (so pdfplumber) keeps the 0,
    # PDFium puts the font file's own descent in its place and has no call that gives the 0: the
    # descriptors are read from the file, or every character would stand a point lower
    data = _bundled()
    descents = quick_descents(data)
    assert {k: v for k, v in descents.items() if not k.startswith("\0")} and all(
        v == 0 for k, v in descents.items() if not k.startswith("\0")
    )
    document = pdfium.PdfDocument(data)
    page = document[0]
    text = next(o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_TEXT)
    value = ctypes.c_float()
    assert _font_descent(_object_font(_address(text.raw)), ctypes.c_float(11.0), ctypes.addressof(value))
    assert value.value < -0.5  # PDFium's descent for 11 pt: not the descriptor's 0
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        first = pdf.pages[0].chars[0]
    mine = read_page(page, descents, 0.0).chars[0]
    assert (mine["text"], round(mine["top"], 3), round(mine["bottom"], 3)) == (
        first["text"],
        round(first["top"], 3),
        round(first["bottom"], 3),
    )
    page.close()
    document.close()


def _rotated(data: bytes) -> bytes:
    document = pdfium.PdfDocument(data)
    for page in document:
        page.set_rotation(90)
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def test_a_rotated_page_is_read_by_pdfplumber_as_before() -> None:
    # PDFium's reader shapes upright pages as pdfplumber does; a rotated page (its coordinates
    # turned by pdfminer) is left to pdfplumber, the reader that always read it
    rotated = _rotated(_bundled())
    assert _read_pdfium(rotated) is None
    pages, chars, _ = _read_pdfplumber(rotated, source="x")
    assert chars > 0
    report = parse_bytes(rotated, source="rotated.pdf")
    assert report is not None


def test_damage_and_passwords_are_named_by_the_reader_before() -> None:
    # PDFium cannot open it: pdfplumber names what is wrong, in the words it always used
    from nianbao.core.errors import ParseError

    damaged = b"%PDF-1.7\n" + bytes(300)
    assert _read_pdfium(damaged) is None
    with pytest.raises(ParseError, match="damaged or truncated"):
        parse_bytes(damaged, source="x.pdf")
