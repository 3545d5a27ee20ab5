"""A scanned page read into what the PDF reader reads from a text layer (`parsers.pdf.RawPage`):
tables as rows of cells with their boxes, text lines, and words.  So the same geometry reader
places the columns where the header puts them, carries them over page breaks, glues labels cut by
a page break, and maps rows by their labels: a scan is read as its PDF would have been.

Coordinates are turned into points (72 per inch) so the geometry reader's tolerances hold.  Each
cell that may hold a number carries its two readings (`CellReading`); a label cell is RapidOCR's.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

import cv2

from nianbao.core.errors import ParseError
from parsers.ocr import Limits
from parsers.ocr import cells as reading
from parsers.ocr.deskew import straighten
from parsers.ocr.grid import PixelBox, TableGrid, rulings, tables
from parsers.ocr.pages import PageImage
from parsers.ocr.readers import Seen, crop, digits, page_text
from parsers.pdf_tables import Box, Cell, TableRow, Word

TEXT_POINTS = 12.0  # a digit's box as RapidOCR draws it, in points, in the reports' 10.5-12 point type


@dataclass(frozen=True, slots=True)
class ScannedPage:
    """One page as `parsers.pdf.RawPage` holds it, and the resolution it was read at."""

    tables: list[tuple[Box, list[TableRow]]]
    lines: list[dict[str, Any]]
    words: list[Word]
    dpi: float


def read_page(image: PageImage, *, source: str, limits: Limits) -> ScannedPage:
    """Straighten, find the tables' cells, read the page and the cells, and assemble."""
    started = time.monotonic()
    grey, _ = straighten(image.pixels)
    seen = page_text(grey)
    dpi = image.dpi if image.declared and image.dpi else estimated_dpi(seen)
    grids = tables(grey, dpi or 150.0)
    assigned, loose = _assign(seen, grids)
    asked: list[tuple[PixelBox, str, float]] = []  # value cells: box, RapidOCR's reading, its score
    for grid in grids:
        for box in grid.cells:
            inside = assigned.get(box, [])
            text = "".join(s.text for s in inside)
            if reading.may_be_number(text):
                spilled = any(_spills(s.box, box) for s in inside)
                asked.append((box, "?" if spilled else text, min((s.score for s in inside), default=1.0)))
    scale = 72 / (dpi or 150.0)
    ruling = rulings(grey, dpi or 150.0)
    crops = [crop(grey, box, dpi or 150.0, ruling) for box, _, _ in asked]
    second = digits(crops)
    reads = {}
    for (box, text, score), inner, cell in zip(asked, crops, second, strict=True):
        png = cv2.imencode(".png", inner)[1].tobytes()
        reads[box] = reading.compare(
            text, score, cell.text, cell.confidence, page=image.number, box=box, dpi=dpi, crop=png
        )
    out_tables = [_table(grid, assigned, reads, scale) for grid in grids]
    elapsed = time.monotonic() - started
    if elapsed > limits.page_seconds:
        raise ParseError(
            f"{source}: OCR of page {image.number} took {elapsed:.0f} s, over the {limits.page_seconds:g} s a page "
            "may take",
            source=source,
        )
    return ScannedPage(out_tables, _lines(loose, scale), _words(seen, scale), dpi)


def estimated_dpi(seen: Sequence[Seen]) -> float:
    """An image's resolution from the height of its digits (a report's type is 10.5-12 points): an
    image that does not declare it, or a table pasted into a page at screen resolution.  0 when it
    shows too few numbers to tell (then nothing read from it is certain)."""
    heights = [s.box[3] - s.box[1] for s in seen if reading.is_number(reading.fold(s.text))]
    if len(heights) < 5:
        return 0.0
    return float(median(heights)) / TEXT_POINTS * 72


