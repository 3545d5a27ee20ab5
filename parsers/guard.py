"""Checks before the expensive work: a document built to exhaust memory or time is refused in
milliseconds, with one line, before a parser library touches it.

- PDF: every compressed stream is inflated with a length limit (a 1 MB file whose stream inflates
  to 1 GB stops at the limit); PDFium (C, fast) counts the pages; the cross-reference chain and
  the page tree are walked once, by object number, so a loop is named in one line (pdfminer
  recurses to Python's limit or spins on some, PDFium fails a page on others); then PDFium counts
  each page's characters and drawing objects, before pdfplumber (Python, slow) reads anything.
- DOCX: each zip entry's declared size, and the XML's, not only their sum.

The worker process limits (memory, wall time) stay the backstop for what no check foresaw.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from nianbao.core.errors import ParseError

if TYPE_CHECKING:
    from pdfminer.pdfdocument import PDFDocument
    from pypdfium2 import PdfDocument

STREAM_INFLATED = 64 * 1024 * 1024  # one content stream of a real report is well under 1 MB
PAGE_CHARS = 60_000  # a dense A4 page holds about 3,000 Chinese characters
PAGE_OBJECTS = 40_000  # text runs, paths and images on one page
TREE_NODES = 20_000  # page tree references followed (PDFium has refused a tree over max_pages)
XML_ENTRY = 64 * 1024 * 1024  # word/document.xml of a 300-page report is a few MB
STREAM_SHOWN = 400_000  # bytes of text one page shows (a dense report page: under 20,000)
_STREAM_START = re.compile(rb"(?<=[>\s])stream\r?\n")
_SHOWN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]{2,}>")
_END = b"endstream"
_FONT_FILE = re.compile(rb"/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)\b")


def check_pdf(data: bytes, *, source: str, max_pages: int, pages: bool = True) -> None:
    """Raise ParseError when the PDF would cost far more than any report, or its structure loops.
    PDFium counts the pages before pdfminer walks the tree: a tree of 100,000 pages costs pdfminer
    seconds, PDFium milliseconds.  `pages=False` leaves each page's counts to the caller, which
    loads the pages anyway (the PDFium reader: `check_page` on each, before reading it)."""
    import pypdfium2 as pdfium

    _check_streams(data, source)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        document = None  # damaged or encrypted: pdfplumber says which, in its own words
    try:
        if document is not None and len(document) > max_pages:
            raise ParseError(f"{source}: {len(document)} pages, over the {max_pages} page limit", source=source)
        _check_tree(data, source)
        if document is not None and pages:
            check_pages(document, source)
    finally:
        if document is not None:
            document.close()


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
        if b"/Image" in header:
            continue  # a scanned page's pixels: no text is shown from them (JPEG bytes hold "BT" and parentheses)
        if _FONT_FILE.search(header):
            continue  # an embedded font (inflated above, with the limit): its bytes show no text

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


class _Loop(Exception):
    """A chain of the PDF's structure comes back to where it was: what loops, in words."""


def _check_tree(data: bytes, source: str) -> None:
    """The xref chain, the page tree (down its /Kids, up each node's /Parent) and the references
    on the way are followed once each; coming back to a node already on the way is a loop.  Any
    other damage is left for the reader to name in its own words."""
    from pdfminer.pdfdocument import PDFBaseXRef, PDFDocument
    from pdfminer.pdfparser import PDFParser

    class Document(PDFDocument):
        """pdfminer's document, reading each cross-reference table once: a /Prev (or /XRefStm)
        pointing back to one already read is a loop, not a recursion to Python's limit."""

        def __init__(self, parser: PDFParser) -> None:
            self.xref_starts: set[int] = set()
            super().__init__(parser)

        def read_xref_from(self, parser: PDFParser, start: int, xrefs: list[PDFBaseXRef]) -> None:
            if start in self.xref_starts:
                raise _Loop("the PDF's cross-reference table loops (its /Prev points back to a table already read)")
            self.xref_starts.add(start)
            super().read_xref_from(parser, start, xrefs)

    try:
        _walk_tree(Document(PDFParser(io.BytesIO(data))))
    except _Loop as loop:
        raise ParseError(f"{source}: {loop}", source=source) from None
    except Exception:  # damaged or encrypted: pdfplumber says which, in its own words
        return


