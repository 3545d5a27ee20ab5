"""One cell's two readings compared: the number is taken only when the readers agree.

Both readings are folded the same way before they are compared (full-width forms, spaces, a
dash or slash for "none", which RapidOCR may read as 一), and nothing else: an O is not a 0, and
a reading that is not a plain number never agrees with one.  A cell read alike from an image
under 200 dpi is still not certain: at 150 dpi 7-point digits were read 4 → 1 with confidence 99.
"""

from __future__ import annotations

import re
import unicodedata

from nianbao.core.report import CellReading
from parsers.ocr.grid import PixelBox

MIN_DPI = 200
_NONE = frozenset({"", "-", "--", "—", "——", "一", "/", "\\", "－", "―", "–", "无"})
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_NUMERIC = re.compile(r"^[\d.,，\-—一/\\－―–\s]*$")


def fold(text: str) -> str:
    """A reading as compared: width folded, spaces out, a stray full stop at either end dropped (a
    speck beside a digit), "none" marks as blank."""
    clean = "".join(unicodedata.normalize("NFKC", text).split()).replace(",", "").replace("，", "").strip(".")
    return "" if clean in _NONE else clean


def may_be_number(text: str) -> bool:
    """RapidOCR's reading of a cell that may hold a number (digits, a none mark, or nothing): the
    cells Tesseract is asked to read too."""
    return bool(_NUMERIC.match(unicodedata.normalize("NFKC", text)))


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def compare(
    page_reading: str,
    page_score: float,
    cell_reading: str,
    cell_confidence: float,
    *,
    page: int,
    box: PixelBox,
    dpi: float,
    crop: bytes | None,
) -> CellReading:
    """The cell as taken: the readings folded and compared; the value is the page reader's when it
    is a number or blank (RapidOCR read every number right in the study), else the cell reader's."""
    first, second = fold(page_reading), fold(cell_reading)
    agreed = first == second and (first == "" or is_number(first))
    value = first if first == "" or is_number(first) else (second if is_number(second) else first)
    confidence = min(page_score if first else 1.0, cell_confidence if second else 1.0)
    return CellReading(
        value=value,
        readings=(first, second),
        agreed=agreed,
        confidence=confidence,
        page=page,
        box=box,
        dpi=round(dpi),
        certain=agreed and round(dpi) >= MIN_DPI,  # PNG stores dots per metre: 200 dpi comes back 199.99
        crop=crop,
    )
