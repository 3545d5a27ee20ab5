"""A progress line per portal on the terminal (stderr), quiet when stderr is not a terminal."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType


class TerminalProgress:
    """Callable progress sink: (portal, list pages, reports listed, documents stored)."""

    def __init__(self, stream=sys.stderr, interval: float = 0.2) -> None:  # type: ignore[no-untyped-def]
        self.stream, self.interval = stream, interval
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.state: dict[str, tuple[int, int, int]] = {}
        self.lock = threading.Lock()
        self.last = 0.0

    def __call__(self, portal: str, pages: int, reports: int, documents: int) -> None:
        with self.lock:
            self.state[portal] = (pages, reports, documents)
            if self.enabled and time.monotonic() - self.last > self.interval:
                self.last = time.monotonic()
                self._draw()

    def _draw(self) -> None:
        width = 30
        parts = []
        for portal, (pages, reports, documents) in self.state.items():
            done = min(width, int(width * documents / reports)) if reports else 0
            parts.append(f"{portal[:12]} [{'#' * done}{'.' * (width - done)}] {documents}/{reports} p{pages}")
        self.stream.write("\r" + "  ".join(parts[-3:])[:200] + "\x1b[K")
        self.stream.flush()

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled and self.state:
            self._draw()
            self.stream.write("\n")