def _assign(seen: Sequence[Seen], grids: Sequence[TableGrid]) -> tuple[dict[PixelBox, list[Seen]], list[Seen]]:
    """Each piece of text to the cell its centre falls in; text outside every table is prose."""
    assigned: dict[PixelBox, list[Seen]] = {}
    loose = []
    for item in seen:
        grid = next((g for g in grids if g.box[0] <= item.x <= g.box[2] and g.box[1] <= item.y <= g.box[3]), None)
        if grid is None:
            loose.append(item)
            continue
        home = next((c for c in grid.cells if c[0] <= item.x <= c[2] and c[1] <= item.y <= c[3]), None)
        if home is not None:  # text on a ruling line is no cell's
            assigned.setdefault(home, []).append(item)
    for items in assigned.values():
        items.sort(key=lambda s: (round(s.y / 10), s.x))
    return assigned, loose


def _spills(text: PixelBox, cell: PixelBox) -> bool:
    """A piece of text reaching well past its cell's sides: it may be two cells' numbers read as one."""
    width = max(1, text[2] - text[0])
    outside = max(0, cell[0] - text[0]) + max(0, text[2] - cell[2])
    return outside > 0.25 * width


def _table(
    grid: TableGrid, assigned: dict[PixelBox, list[Seen]], reads: dict[PixelBox, Any], scale: float
) -> tuple[Box, list[TableRow]]:
    """The grid as rows of cells (a cell opens the row its top stands in, as pdfplumber's do)."""
    tops: list[int] = []
    for box in sorted(grid.cells, key=lambda b: b[1]):
        if not tops or box[1] - tops[-1] > 4:
            tops.append(box[1])
    rows: dict[int, list[PixelBox]] = {top: [] for top in tops}
    for box in grid.cells:
        top = min(tops, key=lambda t: abs(t - box[1]))
        rows[top].append(box)
    out = []
    for top in tops:
        boxes = sorted(rows[top], key=lambda b: b[0])
        cells = []
        for box in boxes:
            read = reads.get(box)
            text = read.value if read is not None else "\n".join(s.text for s in assigned.get(box, []))
            cells.append(Cell(_points(box, scale), text, read))
        row_box = (grid.box[0], top, grid.box[2], max(b[3] for b in boxes))
        out.append(TableRow(_points(row_box, scale), tuple(cells)))
    return _points(grid.box, scale), out


def _points(box: PixelBox, scale: float) -> Box:
    return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)


def _lines(loose: Sequence[Seen], scale: float) -> list[dict[str, Any]]:
    """Prose outside the tables as text lines (pieces side by side on one line joined)."""
    out: list[list[Seen]] = []
    for item in sorted(loose, key=lambda s: s.y):
        line = out[-1] if out else None
        height = item.box[3] - item.box[1]
        if line is not None and abs(line[0].y - item.y) < 0.5 * height:
            line.append(item)
        else:
            out.append([item])
    lines = []
    for pieces in out:
        pieces.sort(key=lambda s: s.x)
        x0, x1 = min(p.box[0] for p in pieces), max(p.box[2] for p in pieces)
        top, bottom = min(p.box[1] for p in pieces), max(p.box[3] for p in pieces)
        text = "".join(p.text for p in pieces)
        size = (bottom - top) * scale
        lines.append(
            {
                "x0": x0 * scale,
                "x1": x1 * scale,
                "top": top * scale,
                "bottom": bottom * scale,
                "text": text,
                "chars": [{"size": size}],
            }
        )
    return lines


def _words(seen: Sequence[Seen], scale: float) -> list[Word]:
    """RapidOCR's numbers with their places: where the geometry reader checks that each row's numbers
    stand one per column (the cells give the values; these give the places)."""
    out = []
    for item in seen:
        text = reading.fold(item.text)
        if reading.is_number(text):
            x0, y0, x1, y1 = _points(item.box, scale)
            out.append(Word(text, x0, x1, y0, y1))
    return out


def read_pages(images: Sequence[PageImage], *, source: str, limits: Limits) -> list[ScannedPage]:
    """Every page, within the limits."""
    if len(images) > limits.pages:
        raise ParseError(
            f"{source}: a scan of {len(images)} pages, over the {limits.pages} pages OCR reads", source=source
        )
    return [read_page(image, source=source, limits=limits) for image in images]
