"""Checks before the expensive work: a document built to exhaust memory or time is refused in
milliseconds, with one line, before a parser library touches it.

- PDF: every compressed stream is inflated with a length limit (a 1 MB file whose stream inflates
  to 1 GB stops at the limit); then PDFium (C, fast) counts the pages, and each page's characters
  and drawing objects, before pdfplumber (Python, slow) reads anything.
- DOCX: each zip entry's declared size, and the XML's, not only their sum.

The worker process limits (memory, wall time) stay the backstop for what no check foresaw.
"""

from __future__ import annotations

import re
import zlib
from itertools import islice

from nianbao.core.errors import ParseError

STREAM_INFLATED = 64 * 1024 * 1024  # one content stream of a real report is well under 1 MB
PAGE_CHARS = 60_000  # a dense A4 page holds about 3,000 Chinese characters
PAGE_OBJECTS = 40_000  # text runs, paths and images on one page
XML_ENTRY = 64 * 1024 * 1024  # word/document.xml of a 300-page report is a few MB
STREAM_SHOWN = 400_000  # bytes of text one page shows (a dense report page: under 20,000)
_STREAM_START = re.compile(rb"(?<=[>\s])stream\r?\n")
_SHOWN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]{2,}>")
_END = b"endstream"


def check_pdf(data: bytes, *, source: str, max_pages: int) -> None:
    """Raise ParseError when the PDF would cost far more than any report."""
    _check_streams(data, source)
    _check_pages(data, source, max_pages)


def _check_streams(data: bytes, source: str) -> None:
    """Every stream: inflated (with a limit) when compressed; a page's content counted in the
    characters it shows.  PDFium truncates what it counts of a huge text run; this does not."""
    for match in _STREAM_START.finditer(data):
        start = match.end()
        end = data.find(_END, start)
        raw = data[start : end if end > 0 else len(data)]
        header = data[max(0, match.start() - 600) : match.start()]
        header = header[header.rfind(b" obj") + 1 :] if b" obj" in header else header
        body = _inflate(raw, source) if b"/FlateDecode" in header else raw
        if body is not None and b"BT" in body:
            shown = sum(len(text) for text in _SHOWN.findall(body))
            if shown > STREAM_SHOWN:
                raise ParseError(
                    f"{source}: one page shows {shown} bytes of text: refused (a report page shows a few thousand)",
                    source=source,
                )


def _inflate(raw: bytes, source: str) -> bytes | None:
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    size = 0
    try:
        parts.append(inflater.decompress(raw, 1 << 20))
        size += len(parts[-1])
        while inflater.unconsumed_tail and size <= STREAM_INFLATED:
            parts.append(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
            size += len(parts[-1])
    except zlib.error:
        return None  # a damaged stream: the PDF reader decides what that means
    if size > STREAM_INFLATED:
        raise ParseError(
            f"{source}: a compressed stream inflates to over {STREAM_INFLATED >> 20} MB: refused "
            "(no report needs that)",
            source=source,
        )
    return b"".join(parts)


def _check_pages(data: bytes, source: str, max_pages: int) -> None:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return  # damaged or encrypted: pdfplumber says which, in its own words
    try:
        pages = len(document)
        if pages > max_pages:
            raise ParseError(f"{source}: {pages} pages, over the {max_pages} page limit", source=source)
        for number in range(pages):
            page = document[number]
            try:
                objects = sum(1 for _ in islice(page.get_objects(max_depth=1), PAGE_OBJECTS + 1))
                if objects > PAGE_OBJECTS:
                    raise ParseError(
                        f"{source}: page {number + 1} draws over {PAGE_OBJECTS} objects: refused "
                        "(no report page has that many)",
                        source=source,
                    )
                chars = page.get_textpage().count_chars()
                if chars > PAGE_CHARS:
                    raise ParseError(
                        f"{source}: page {number + 1} holds {chars} characters: refused (no report page has that many)",
                        source=source,
                    )
            finally:
                page.close()
    finally:
        document.close()


def check_zip_entries(sizes: dict[str, int], *, source: str) -> None:
    """Raise ParseError when one XML part of an office file is larger than any report's."""
    for name, size in sizes.items():
        if name.endswith(".xml") and size > XML_ENTRY:
            raise ParseError(
                f"{source}: {name} would expand to {size >> 20} MB: refused (a report's is a few MB)", source=source
            )