def _resolve(document: PDFDocument, value: object) -> tuple[int | None, object]:
    """(object number, object) of a reference, following a reference to a reference; a chain that
    comes back is a loop (pdfminer's resolve1 would spin on it forever)."""
    from pdfminer.pdftypes import PDFObjRef

    number, hops = None, set()
    while isinstance(value, PDFObjRef):
        number = value.objid
        if number in hops:
            raise _Loop(f"the PDF's page tree loops (object {number} is a reference to itself)")
        hops.add(number)
        value = document.getobj(number)
    return number, value


def _walk_tree(document: PDFDocument) -> None:
    """Depth first down /Kids, keeping the path from the root: a kid on the path is a loop.  A node
    reached twice off the path is walked once (a shared subtree is no loop, and no blow-up); past
    TREE_NODES references the walk stops, proving nothing."""
    from pdfminer.pdfpage import LITERAL_PAGES

    path: set[int] = set()
    seen: set[int] = set()
    climbed: set[int] = set()
    stack: list[tuple[int, Iterator[object]]] = [(0, iter([document.catalog.get("Pages")]))]
    for _ in range(TREE_NODES):
        if not stack:
            return
        number, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            path.discard(number)
            continue
        kid, node = _resolve(document, child)
        if kid in path:
            raise _Loop("the PDF's page tree loops (a /Kids array holds its own /Pages node or an ancestor)")
        if kid is None or kid in seen or not isinstance(node, dict):
            continue
        seen.add(kid)
        _climb(document, kid, node, climbed)
        below = _resolve(document, node.get("Kids"))[1]
        if node.get("Type") is LITERAL_PAGES and isinstance(below, list):
            path.add(kid)
            stack.append((kid, iter(below)))


def _climb(document: PDFDocument, number: int, node: dict[str, Any], climbed: set[int]) -> None:
    """Up the /Parent chain from a node to one already known to end; a chain that comes back is
    a loop (every reader climbs it for inherited attributes: MediaBox, Resources)."""
    chain = {number}
    parent = node.get("Parent")
    while parent is not None and len(chain) < TREE_NODES:
        above, parent_node = _resolve(document, parent)
        if above is None or above in climbed:
            break
        if above in chain:
            raise _Loop("the PDF's page tree loops (a /Parent chain comes back to where it started)")
        chain.add(above)
        parent = parent_node.get("Parent") if isinstance(parent_node, dict) else None
    climbed.update(chain)


def check_pages(document: PdfDocument, source: str) -> None:
    """Each page's drawing objects and characters, counted by PDFium."""
    import pypdfium2 as pdfium

    pages = len(document)
    for number in range(pages):
        try:
            page = document[number]
        except pdfium.PdfiumError:
            raise ParseError(
                f"{source}: a damaged PDF (PDFium cannot load page {number + 1} of {pages})", source=source
            ) from None
        try:
            objects = sum(1 for _ in islice(page.get_objects(max_depth=1), PAGE_OBJECTS + 1))
            check_page_objects(objects, number + 1, source)
            check_page_chars(page.get_textpage().count_chars(), number + 1, source)
        finally:
            page.close()


def check_page_objects(objects: int, number: int, source: str) -> None:
    """Raise ParseError when page `number` (1-based) draws more objects than any report page."""
    if objects > PAGE_OBJECTS:
        raise ParseError(
            f"{source}: page {number} draws over {PAGE_OBJECTS} objects: refused (no report page has that many)",
            source=source,
        )


def check_page_chars(chars: int, number: int, source: str) -> None:
    """Raise ParseError when page `number` (1-based) holds more characters than any report page."""
    if chars > PAGE_CHARS:
        raise ParseError(
            f"{source}: page {number} holds {chars} characters: refused (no report page has that many)",
            source=source,
        )


def check_zip_entries(sizes: dict[str, int], *, source: str) -> None:
    """Raise ParseError when one XML part of an office file is larger than any report's."""
    for name, size in sizes.items():
        if name.endswith(".xml") and size > XML_ENTRY:
            raise ParseError(
                f"{source}: {name} would expand to {size >> 20} MB: refused (a report's is a few MB)", source=source
            )
