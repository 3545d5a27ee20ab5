"""Logging set-up: human lines by default, one JSON object per line with --log-format json.

The PDF libraries talk about the documents they read ("Could not get FontBBox from font
descriptor…", "MediaBox missing from /Page…"), by logging and by `warnings`.  What a document
lacks is nianbao's to say (a parse error, a note, in one line), so their words never reach the
user's stderr as warnings: they become nianbao's debug lines (`-vv`), named after the library.
"""

from __future__ import annotations

import json
import logging
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, and any `extra={...}` fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


# Libraries whose debug output drowns nianbao's own (pdfminer logs every PDF operator at -vv).
QUIET = ("httpx", "httpcore", "pdfminer", "pdfplumber", "pypdfium2", "charset_normalizer", "apscheduler.scheduler")
# Libraries whose warnings are about the document read, not about nianbao: debug lines of nianbao's.
PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2")
_SHOW_WARNING = warnings.showwarning


class _AsDebug(logging.Handler):
    """A PDF library's record, logged again as a debug line of `nianbao.<library logger>`."""

    def emit(self, record: logging.LogRecord) -> None:
        ours = logging.getLogger(f"nianbao.{record.name}")
        if not ours.isEnabledFor(logging.DEBUG):
            return
        try:
            ours.debug("%s", record.getMessage())
        except Exception:  # a library's malformed log call: logging's own way of saying so
            self.handleError(record)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """`warnings.showwarning`: a PDF library's warning becomes a debug line, any other is shown."""
    library = next((name for name in PDF_LIBRARIES if name in Path(filename).parts), None)
    if library is None:
        _SHOW_WARNING(message, category, filename, lineno, file, line)
    else:
        logging.getLogger(f"nianbao.{library}").debug("%s: %s", category.__name__, message)


def configure(verbosity: int, fmt: str) -> None:
    """-v info, -vv debug, for nianbao's own loggers; the libraries stay at warning."""
    configure_level(logging.WARNING - 10 * min(verbosity, 2), fmt)


def configure_level(level: int, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in PDF_LIBRARIES:
        library = logging.getLogger(name)
        library.handlers[:] = [_AsDebug()]
        library.propagate = False
    warnings.showwarning = _show_warning


def current() -> tuple[int, str]:
    """(level, format) as configured here, for a child process to log the same way."""
    root = logging.getLogger()
    json_ = any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    return root.level, "json" if json_ else "text"
