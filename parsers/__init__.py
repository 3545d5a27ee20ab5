"""Parsers: a document's bytes -> `Report` (metadata plus every number of the standard tables).

The one public entry is `parse_bytes`; `parse_source` is the format-independent core that every
extractor (text, HTML, and the office formats) feeds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from nianbao.core.encoding import decode
from nianbao.core.errors import NotAReport, ParseError, UnsupportedFormat
from nianbao.core.messages import Said, said
from nianbao.core.report import PART_TITLES, Finding, Report, RowReading
from parsers import metadata
from parsers.applications import read_applications
from parsers.cells import rows_with_lines
from parsers.detect import sniff
from parsers.disclosure import read_active_disclosure
from parsers.docx import from_docx
from parsers.html import from_html
from parsers.ocr import Limits as OcrLimits
from parsers.office import from_doc
from parsers.pdf import MAX_PAGES as MAX_PDF_PAGES
from parsers.pdf import NeedsOcr, from_pdf
from parsers.review import read_review_litigation
from parsers.sections import inline_parts, split_parts
from parsers.source import RowGeometry, SourceText, from_text
from parsers.tables import GLUED_WHY, TableRead, unreadable

__all__ = ["Finding", "NeedsOcr", "OcrLimits", "Report", "parse_bytes", "parse_source", "extract"]

MAX_BYTES = 50 * 1024 * 1024
OCR = OcrLimits()  # scans are read unless the caller passes ocr=None ([parse] ocr = false)


def _absent(part: str, why: str, kind: str) -> Said:
    """Why a part's table is not there (as data when the parser's reason is one it names).  In a PDF,
    numbers run together mean a table drawn without ruling lines: its rows came as lines of text."""
    if why == GLUED_WHY:
        return said("note.pdf_no_cells" if kind == "pdf" else "note.glued", part=part)
    return said("note.absent", part=part, why=why)


def extract(
    data: bytes,
    *,
    source: str = "<input>",
    content_type: str | None = None,
    max_pages: int = MAX_PDF_PAGES,
    ocr: OcrLimits | None = OCR,
) -> SourceText:
    """Bytes -> SourceText, choosing the extractor by content; scans by OCR when `ocr` allows."""
    if not data.strip():
        raise ParseError(f"{source}: the file is empty", source=source)
    if len(data) > MAX_BYTES:
        raise ParseError(f"{source}: {len(data)} bytes is over the {MAX_BYTES} byte limit", source=source)
    kind = sniff(data)
    if kind in ("html", "text"):
        text, codec = decode(data, content_type=content_type)
        if kind == "html" or "<html" in text[:2000].lower():
            ascii_compatible = not codec.startswith(("utf-16", "utf-32"))
            return from_html(
                data if codec == "utf-8" else text,
                encoding=codec,
                source=data if ascii_compatible else None,
                images=_pictures(source, ocr),
            )
        return from_text(text, encoding=codec)
    if kind == "pdf":
        return from_pdf(data, source=source, max_pages=max_pages, ocr=ocr)
    if kind == "image":
        return _image(data, source=source, ocr=ocr)
    if kind == "zip":
        return from_docx(data, source=source)
    if kind == "ole":
        return from_doc(data, source=source)
    raise UnsupportedFormat(
        f"{source}: a binary file, not a report (no PDF, DOCX, DOC or text signature)", source=source
    )


def _pictures(source: str, ocr: OcrLimits | None) -> Callable[[tuple[str, ...]], SourceText] | None:
    """How an article page's pasted pictures are read: by OCR when it may run here, else not at all."""
    if ocr is None:
        return None
    from parsers.ocr import missing

    if missing() is not None:
        return None

    def read(lines: tuple[str, ...]) -> SourceText:
        from parsers.ocr.read import pasted

        return pasted(lines, source=source, limits=ocr)

    return read


def _image(data: bytes, *, source: str, ocr: OcrLimits | None) -> SourceText:
    """An image attachment: a scanned page, read by OCR when it may be."""
    if ocr is None:
        raise NeedsOcr(f"{source}: an image; OCR is turned off ([parse] ocr)", source=source)
    from parsers.ocr import missing

    lacking = missing()
    if lacking is not None:
        raise UnsupportedFormat(f"{source}: an image; {lacking}", source=source)
    from parsers.ocr.read import image_file

    return image_file(data, source=source, limits=ocr)


def parse_bytes(
    data: bytes,
    *,
    source: str = "<input>",
    content_type: str | None = None,
    max_pages: int = MAX_PDF_PAGES,
    ocr: OcrLimits | None = OCR,
) -> Report:
    """Parse one document; raises ParseError (NotAReport, UnsupportedFormat) with a one-line reason."""
    src = extract(data, source=source, content_type=content_type, max_pages=max_pages, ocr=ocr)
    return parse_source(src, source=source)


