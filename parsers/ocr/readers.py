"""The two readers, each given its own input so that one's mistake is not the other's.

- RapidOCR (PaddleOCR's models as ONNX, shipped inside the `rapidocr` wheel, run by onnxruntime on
  one thread) reads the whole page: it finds the text lines itself and sees every number in its
  context.  Its engine is made once per worker process, from the wheel's files only.
- Tesseract (Debian's, `OMP_THREAD_LIMIT=1`: threaded, it took six seconds a page on two cores)
  reads each cell that may hold a number from the cell's grey crop, enlarged to 300 dpi, as one
  line of digits.  All the crops of a page go to one Tesseract process (a list of images).

Two readers on the same binarised crop were seen agreeing on the same wrong number (34 → 31);
on different inputs, no wrong number was read alike in the study behind issue 22.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from parsers.ocr.grid import PixelBox

TESSERACT_SECONDS = 120  # one page's cells; the worker's own time limit stays the backstop


@dataclass(frozen=True, slots=True)
class Seen:
    """A piece of text RapidOCR found on the page: its text, its box (pixels) and its score (0–1)."""

    text: str
    box: PixelBox
    score: float

    @property
    def x(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def y(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@cache
def _engine() -> Any:
    """RapidOCR with the models of its wheel, on one thread, without the angle classifier (a scanned
    report's lines are upright once the page is straightened)."""
    import logging

    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(
        params={
            "Global.use_cls": False,
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


def page_text(grey: np.ndarray) -> list[Seen]:
    """Every text line RapidOCR finds on the page."""
    result = _engine()(grey)
    if result.boxes is None:
        return []
    out = []
    for points, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (int(min(xs)), int(min(ys)), int(max(xs) + 0.5), int(max(ys) + 0.5))
        out.append(Seen(str(text), box, float(score)))
    return out


@dataclass(frozen=True, slots=True)
class Digits:
    """What Tesseract read in one cell's crop, and its confidence (0–1; 1 for an empty cell)."""

    text: str
    confidence: float


def crop(grey: np.ndarray, box: PixelBox, dpi: float, ruling: np.ndarray) -> np.ndarray:
    """The inside of a cell, grey, with the ruling lines' pixels whitened (a digit that touches a line
    keeps its strokes), cut to its ink with a margin; an empty cell gives a small white crop."""
    height, width = grey.shape
    grow = max(2, round(dpi * 0.01))
    x0, y0 = max(0, box[0] - grow), max(0, box[1] - grow)
    x1, y1 = min(width, box[2] + grow), min(height, box[3] + grow)
    inner = grey[y0:y1, x0:x1].copy()
    inner[ruling[y0:y1, x0:x1] > 0] = 255
    dark = np.argwhere(cv2.medianBlur(inner, 3) < 160)  # specks of a poor scan are no ink to frame
    if dark.size == 0:
        return np.full((max(8, round(dpi * 0.1)), max(8, round(dpi * 0.1))), 255, np.uint8)
    pad = max(2, round(dpi * 0.02))
    (top, left), (bottom, right) = dark.min(axis=0), dark.max(axis=0)
    return np.ascontiguousarray(inner[max(0, top - pad) : bottom + pad + 1, max(0, left - pad) : right + pad + 1])


def for_tesseract(inner: np.ndarray, tall: int) -> np.ndarray:
    """The crop as Tesseract reads digits: its ink enlarged to `tall` pixels (never shrunk), in a
    white margin."""
    dark = np.argwhere(inner < 160)
    height = int(dark[:, 0].max() - dark[:, 0].min() + 1) if dark.size else tall
    scale = min(6.0, tall / height)
    if scale > 1.01:
        inner = cv2.resize(inner, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(inner, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)


# Tesseract's passes over the crops: a second, at another size and layout mode, only for the cells
# the first gave no number for (on the fixtures' 380 cells at 150 and 200 dpi: 379 right, then 380)
PASSES = ((30, "7"), (60, "13"))


def digits(crops: list[np.ndarray]) -> list[Digits]:
    """Each crop read by Tesseract as a line of digits (Tesseract alone decides which pass it keeps:
    the first that gives a number)."""
    out = [Digits("", 1.0)] * len(crops)
    todo = [i for i, image in enumerate(crops) if (image < 160).any()]  # a white crop is a blank cell
    for tall, mode in PASSES:
        if not todo:
            break
        found = _run([for_tesseract(crops[i], tall) for i in todo], mode)
        for index, read in zip(todo, found, strict=True):
            out[index] = read
        todo = [i for i in todo if not out[i].text.replace(".", "").isdigit()]
    return out


def _run(images: list[np.ndarray], mode: str) -> list[Digits]:
    """One Tesseract process over a list of images."""
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as folder:
        paths = []
        for index, image in enumerate(images):
            path = Path(folder) / f"{index:05d}.png"
            cv2.imwrite(str(path), image)
            paths.append(str(path))
        listing = Path(folder) / "cells.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        done = subprocess.run(
            [
                "tesseract",
                str(listing),
                "stdout",
                "-l",
                "eng",
                "--oem",
                "1",
                "--psm",
                mode,
                "-c",
                "tessedit_char_whitelist=0123456789.",
                "-c",
                "tessedit_create_tsv=1",
            ],
            capture_output=True,
            env=env,
            timeout=TESSERACT_SECONDS,
            check=False,
        )
    return _tsv(done.stdout.decode("utf-8", "replace"), len(images))


def _tsv(text: str, count: int) -> list[Digits]:
    """Tesseract's TSV: one line per word, with the image (page_num) it came from."""
    words: dict[int, list[tuple[str, float]]] = {}
    for line in text.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        word = parts[11].strip()
        if word:
            words.setdefault(int(parts[1]) - 1, []).append((word, max(0.0, float(parts[10])) / 100))
    out = []
    for index in range(count):
        found = words.get(index, [])
        if not found:
            out.append(Digits("", 1.0))
        else:
            out.append(Digits("".join(w for w, _ in found), min(c for _, c in found)))
    return out
