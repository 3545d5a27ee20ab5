"""Reports made into scans the way an office makes them: each page of a report's PDF rendered to an
image at a scanner's resolution, optionally fed askew, speckled and saved as a JPEG, and the images
bound into a PDF with no text layer (or one page kept as a PNG, as a table pasted into an article).

Used by the OCR tests and `benchmarks/ocr_bench.py`; the PDFs come from the repository's own
report builders (python-docx, then LibreOffice), so nothing big is committed."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageFilter


@dataclass(frozen=True, slots=True)
class Condition:
    """How a scan is made: its resolution and what the scanner did to it."""

    dpi: int
    skew: float = 0.0  # degrees
    speckle: float = 0.0  # share of pixels flipped to black or white
    jpeg: int | None = None  # JPEG quality, None for lossless

    @property
    def name(self) -> str:
        worse = [f"skew {self.skew:g}°"] if self.skew else []
        worse += ["speckle"] if self.speckle else []
        worse += [f"JPEG {self.jpeg}"] if self.jpeg else []
        return f"{self.dpi} dpi " + (", ".join(worse) if worse else "clean")


CLEAN = Condition(200)
DEGRADED = Condition(200, skew=0.7, speckle=0.002, jpeg=60)


def pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Each page of a PDF as a grey image at `dpi` (PDFium, as a scanner would see the print)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()


def degrade(image: Image.Image, condition: Condition, seed: int = 0) -> Image.Image:
    """The page as the scanner gave it: turned, speckled, slightly soft, JPEG-compressed."""
    out = image
    if condition.skew:
        out = out.rotate(condition.skew, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    if condition.speckle:
        rng = random.Random(seed)
        pixels = out.load()
        width, height = out.size
        for _ in range(int(width * height * condition.speckle)):
            x, y = rng.randrange(width), rng.randrange(height)
            pixels[x, y] = 0 if rng.random() < 0.5 else 255  # type: ignore[index]
        out = out.filter(ImageFilter.GaussianBlur(0.4))
    if condition.jpeg:
        buffer = io.BytesIO()
        out.save(buffer, "JPEG", quality=condition.jpeg)
        out = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return out


def scanned_pdf(pdf: bytes, condition: Condition, seed: int = 0) -> bytes:
    """The report as an image-only PDF made under `condition`."""
    images = [degrade(page, condition, seed + i) for i, page in enumerate(pages(pdf, condition.dpi))]
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=condition.dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def png_page(pdf: bytes, page: int, condition: Condition) -> bytes:
    """One page as a PNG that declares its resolution (a table pasted into an article page)."""
    image = degrade(pages(pdf, condition.dpi)[page], condition)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(condition.dpi, condition.dpi), optimize=True)
    return out.getvalue()
