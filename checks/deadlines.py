"""The law's deadlines (条例 Art. 49) and the verdicts that depend on them: pure functions of dates.

Government reports are due 31 March of the next year, departments' and townships' 31 January
(configurable, with a grace period).  "Late" and "missing" are decided only from evidence, and the
verdict says which evidence it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from nianbao.core.config import Deadlines


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # on_time | late | missing | not_due | not_assessable | unknown
    message: str
    evidence: dict[str, Any]


def deadline(level: str, year: int, rules: Deadlines) -> date:
    """The last day on which the report for `year` is on time (grace included)."""
    month_day = {"government": rules.government, "department": rules.department}.get(level, rules.township)
    month, day = (int(x) for x in month_day.split("-"))
    return date(year + 1, month, day) + timedelta(days=rules.grace_days)


def latest_due_year(level: str, as_of: date, rules: Deadlines) -> int:
    """The most recent report year whose deadline has passed by `as_of`."""
    year = as_of.year - 1
    return year if deadline(level, year, rules) < as_of else year - 1


def judge_found(
    *, due: date, published_at: str | None, published_source: str | None, first_seen: str, complete_reads: list[str]
) -> Verdict:
    """On time or late, for a report nianbao has; `complete_reads` are finish dates of complete list reads."""
    if published_at:
        published = date.fromisoformat(published_at[:10])
        source = {"page": "the page's publication date", "list": "the date in the portal's list"}.get(
            published_source or "", "the publication date the source gives"
        )
        evidence = {"published_at": published_at[:10], "source": source, "deadline": due.isoformat()}
        if published > due:
            return Verdict(
                "late", f"published {published_at[:10]} ({source}), after the deadline {due.isoformat()}", evidence
            )
        return Verdict("on_time", f"published {published_at[:10]}, by the deadline {due.isoformat()}", evidence)
    seen = date.fromisoformat(first_seen[:10])
    absent_after = [d for d in complete_reads if due < date.fromisoformat(d[:10]) < seen]
    evidence = {"first_seen": first_seen[:10], "deadline": due.isoformat(), "source": "first seen by nianbao"}
    if absent_after:
        evidence["absent_on"] = absent_after[0][:10]
        return Verdict(
            "late",
            f"no publication date given; nianbao read the portal's lists completely on "
            f"{absent_after[0][:10]}, after the deadline {due.isoformat()}, without finding it, "
            f"and first saw it on {first_seen[:10]}",
            evidence,
        )
    return Verdict(
        "unknown",
        f"no publication date given and no complete read between the deadline and first sight ({first_seen[:10]})",
        evidence,
    )


def judge_absent(*, due: date, as_of: date, complete_reads: list[str], portal_state: str | None) -> Verdict:
    """Missing only when the portal's lists were read completely after the deadline."""
    if as_of <= due:
        return Verdict("not_due", f"due by {due.isoformat()}", {"deadline": due.isoformat()})
    after = [d for d in complete_reads if date.fromisoformat(d[:10]) > due]
    if after:
        return Verdict(
            "missing",
            f"not found in a complete read of the portal's lists on {after[-1][:10]}, "
            f"after the deadline {due.isoformat()}",
            {"deadline": due.isoformat(), "read_completely_on": after[-1][:10]},
        )
    return Verdict(
        "not_assessable",
        f"the portal's lists were not read completely after the deadline "
        f"{due.isoformat()} (last pass: {portal_state or 'none'})",
        {"deadline": due.isoformat(), "portal_state": portal_state or "never crawled"},
    )
