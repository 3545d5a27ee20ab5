"""The law's deadlines (条例 Art. 49) and the verdicts that depend on them: pure functions of dates.

Government reports are due 31 March of the next year, departments' and townships' 31 January
(configurable, with a grace period).  "Late" and "missing" are decided only from evidence, and the
verdict says which evidence it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from nianbao.core.config import Deadlines
from nianbao.core.messages import VOCABULARY, Said, said

Status = Literal["on_time", "late", "missing", "not_due", "not_assessable", "unknown"]
"""A deadline verdict: only late, missing and not_assessable become findings."""


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    said: Said
    evidence: dict[str, Any]

    @property
    def message(self) -> str:
        return self.said.en


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
        source = {"page": "source.page", "list": "source.list"}.get(published_source or "", "source.other")
        message = said("deadline.late", published=published_at[:10], source=source, deadline=due.isoformat())
        evidence = {"published_at": published_at[:10], "source": _source_words(source), "deadline": due.isoformat()}
        if published > due:
            return Verdict("late", message, evidence)
        on_time = said("deadline.on_time", published=published_at[:10], deadline=due.isoformat())
        return Verdict("on_time", on_time, evidence)
    seen = date.fromisoformat(first_seen[:10])
    absent_after = [d for d in complete_reads if due < date.fromisoformat(d[:10]) < seen]
    evidence = {"first_seen": first_seen[:10], "deadline": due.isoformat(), "source": "first seen by nianbao"}
    if absent_after:
        evidence["absent_on"] = absent_after[0][:10]
        message = said(
            "deadline.late_unseen", absent_on=absent_after[0][:10], deadline=due.isoformat(), first_seen=first_seen[:10]
        )
        return Verdict("late", message, evidence)
    return Verdict("unknown", said("deadline.unknown", first_seen=first_seen[:10]), evidence)


def judge_absent(*, due: date, as_of: date, complete_reads: list[str], portal_state: str | None) -> Verdict:
    """Missing only when the portal's lists were read completely after the deadline."""
    if as_of <= due:
        return Verdict("not_due", said("deadline.not_due", deadline=due.isoformat()), {"deadline": due.isoformat()})
    after = [d for d in complete_reads if date.fromisoformat(d[:10]) > due]
    if after:
        return Verdict(
            "missing",
            said("deadline.missing", read_on=after[-1][:10], deadline=due.isoformat()),
            {"deadline": due.isoformat(), "read_completely_on": after[-1][:10]},
        )
    return Verdict(
        "not_assessable",
        said("deadline.not_assessable", deadline=due.isoformat(), portal_state=portal_state or "none"),
        {"deadline": due.isoformat(), "portal_state": portal_state or "never crawled"},
    )


def _source_words(key: str) -> str:
    """Where the date came from, in the English the evidence has always used."""
    return VOCABULARY[key]
