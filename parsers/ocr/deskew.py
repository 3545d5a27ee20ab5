"""Straighten a scanned page: a page fed askew by 0.7° moves a table's right edge by a whole row
of a table's text, and the cells are found from straight ruling lines.

The angle is the one at which the dark pixels line up in rows best (the variance of the row sums
of a reduced page is highest), searched over ±3° coarsely, then finely: tables and text both vote.
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_ANGLE = 3.0


def skew(grey: np.ndarray) -> float:
    """The page's skew in degrees (counter-clockwise positive, as cv2 rotates)."""
    small = grey
    while small.shape[1] > 1400:
        small = cv2.pyrDown(small)
    ink = (small < 128).astype(np.float32)
    if ink.sum() < 50:
        return 0.0

    def score(angle: float) -> float:
        rotated = _rotate(ink, angle, border=0)
        return float(np.var(rotated.sum(axis=1)))

    best = max(np.arange(-MAX_ANGLE, MAX_ANGLE + 0.01, 0.1), key=score)
    return float(max(np.arange(best - 0.1, best + 0.101, 0.02), key=score))


def straighten(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned upright, and the angle it was turned by."""
    angle = skew(grey)
    if abs(angle) < 0.05:
        return grey, 0.0
    return _rotate(grey, angle, border=255), angle


def _rotate(image: np.ndarray, angle: float, *, border: int) -> np.ndarray:
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )
