"""OCR: the scans a portal publishes (image-only PDFs, image attachments, tables pasted as
pictures) read offline, cell by cell, by two readers that see different inputs.

The pipeline, one module per step: `pages` (the page images and their resolution), `deskew`,
`grid` (the tables' cells from their ruling lines), `readers` (RapidOCR on the whole page,
Tesseract on each cell's grey crop), `cells` (the two readings of a cell compared), `scan` (a page
as the PDF reader's `RawPage`, so the same geometry reader places rows and columns).  Everything
it needs ships in the `nianbao[ocr]` extra and Debian's tesseract-ocr: nothing is fetched.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass

EXTRA = "nianbao[ocr]"


@dataclass(frozen=True, slots=True)
class Limits:
    """What OCR may cost one document: pages read, and seconds per page (on one core).  Passing
    none to the parsers means OCR is turned off."""

    pages: int = 30
    page_seconds: float = 60.0


def missing() -> str | None:
    """What this installation lacks to read scans (None when nothing): one line naming the extra."""
    absent = [m for m in ("cv2", "rapidocr", "onnxruntime") if importlib.util.find_spec(m) is None]
    if absent:
        return f"OCR needs the {EXTRA} extra (pip install '{EXTRA}'; missing: {', '.join(absent)})"
    if shutil.which("tesseract") is None:
        return "OCR needs Tesseract (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    return None
