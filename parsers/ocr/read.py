"""Scans in, `SourceText` out: an image-only PDF or an image file read by OCR, then handed to the
PDF reader's own line and table assembly (`parsers.pdf.assemble`)."""

from __future__ import annotations

from dataclasses import replace

from nianbao.core.errors import ParseError
from parsers.ocr import Limits
from parsers.ocr.pages import PageImage, image_page, pdf_pages
from parsers.ocr.scan import read_pages
from parsers.pdf import RawPage, ScannedDocument, assemble
from parsers.source import SourceText

MIN_READ_DPI = 50  # below this, no digit has the pixels to be read at all


def scanned_pdf(data: bytes, *, source: str, limits: Limits) -> SourceText:
    """An image-only PDF, page by page."""
    return _assemble(pdf_pages(data, source=source, max_pages=limits.pages), source=source, limits=limits)


def image_file(data: bytes, *, source: str, limits: Limits) -> SourceText:
    """An image attachment: one page."""
    return _assemble([image_page(data, source=source)], source=source, limits=limits)


def _assemble(images: list[PageImage], *, source: str, limits: Limits) -> SourceText:
    if not images:
        raise ParseError(f"{source}: a scan with no pages", source=source)
    coarse = max(image.dpi for image in images if image.declared) if any(i.declared for i in images) else None
    if coarse is not None and coarse < MIN_READ_DPI:
        raise ScannedDocument(
            f"{source}: a scan of {len(images)} page(s), no text layer, at {coarse:.0f} dpi: too coarse to read",
            source=source,
        )
    pages = read_pages(images, source=source, limits=limits)
    lines, geometry = assemble([RawPage(p.tables, p.lines, p.words) for p in pages])
    if not lines:
        raise ScannedDocument(
            f"{source}: a scan of {len(images)} page(s), no text layer, and OCR found no text on it", source=source
        )
    return SourceText(lines=lines, kind="scan", geometry=geometry)


def pasted(lines: tuple[str, ...], *, source: str, limits: Limits) -> SourceText:
    """An article page whose tables are pictures (`data:` images in its text): each run of pictures
    read as pages of a scan, its rows put where the pictures stood, the rest of the page as it is."""
    import base64

    out: list[str] = []
    geometry = {}
    run: list[PageImage] = []
    read_any = False

    def flush() -> None:
        nonlocal read_any
        if not run:
            return
        pages = read_pages(run, source=source, limits=limits)
        found, where = assemble([RawPage(p.tables, p.lines, p.words) for p in pages])
        geometry.update({len(out) + i: g for i, g in where.items()})
        out.extend(found)
        run.clear()
        read_any = True

    for line in lines:
        if not line.startswith("\x00image:"):
            flush()
            out.append(line)
            continue
        header, _, payload = line[len("\x00image:") :].partition(",")
        try:
            data = base64.b64decode(payload, validate=False) if header.endswith(";base64") else b""
            run.append(replace(image_page(data, source=source), number=len(run) + 1))
        except (ParseError, ValueError):
            continue  # a picture that is no image: the page's text stands without it
        if len(run) > limits.pages:
            raise ParseError(f"{source}: more than {limits.pages} pictures to read", source=source)
    flush()
    return SourceText(lines=tuple(out), kind="scan" if read_any else "html", geometry=geometry)
