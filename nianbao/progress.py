"""Progress on the terminal: one bar per portal (stderr), redrawn in place; silent when stderr is
not a terminal (logs and CI output stay clean)."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

WIDTH = 24


class TerminalProgress:
    """Callable progress sink: (portal, list pages, reports listed, documents stored)."""

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 0.2, max_lines: int = 20) -> None:
        self.stream, self.interval, self.max_lines = stream, interval, max_lines
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.state: dict[str, tuple[int, int, int]] = {}
        self.lock = threading.Lock()
        self.last = 0.0
        self.drawn = 0

    def __call__(self, portal: str, pages: int, reports: int, documents: int) -> None:
        with self.lock:
            self.state[portal] = (pages, reports, documents)
            if self.enabled and time.monotonic() - self.last > self.interval:
                self.last = time.monotonic()
                self._draw()

    def lines(self) -> list[str]:
        """One line per portal: a bar of documents fetched against reports listed."""
        out = []
        for portal, (pages, reports, documents) in list(self.state.items())[-self.max_lines :]:
            done = min(WIDTH, WIDTH * documents // reports) if reports else 0
            out.append(
                f"{portal[:16]:<16} [{'#' * done}{'.' * (WIDTH - done)}] {documents}/{reports} docs, {pages} list pages"
            )
        return out

    def _draw(self) -> None:
        lines = self.lines()
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}A")  # back to the first bar
        self.stream.write("".join(f"\r{line}\x1b[K\n" for line in lines))
        self.stream.flush()
        self.drawn = len(lines)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled and self.state:
            self._draw()
