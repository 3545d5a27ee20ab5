"""Documents built to exhaust a parser — for the fault suite.  Each is small on disk and costs a naive
reader seconds and gigabytes: a page of a million characters, a page of 200,000 rectangles, a
stream that inflates to a gigabyte, a hundred thousand pages, a DOCX whose XML is 190 MB, HTML a
thousand elements deep.  And PDFs whose structure loops (a page tree, a /Parent chain, a reference,
the xref chain), on which a naive reader recurses to its limit or spins forever: built by hand, with
a correct xref, so that the loop is the only fault."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from nianbao.sample.pdf import _assemble


def _pdf(stream: bytes, *, flate: bool = False, pages: int = 1) -> bytes:
    """A PDF whose pages all draw `stream`."""
    length = f"/Length {len(stream)}".encode() + (b" /Filter /FlateDecode" if flate else b"")
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>",
        b"<< " + length + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 " + str(4 + pages).encode() + b" 0 R >> >> >>"
    )
    objects += [page] * pages
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _assemble(objects)


def million_characters() -> bytes:
    text = b"A" * 1_000_000
    return _pdf(b"BT /F1 1 Tf 10 10 Td (" + text + b") Tj ET")


def many_rectangles(count: int = 200_000) -> bytes:
    return _pdf(b"".join(b"%d %d 1 1 re f\n" % (n % 500, n // 500) for n in range(count)))


def inflating_stream(decoded_mb: int = 1024) -> bytes:
    squeeze = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    data = b"".join(squeeze.compress(zeros) for _ in range(decoded_mb)) + squeeze.flush()
    return _pdf(data, flate=True)


def many_pages(count: int = 100_000) -> bytes:
    return _pdf(b"BT /F1 12 Tf 72 720 Td (page) Tj ET", pages=count)


def huge_docx_xml(mb: int = 190) -> bytes:
    paragraph = b"<w:p><w:r><w:t>" + b"x" * 1000 + b"</w:t></w:r></w:p>"
    body = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    body += paragraph * (mb * 1024) + b"</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", body)
    return out.getvalue()


def deep_html(depth: int = 1000) -> bytes:
    from nianbao.sample.reports import SampleReport, balanced, report_text
    from nianbao.sample.wordhtml import render

    sample = SampleReport(agency="某某县龙山镇人民政府", year=2025, applications=balanced(2))
    page = render(report_text(sample), title=sample.title)
    return page.replace('<div class="v_news_content">', '<div class="v_news_content">' + "<span>" * depth, 1).encode()


# ---- PDFs whose structure loops: every reader that follows it naively recurses or spins --------

_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
)


def _tree(pages: bytes, *more: bytes, page: bytes = _PAGE) -> bytes:
    """Catalog 1, the root /Pages node 2 as given, page 3 showing one line, then `more` from 6 on."""
    stream = b"BT /F1 18 Tf 72 720 Td (Hello) Tj ET"
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            pages,
            page,
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *more,
        ]
    )


def kids_hold_their_node() -> bytes:
    """The root /Pages node lists itself among its /Kids."""
    return _tree(b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>")


def kids_hold_an_ancestor() -> bytes:
    """A /Pages node below the root lists the root among its /Kids."""
    return _tree(
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>", b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"
    )


def parents_loop() -> bytes:
    """The page's /Parent is a node whose /Parent is the page (climbed for inherited attributes)."""
    page = _PAGE.replace(b"/Parent 2 0 R", b"/Parent 6 0 R")
    return _tree(
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Parent 3 0 R /Kids [3 0 R] /Count 1 >>",
        page=page,
    )


def reference_to_itself() -> bytes:
    """The root's only kid is object 6, whose whole body is `6 0 R`."""
    return _tree(b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>", b"6 0 R")


def xref_to_itself() -> bytes:
    """The cross-reference table's trailer names itself as the /Prev table (no offset moves: the
    trailer comes after the table)."""
    good = _tree(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    start = int(good.rsplit(b"startxref\n", 1)[1].split()[0])
    return good.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Prev %d >>" % start)


# ---- odd but readable: a PDF library warns about it, nianbao reads it ---------------------------


def without_font_boxes() -> bytes:
    """The bundled report PDF with every font descriptor's /FontBBox blanked out (spaces of the same
    length: no offset moves, the xref stays right).  pdfminer warns "Could not get FontBBox…" and
    reads the text all the same."""
    data = (Path(__file__).with_name("data") / "attachment-report.pdf").read_bytes()
    return re.sub(rb"/FontBBox\s*\[[^\]]*\]", lambda m: b" " * len(m.group()), data)
