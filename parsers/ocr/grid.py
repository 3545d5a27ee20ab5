"""The tables of a page image and their cells, found from the ruling lines alone.

Reading a whole page as text turns ruling lines into `|`, `l` or CJK strokes and glues neighbouring
cells; so the cells come first.  Long straight runs of dark pixels (longer than any stroke of a
character) are the lines; the regions they enclose are the cells, merged cells included (a label
cell over eight rows is one region).  A table broken across pages often lacks its closing line on
one side: where the vertical lines run on past the last horizontal one, that line is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PixelBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True, slots=True)
class TableGrid:
    box: PixelBox
    cells: tuple[PixelBox, ...]  # top to bottom, left to right


def ink(grey: np.ndarray) -> np.ndarray:
    """Dark pixels as 255: an adaptive threshold, so a grey scan background is no ink."""
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 35, 20)


def lines(binary: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) ruling-line masks: runs longer than a quarter inch (a character of the
    reports' 10.5-point type is 0.15 inch), bridged over the gaps of a poor scan."""
    horizontal, vertical = _runs(binary, dpi)
    bridge = max(3, int(dpi * 0.02))
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, bridge)))
    return horizontal, vertical


def _runs(binary: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    run = max(15, int(dpi * 0.25))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, run)))
    return horizontal, vertical


def rulings(grey: np.ndarray, dpi: float) -> np.ndarray:
    """The ruling lines' own pixels (one pixel wider each side, for their grey edges): what is taken
    out of a cell's crop so that a digit touching a line is kept and the line is not read as a 1."""
    horizontal, vertical = _runs(ink(grey), dpi)
    return cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))


def tables(grey: np.ndarray, dpi: float) -> list[TableGrid]:
    """Every ruled table of the page, top to bottom, with its cells."""
    horizontal, vertical = lines(ink(grey), dpi)
    frame = cv2.bitwise_or(horizontal, vertical)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    out = []
    for index in range(1, count):
        x, y, w, h, _ = stats[index]
        if w < dpi * 1.5 or h < dpi * 0.2:
            continue  # a rule under a heading, a stamp's edge: no table
        box = (int(x), int(y), int(x + w), int(y + h))
        mask = (labels[y : y + h, x : x + w] == index).astype(np.uint8) * 255
        mask = _close(mask, horizontal[y : y + h, x : x + w], vertical[y : y + h, x : x + w])
        cells = _cells(mask, box, dpi)
        if len(cells) >= 2:
            out.append(TableGrid(box, tuple(cells)))
    return sorted(out, key=lambda t: t.box[1])


def _close(mask: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray) -> np.ndarray:
    """The table's frame with its outer lines drawn where a page break left them out: a horizontal
    line at the top and the bottom of the verticals, a vertical at the left and right ends of the
    horizontals."""
    frame = mask.copy()
    height, width = frame.shape
    rows = np.where((horizontal & mask).any(axis=1))[0]
    columns = np.where((vertical & mask).any(axis=0))[0]
    if rows.size and columns.size:
        column_ink = np.where((vertical & mask).any(axis=1))[0]
        left, right = int(columns.min()), int(columns.max())
        if column_ink.size and column_ink.max() > rows.max() + 3:
            frame[int(column_ink.max()) - 2 : int(column_ink.max()) + 1, left : right + 1] = 255
        if column_ink.size and column_ink.min() < rows.min() - 3:
            frame[int(column_ink.min()) : int(column_ink.min()) + 3, left : right + 1] = 255
        row_ink = np.where((horizontal & mask).any(axis=0))[0]
        top, bottom = int(rows.min()), int(rows.max())
        if row_ink.size and row_ink.min() < columns.min() - 3:
            frame[top : bottom + 1, int(row_ink.min()) : int(row_ink.min()) + 3] = 255
        if row_ink.size and row_ink.max() > columns.max() + 3:
            frame[top : bottom + 1, int(row_ink.max()) - 2 : int(row_ink.max()) + 1] = 255
    return frame


def _cells(frame: np.ndarray, box: PixelBox, dpi: float) -> list[PixelBox]:
    """The regions the frame encloses (not the outside, which touches the frame's edge)."""
    inside = cv2.bitwise_not(frame)
    count, _, stats, _ = cv2.connectedComponentsWithStats(inside, connectivity=4)
    height, width = frame.shape
    smallest = max(4, int(dpi * 0.06))
    out = []
    for index in range(1, count):
        x, y, w, h, _ = stats[index]
        if x == 0 or y == 0 or x + w >= width or y + h >= height:
            continue  # outside the frame
        if w < smallest or h < smallest:
            continue  # the gap between a doubled line
        out.append((int(box[0] + x), int(box[1] + y), int(box[0] + x + w), int(box[1] + y + h)))
    return sorted(out, key=lambda b: (b[1], b[0]))
