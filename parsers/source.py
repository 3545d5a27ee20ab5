"""The one shape every extractor produces: the report as lines, tables as ` | `-separated rows.

The seed report (`yanjia-2024.txt`) is written this way; HTML, PDF and DOCX are turned into the
same shape, so one label-driven parser reads them all and identical reports give identical JSON
whatever they were published as.  A PDF adds the geometry of its table rows, so the readers can
say on which page and where each number stood, and which rows it could not read with certainty.

Plain-text exports come in three more layouts, all normalised here:
- an archive header (`标题: …`, `发布时间: …`, `原文链接: …`) above the body;
- one cell per line with blank lines between them (two blank lines between cells, two more at the
  end of a row, three for each empty cell), as scraped data sets write Word tables;
- paragraphs and table cells separated by two ideographic spaces (U+3000 U+3000) on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.core.messages import Said
from nianbao.core.report import CellReading
from parsers.dates import iso_date
from parsers.sections import heading_part


@dataclass(frozen=True, slots=True)
class RowGeometry:
    """Where a table row of a PDF stood, and whether its numbers were read with certainty."""

    page: int  # 1-based
    y: float
    xs: tuple[float | None, ...]  # the x of each value cell (None where the cell is empty)
    certain: bool = True
    doubts: tuple[Said, ...] = ()  # what makes it uncertain, or how it was read when that is worth saying
    reads: tuple[CellReading | None, ...] = ()  # a scan: each value cell's two readings
    options: tuple[tuple[str, ...] | None, ...] = ()  # what each value cell may hold (see RowReading)

    @property
    def why(self) -> str:
        """The doubts in English ("; "-joined)."""
        return "; ".join(d.en for d in self.doubts)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A document reduced to lines, plus what its container said about it."""

    lines: tuple[str, ...]
    kind: str  # "text" | "html" | "pdf" | "docx" | "doc" | "scan"
    title: str | None = None  # from page metadata (ArticleTitle, <h1>, <title>, 标题:)
    published_at: str | None = None  # ISO date from page metadata or the info line
    encoding: str | None = None
    geometry: dict[int, RowGeometry] = field(default_factory=dict)  # line index -> its table row


_HEADER = re.compile(r"^(标题|发布时间|发布日期|文号|发布机构|栏目|原文链接|本地目录|来源)\s*[:：]\s*(.*)$")
_WIDE_GAP = re.compile(r"\u3000{2,}")
_NUMBER = re.compile(r"^[\d.,]+$")


def from_text(text: str, *, kind: str = "text", encoding: str | None = None) -> SourceText:
    """Plain text: one line per paragraph or table row (any of the layouts above)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header, raw = _archive_header(raw)
    if _cells_per_blank_run(raw):
        lines = _rows_from_blank_runs(raw)
    else:
        lines = [piece for line in raw for piece in _WIDE_GAP.split(line)]
    kept = tuple(line.strip() for line in lines if line.strip())
    title = header.get("标题")
    published = iso_date(header.get("发布时间") or header.get("发布日期") or "")
    return SourceText(lines=kept, kind=kind, encoding=encoding, title=title or None, published_at=published)


def _archive_header(raw: list[str]) -> tuple[dict[str, str], list[str]]:
    """`标题: …` lines at the top of an archive export: metadata, not body."""
    header: dict[str, str] = {}
    index = 0
    while index < min(len(raw), 12):
        match = _HEADER.match(raw[index].strip())
        if not match:
            break
        header[match.group(1)] = match.group(2).strip()
        index += 1
    return (header, raw[index:]) if "标题" in header else ({}, raw)


def _blank_runs(raw: list[str]) -> list[tuple[str, int]]:
    """Each non-empty line with the number of blank lines after it."""
    items: list[tuple[str, int]] = []
    for line in raw:
        if line.strip():
            items.append((line.strip(), 0))
        elif items:
            items[-1] = (items[-1][0], items[-1][1] + 1)
    return items


def _cells_per_blank_run(raw: list[str]) -> bool:
    runs = [blanks for text, blanks in _blank_runs(raw) if len(text) <= 60]
    return sum(1 for b in runs if b == 2) >= 20


def _split_run(blanks: int) -> tuple[int, int]:
    """(row ends, empty cells) that a run of blank lines after a cell stands for."""
    rest = blanks - 2
    for ends in (0, 1, 2):
        if rest - 2 * ends >= 0 and (rest - 2 * ends) % 3 == 0:
            return ends, (rest - 2 * ends) // 3
    return 1, 0


def _rows_from_blank_runs(raw: list[str]) -> list[str]:
    """Rebuild ` | ` rows, empty cells kept in place (an empty cell is null, never dropped)."""
    items = _blank_runs(raw)
    lines: list[str] = []
    row: list[str] = []
    for index, (text, blanks) in enumerate(items):
        if blanks < 2 or heading_part(text):  # prose, or a part's heading: a line of its own
            if row:
                lines.append(" | ".join(row))
                row = []
            lines.append(text)
            continue
        row.append(text)
        ends, empty = _split_run(blanks)
        if not ends:
            row.extend([""] * empty)
            continue
        following = items[index + 1][0] if index + 1 < len(items) else ""
        leading = _NUMBER.match(following) is not None  # empty cells before a number open the next row
        if heading_part(following):
            leading, empty = False, 0  # a part ends here
        if not leading:
            row.extend([""] * empty)
        lines.append(" | ".join(row))
        row = [""] * empty if leading else []
    if row:
        lines.append(" | ".join(row))
    return lines
