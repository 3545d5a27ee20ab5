"""Plain-text tables for the terminal, lined up by display width: a Chinese character takes two
columns (wcwidth says how many each character takes), so `len()` would misalign every row."""

from __future__ import annotations

from collections.abc import Sequence

from wcwidth import wcswidth, wcwidth


def width(text: str) -> int:
    """Columns `text` takes in a terminal (a character wcwidth cannot measure counts as one)."""
    measured = wcswidth(text)
    if measured >= 0:
        return measured
    return sum(max(wcwidth(c), 1) for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def table(head: Sequence[str], rows: Sequence[Sequence[str]], *, last_free: bool = False) -> str:
    """`head` and `rows` lined up, two spaces between columns; `last_free`: the last column (a long
    message) is not padded and does not widen the others."""
    lines = [list(head), *[list(r) for r in rows]]
    count = len(head) - (1 if last_free else 0)
    widths = [max(width(line[i]) for line in lines) for i in range(count)]
    out = []
    for line in lines:
        cells = [pad(cell, widths[i]) if i < count else cell for i, cell in enumerate(line)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
