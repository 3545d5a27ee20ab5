"""The page images of a scan, grey, with the resolution they were scanned at.

A scanned PDF page is one image stretched over the page: its resolution is the image's pixels over
the page's inches, and the page is rendered at that resolution (never above `MAX_DPI`: a 600 dpi
scan costs four times the work for nothing a 300 dpi reading lacks).  An image file says its
resolution in its metadata, or else it is estimated from the height of its text (see `scan`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from nianbao.core.errors import ParseError

MAX_DPI = 300
MAX_PIXELS = 40_000_000  # an image larger than this is no scanned report page (A4 at 600 dpi: 35 M)


@dataclass(frozen=True, slots=True)
class PageImage:
    """One page: grey pixels (uint8, H×W), its resolution, and whether the file declared it."""

    pixels: np.ndarray
    dpi: float
    declared: bool = True
    number: int = 1


def pdf_pages(data: bytes, *, source: str, max_pages: int) -> list[PageImage]:
    """Each page of an image-only PDF rendered grey at the resolution of the image it holds."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise ParseError(f"{source}: a damaged PDF (its page images cannot be read)", source=source) from None
    try:
        if len(document) > max_pages:
            raise ParseError(
                f"{source}: a scan of {len(document)} pages, over the {max_pages} pages OCR reads", source=source
            )
        out = []
        for index in range(len(document)):
            page = document[index]
            dpi = _image_dpi(page)
            scale = min(dpi, MAX_DPI) / 72
            width, height = page.get_size()
            if width * height * scale * scale > MAX_PIXELS:
                raise ParseError(f"{source}: page {index + 1} is too large to read", source=source)
            bitmap = page.render(scale=scale, grayscale=True)
            pixels = np.array(bitmap.to_numpy(), copy=True)
            if pixels.ndim == 3:
                pixels = pixels[:, :, 0]
            out.append(PageImage(pixels, min(dpi, MAX_DPI), True, index + 1))
        return out
    finally:
        document.close()


def _image_dpi(page: object) -> float:
    """The resolution of the largest image on the page (pixels per inch of the page it covers);
    72 when the page holds none."""
    import pypdfium2.raw as raw

    best = 0.0
    for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,)):  # type: ignore[attr-defined]
        try:
            width_px, _ = obj.get_px_size()
            left, _, right, _ = obj.get_bounds()
        except Exception:  # an image PDFium cannot measure: the next one may do
            continue
        if right - left > 72:  # at least an inch wide: a page scan, not a stamp
            best = max(best, width_px / ((right - left) / 72))
    return best or 72.0


def image_page(data: bytes, *, source: str) -> PageImage:
    """An image file (PNG, JPEG, GIF, BMP, TIFF) as one grey page."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            dpi = image.info.get("dpi")
            grey = np.array(image.convert("L"), copy=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ParseError(f"{source}: an image that cannot be decoded", source=source) from None
    resolution = float(dpi[0]) if isinstance(dpi, tuple) and dpi else 0.0
    return PageImage(grey, float(round(resolution)) if resolution > 1 else 0.0, resolution > 1)
