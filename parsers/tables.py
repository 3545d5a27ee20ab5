"""What the three table readers share: the cells of a part as a stream of tokens that remember
their row, the reading of a value cell, and the shape of a table reading.

Each reader (`applications`, `review`, `disclosure`) returns a `TableRead`: the table (None when
the report has no such table, with the reason), notes for what it could not map, and a
`RowReading` per row saying how the row was placed and whether every cell is certain.  A missing
number is `None` with a note, never a silent zero.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, NamedTuple, cast

from nianbao.core.messages import Said, said
from nianbao.core.report import Finding, Number, RowReading, Table
from nianbao.core.vocabulary import How, Severity
from parsers.cells import Row
from parsers.numbers import Text, parse_cell
from parsers.source import RowGeometry

SECTIONS = "report.sections"
CELLS = "report.cells"
UNREADABLE: Final = "unreadable"
MAX_LABEL = 120

Geometry = Callable[[int], RowGeometry | None]  # a row of the part -> where a PDF printed it


def no_geometry(row: int) -> RowGeometry | None:
    return None


class Token(NamedTuple):
    text: str
    row: int  # the row of the part it came from


@dataclass
class TableRead:
    table: Table | None
    notes: list[Finding] = field(default_factory=list)
    readings: list[RowReading] = field(default_factory=list)
    absent: str = ""  # why there is no table, when there is none and the part says something about it


def flatten(rows: Sequence[Row]) -> list[Token]:
    new = tuple.__new__  # a Token without the Python-level constructor (every cell of every table)
    return [new(Token, (cell, index)) for index, row in enumerate(rows) for cell in row]


@lru_cache(maxsize=8192)  # called on every cell of every table, and the same cells recur
def is_label(cell: str) -> bool:
    """The cell holds text, not a number nor a "none" mark (so an empty or blank cell is no label)."""
    return isinstance(parse_cell(cell), Text)


def short(label: str) -> str:
    return label if len(label) <= 40 else label[:40] + "…"


def unreadable(severity: Severity, message: Said, *, cells: tuple[str, ...] = (), raw: str | None = None) -> Finding:
    """A note about the reading itself (nianbao could not read or place something): never an accusation."""
    return Finding(SECTIONS, severity, message.en, cells=cells, raw=raw, kind=UNREADABLE, said=message)


def values(cells: Sequence[str], where: str, notes: list[Finding]) -> tuple[list[Number], list[Said]]:
    """Numbers of a row's cells (text where a number belongs is None, with a note), and what
    makes the row uncertain."""
    read = [parse_cell(cell) for cell in cells]
    if Text not in map(type, read):  # most rows: every cell a number or a "none" mark
        return cast(list[Number], read), []
    out: list[Number] = []
    doubts: list[Said] = []
    for index, (cell, value) in enumerate(zip(cells, read, strict=True)):
        if isinstance(value, Text):
            notes.append(
                Finding(
                    CELLS,
                    "warning",
                    (message := said("note.text_cell", cell=where, n=index + 1, text=cell)).en,
                    cells=(where,),
                    raw=cell,
                    kind=UNREADABLE,
                    said=message,
                )
            )
            doubts.append(said("why.text_cell", n=index + 1, text=short(cell)))
            value = None
        out.append(value)
    return out, doubts


def reading(
    part: str,
    key: str | None,
    label: str,
    how: How,
    cells: Sequence[str],
    *,
    doubts: Sequence[Said] = (),
    geometry: RowGeometry | None = None,
) -> RowReading:
    """One row's evidence; uncertain when anything in `doubts` or the PDF geometry says so."""
    shaky = geometry is not None and not geometry.certain
    why = (*doubts, *geometry.doubts) if geometry is not None and shaky else tuple(doubts)
    # what each cell may hold holds only while the numbers are the row's one doubt
    options = geometry.options if geometry is not None and not doubts and key is not None else ()
    return RowReading(
        part=part,
        key=key,
        label=label,
        how=how,
        certain=not why and not shaky and key is not None,
        doubts=why,
        cells=tuple(cells),
        page=geometry.page if geometry else None,
        positions=tuple((x, geometry.y) if x is not None else None for x in geometry.xs) if geometry else (),
        notes=geometry.doubts if geometry is not None and geometry.certain else (),
        options=options if why or shaky else (),
        ocr=geometry.reads if geometry is not None else (),
    )


_SPACES = re.compile(r"\s+")
# NFKC can turn these into a keyword of _GLUED: Kangxi radicals and compatibility ideographs that some
# PDF fonts give for 文, 数 …; plain CJK, ASCII, punctuation and full-width forms need no folding
# (\d reads full-width digits as they are)
_NEEDS_FOLDING = re.compile("[^\x00-\x7f\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_GLUED = re.compile(
    r"(?:申请数量|予以公开|部分公开|其他情形[)）]|国家秘密|总计|继续办理|尚未审结|结果维持|处理决定数量|现行有效件数"
    r"|规范性文件|规章|行政许可)\d{4,}"
)


def glued(rows: Sequence[Row]) -> bool:
    """The cells of a row were run together with no separator ("…申请数量110000011"): the number
    boundaries are lost, so no number of this table can be read from this text."""
    text = _SPACES.sub("", "|".join(cell for row in rows for cell in row))
    if _NEEDS_FOLDING.search(text):
        text = unicodedata.normalize("NFKC", text)
    return bool(_GLUED.search(text))


GLUED_WHY = "its numbers run together with no separator between cells (not readable from this text)"
