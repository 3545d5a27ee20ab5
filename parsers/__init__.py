"""Parsers: a document's bytes -> `Report` (metadata plus every number of the standard tables).

The one public entry is `parse_bytes`; `parse_source` is the format-independent core that every
extractor (text, HTML, and the office formats) feeds.
"""

from __future__ import annotations

from nianbao.encoding import decode
from nianbao.errors import NotAReport, ParseError, UnsupportedFormat
from parsers import metadata
from parsers.cells import rows_of
from parsers.detect import sniff
from parsers.html import from_html
from parsers.report import Finding, Report
from parsers.sections import split_parts
from parsers.source import SourceText, from_text
from parsers.tables import read_active_disclosure, read_applications, read_review_litigation

__all__ = ["Finding", "Report", "parse_bytes", "parse_source", "extract"]

MAX_BYTES = 50 * 1024 * 1024


def extract(data: bytes, *, source: str = "<input>", content_type: str | None = None) -> SourceText:
    """Bytes -> SourceText, choosing the extractor by content."""
    if not data.strip():
        raise ParseError(f"{source}: the file is empty", source=source)
    if len(data) > MAX_BYTES:
        raise ParseError(f"{source}: {len(data)} bytes is over the {MAX_BYTES} byte limit", source=source)
    kind = sniff(data)
    if kind in ("html", "text"):
        text, codec = decode(data, content_type=content_type)
        if kind == "html" or "<html" in text[:2000].lower():
            return from_html(text, encoding=codec)
        return from_text(text, encoding=codec)
    if kind == "binary":
        raise UnsupportedFormat(f"{source}: a binary file, not a report (no PDF, DOCX, DOC or text signature)",
                                source=source)
    raise UnsupportedFormat(f"{source}: {kind.upper()} documents are not supported yet", source=source)


def parse_bytes(data: bytes, *, source: str = "<input>", content_type: str | None = None) -> Report:
    """Parse one document; raises ParseError (NotAReport, UnsupportedFormat) with a one-line reason."""
    return parse_source(extract(data, source=source, content_type=content_type), source=source)


def parse_source(src: SourceText, *, source: str | None = None) -> Report:
    """Find the parts, read the tables by their labels, and collect metadata."""
    lines = src.lines
    spans = split_parts(lines)
    title, agency, title_year = metadata.find_title(lines, src.title)
    period = metadata.period_year(lines)
    where = source or "<input>"
    if title_year is None and len(spans) < 3 and not (len(spans) == 2 and "active_disclosure" in spans):
        raise NotAReport(f"{where}: not an annual report (no report title and {len(spans)} of the six parts)",
                         source=where)
    if not spans:
        raise NotAReport(f"{where}: titled as a report but none of the six parts is here "
                         "(a notice pointing to an attachment, or a format nianbao cannot read yet)", source=where)
    notes: list[Finding] = []
    tables = {}
    for part, reader in (("active_disclosure", read_active_disclosure), ("applications", read_applications),
                         ("review_litigation", read_review_litigation)):
        start, end = spans.get(part, (0, len(lines)))
        table, found = reader(rows_of(lines[start:end]))
        tables[part] = table
        notes.extend(found)
    return Report(
        title=title, agency=agency, year=title_year or period or metadata.text_year(lines), format=_format(lines, tables),
        published_at=src.published_at or metadata.published_in_text(lines), signed_at=metadata.signed_at(lines),
        active_disclosure=tables["active_disclosure"], applications=tables["applications"],
        review_litigation=tables["review_litigation"], parts=tuple(spans), lines=lines, notes=tuple(notes),
        title_year=title_year, period_year=period, kind=src.kind, encoding=src.encoding, source=source,
    )


def _format(lines: tuple[str, ...], tables: dict[str, object]) -> str:
    text = "\n".join(lines)
    if "本年新制作数量" in text or "对外公开总数量" in text or "〔2019〕60号" in text:
        return "2019"
    if not any(tables.values()) and "政府信息公开情况统计表" in text:
        return "legacy"
    return "2021"
