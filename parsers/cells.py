"""Turn a run of lines into table rows of cells, whatever way the source wrote them.

Three layouts occur in real exports: one row per line with ` | ` between cells (the seed),
one cell per line with `|` lines between them, and `cell |` per line.  The last two lose the
row boundaries, so they come back as one long row and the table readers rely on labels.
"""

from __future__ import annotations

Row = list[str]


def rows_of(lines: list[str] | tuple[str, ...]) -> list[Row]:
    """Rows of stripped cells; a line without `|` is a row of one cell."""
    return rows_with_lines(lines)[0]


def rows_with_lines(lines: list[str] | tuple[str, ...]) -> tuple[list[Row], list[int]]:
    """The rows, and for each the index of the line it starts on (to find its PDF geometry)."""
    starts = list(range(len(lines)))
    if _cell_per_line(lines):
        lines, starts = _join_cells(lines)
    rows = [[cell.strip() for cell in line.split("|")] if "|" in line else [line.strip()] for line in lines]
    return rows, starts


def _cell_per_line(lines: list[str] | tuple[str, ...]) -> bool:
    piped = [line for line in lines if "|" in line]
    if not piped:
        return False
    # "cell |" or "|" on a line of its own; a row of empty cells ("label |  |  | …") is a whole row
    short = sum(1 for line in piped if line.count("|") <= 2 and sum(1 for c in line.split("|") if c.strip()) <= 1)
    return short * 2 > len(piped)


def _join_cells(lines: list[str] | tuple[str, ...]) -> tuple[list[str], list[int]]:
    joined: list[str] = []
    starts: list[int] = []
    for index, line in enumerate(lines):
        if joined and (joined[-1].rstrip().endswith("|") or line.lstrip().startswith("|")):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
            starts.append(index)
    return joined, starts