def parse_source(src: SourceText, *, source: str | None = None) -> Report:
    """Find the parts, read the tables by their labels, and collect metadata."""
    lines = src.lines
    spans = split_parts(lines)
    title, agency, title_year = metadata.find_title(lines, src.title)
    period = metadata.period_year(lines)
    where = source or "<input>"
    inline = inline_parts("\n".join(lines)) if len(spans) < len(PART_TITLES) else ()
    parts_found = tuple(dict.fromkeys([*spans, *inline]))
    legacy = _is_legacy(lines, title_year or period)
    if (
        title_year is None
        and len(parts_found) < 3
        and not (len(spans) == 2 and "active_disclosure" in spans)
        and not _names_its_parts(lines)
    ):
        raise NotAReport(
            f"{where}: not an annual report (no report title and {len(parts_found)} of the six parts)", source=where
        )
    if not parts_found and not legacy and not _names_its_parts(lines):
        raise NotAReport(
            f"{where}: titled as a report but none of the six parts is here (a notice pointing to an attachment?)",
            source=where,
        )
    reads = {} if legacy else _read_tables(src, spans)
    notes = [note for read in reads.values() for note in read.notes]
    notes += [unreadable("warning", _absent(p, r.absent, src.kind), cells=(p,)) for p, r in reads.items() if r.absent]
    tables = {part: read.table for part, read in reads.items()}
    absent = tuple(part for part, read in reads.items() if read.absent)
    return Report(
        title=title,
        agency=agency,
        year=title_year or period or metadata.text_year(lines),
        format="legacy" if legacy else _format(lines),
        published_at=src.published_at or metadata.published_in_text(lines),
        signed_at=metadata.signed_at(lines),
        active_disclosure=tables.get("active_disclosure"),
        applications=tables.get("applications"),
        review_litigation=tables.get("review_litigation"),
        parts=parts_found,
        lines=lines,
        notes=tuple(notes),
        title_year=title_year,
        period_year=period,
        kind=src.kind,
        encoding=src.encoding,
        source=source,
        readings=tuple(r for read in reads.values() for r in read.readings),
        unreadable_parts=absent,
    )


_READERS = (
    ("active_disclosure", read_active_disclosure),
    ("applications", read_applications),
    ("review_litigation", read_review_litigation),
)


def _read_tables(src: SourceText, spans: dict[str, tuple[int, int]]) -> dict[str, TableRead]:
    """Each table read from its part's lines (the whole text when its heading was not found)."""
    out = {}
    for part, reader in _READERS:
        start, end = spans.get(part, (0, len(src.lines)))
        rows, starts = rows_with_lines(src.lines[start:end])

        def geometry(row: int, starts: list[int] = starts, start: int = start) -> RowGeometry | None:
            return src.geometry.get(start + starts[row]) if row < len(starts) else None

        out[part] = reader(rows, geometry, found=part in spans)
        if src.kind in ("pdf", "scan") and part in _PLACED_BY_X:
            out[part].readings = [_unplaced(r) for r in out[part].readings]
        if src.kind == "scan" and part == "active_disclosure":
            out[part].readings = [_unchecked(r) for r in out[part].readings]
    return out


_UNCHECKED = said("why.scan_table2")


def _unchecked(reading: RowReading) -> RowReading:
    """Table 二 of a scan is never the basis of an accusation: no sum within it would catch a misread
    number (the rules that use it compare it with last year's)."""
    return replace(reading, certain=False, doubts=(*reading.doubts, _UNCHECKED), options=())


# the PDF tables whose numbers nianbao places by the x of their header's columns, read twice
_PLACED_BY_X = ("applications", "review_litigation")
_UNPLACED = said("why.unplaced")


def _unplaced(reading: RowReading) -> RowReading:
    """A PDF row of table 3 or 4 read without the columns' geometry (no page: its cells were counted
    from the left, which a continuation page's moved label shifts) is never certain."""
    if reading.page is not None or reading.how == "sentence":
        return reading
    return replace(reading, certain=False, doubts=(*reading.doubts, _UNPLACED), options=())


def _format(lines: tuple[str, ...]) -> str:
    """ "2019" for the trial format of 国办公开办函〔2019〕60号, else the uniform "2021".  The tables
    decide; the document cited only when they say nothing (2021 reports often cite 〔2019〕60号 too)."""
    text = "\n".join(lines)
    if "本年制发件数" in text or "本年处理决定数量" in text or "〔2021〕30号" in text:
        return "2021"
    if "本年新制作数量" in text or "对外公开总数量" in text or "〔2019〕60号" in text:
        return "2019"
    return "2021"


_PARTS_NAMED = re.compile(r"总体情况.{0,4}主动公开政府信息情况.{0,4}收到和处理政府信息公开申请情况")


def _names_its_parts(lines: tuple[str, ...]) -> bool:
    """The opening paragraph lists the six parts ("本报告由总体情况、主动公开政府信息情况、…组成"):
    a report, even when its title is cut off."""
    return any(_PARTS_NAMED.search(line) for line in lines[:10])


def _is_legacy(lines: tuple[str, ...], year: int | None) -> bool:
    """Reports under the 2008 regulation: free-form statistics, before the 2019 formats."""
    text = "\n".join(lines)
    if "政府信息公开情况统计表" in text or "指标名称" in text:
        return True
    return year is not None and year <= 2018 and "本年新制作数量" not in text and "本年制发件数" not in text
