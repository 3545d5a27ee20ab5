"""Time, read in one place: `now` for timestamps and `today` for deadlines, both fixable by --as-of."""

from __future__ import annotations

from datetime import date, datetime, timezone


def now_iso(as_of: date | None = None) -> str:
    """An ISO timestamp; with --as-of, noon of that day (UTC), so runs are reproducible."""
    if as_of is not None:
        return f"{as_of.isoformat()}T12:00:00+00:00"
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def today(as_of: date | None = None) -> date:
    return as_of or datetime.now(timezone.utc).date()
