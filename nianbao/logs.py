"""Logging set-up: human lines by default, one JSON object per line with --log-format json."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

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
QUIET = ("httpx", "httpcore", "pdfminer", "pdfplumber", "charset_normalizer", "apscheduler.scheduler")


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


def current() -> tuple[int, str]:
    """(level, format) as configured here, for a child process to log the same way."""
    root = logging.getLogger()
    json_ = any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    return root.level, "json" if json_ else "text"
