"""Deadline verdicts with literal dates: 31 January and 31 March boundaries, grace, evidence."""

from __future__ import annotations

from datetime import date

import pytest

from checks.deadlines import deadline, judge_absent, judge_found, latest_due_year
from checks.history import carry_over, in_force
from checks.levels import infer_level
from nianbao.core.config import Deadlines

LAW = Deadlines()


@pytest.mark.parametrize(
    ("level", "year", "due"),
    [
        ("government", 2024, date(2025, 3, 31)),
        ("department", 2024, date(2025, 1, 31)),
        ("township", 2023, date(2024, 1, 31)),
    ],
)
def test_deadline_by_level(level: str, year: int, due: date) -> None:
    assert deadline(level, year, LAW) == due


def test_grace_and_configured_dates() -> None:
    assert deadline("township", 2024, Deadlines(township="02-28", grace_days=3)) == date(2025, 3, 3)
    assert deadline("township", 2023, Deadlines(township="02-29")) == date(2024, 2, 29)  # a leap year


def test_latest_due_year_across_boundaries() -> None:
    assert latest_due_year("township", date(2026, 1, 31), LAW) == 2024
    assert latest_due_year("township", date(2026, 2, 1), LAW) == 2025
    assert latest_due_year("government", date(2026, 3, 31), LAW) == 2024
    assert latest_due_year("government", date(2026, 4, 1), LAW) == 2025


def test_found_on_time_and_late_by_page_date() -> None:
    due = date(2026, 3, 31)
    on_time = judge_found(
        due=due, published_at="2026-03-15", published_source="page", first_seen="2026-04-02", complete_reads=[]
    )
    assert on_time.status == "on_time"
    late = judge_found(
        due=date(2026, 1, 31),
        published_at="2026-02-01 08:00",
        published_source="page",
        first_seen="2026-02-03",
        complete_reads=[],
    )
    assert late.status == "late" and "page's publication date" in late.message


def test_late_by_first_seen_needs_a_complete_read_after_the_deadline() -> None:
    due = date(2026, 1, 31)
    proven = judge_found(
        due=due,
        published_at=None,
        published_source=None,
        first_seen="2026-03-10",
        complete_reads=["2026-01-20T06:00", "2026-02-15T06:00"],
    )
    assert proven.status == "late" and "2026-02-15" in proven.message and "first saw" in proven.message
    unknown = judge_found(
        due=due, published_at=None, published_source=None, first_seen="2026-03-10", complete_reads=["2026-01-20T06:00"]
    )
    assert unknown.status == "unknown"


def test_missing_only_after_a_complete_read() -> None:
    due = date(2026, 1, 31)
    assert judge_absent(due=due, as_of=date(2026, 1, 31), complete_reads=[], portal_state=None).status == "not_due"
    assert (
        judge_absent(
            due=due, as_of=date(2026, 2, 5), complete_reads=["2026-02-04T06:00"], portal_state="complete"
        ).status
        == "missing"
    )
    blocked = judge_absent(due=due, as_of=date(2026, 2, 5), complete_reads=["2026-01-04T06:00"], portal_state="blocked")
    assert blocked.status == "not_assessable" and "blocked" in blocked.message


def test_cross_year_rules() -> None:
    last = {
        ("applications", "carried_forward", "total"): 1.0,
        ("active_disclosure", "normative_documents", "in_force"): 470.0,
    }
    this = {
        ("applications", "carried_over", "total"): 0.0,
        ("active_disclosure", "normative_documents", "issued"): 62.0,
        ("active_disclosure", "normative_documents", "repealed"): 33.0,
        ("active_disclosure", "normative_documents", "in_force"): 440.0,
    }
    [found] = list(carry_over(this, last, 2024))
    assert found.rule == "applications.carry_over" and "2023 carried_forward 1" in found.message
    [found] = list(in_force(this, last, 2024))
    assert (
        found.rule == "active_disclosure.in_force" and "= 499, but 2024 in_force is 440" in found.message
    )  # 平潭 2024
    this[("applications", "carried_over", "total")] = 1.0
    this[("active_disclosure", "normative_documents", "in_force")] = 499.0
    assert not list(carry_over(this, last, 2024)) and not list(in_force(this, last, 2024))


def test_levels_inferred_from_names() -> None:
    assert infer_level("某某县闫家乡人民政府") == "township"
    assert infer_level("长通街道办事处") == "township"
    assert infer_level("某某县人民政府") == "government"
    assert infer_level("某某县财政局") == "department"


# The verdicts' words and evidence are what a government office reads: they are checked whole.


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("page", "the page's publication date"),
        ("list", "the date in the portal's list"),
        (None, "the publication date the source gives"),
    ],
)
def test_late_verdict_names_its_evidence_exactly(source: str | None, words: str) -> None:
    late = judge_found(
        due=date(2026, 1, 31),
        published_at="2026-02-01 08:00:00",
        published_source=source,
        first_seen="2026-02-03T09:00:00",
        complete_reads=[],
    )
    assert late.status == "late"
    assert late.message == f"published 2026-02-01 ({words}), after the deadline 2026-01-31"
    assert late.evidence == {"published_at": "2026-02-01", "source": words, "deadline": "2026-01-31"}
    on_the_day = judge_found(
        due=date(2026, 1, 31),
        published_at="2026-01-31 23:59:00",
        published_source=source,
        first_seen="2026-02-03",
        complete_reads=[],
    )
    assert on_the_day.status == "on_time"
    assert on_the_day.message == "published 2026-01-31, by the deadline 2026-01-31"
    assert on_the_day.evidence == {"published_at": "2026-01-31", "source": words, "deadline": "2026-01-31"}


def test_late_by_first_sight_words_and_boundaries() -> None:
    due = date(2026, 1, 31)
    proven = judge_found(
        due=due,
        published_at=None,
        published_source=None,
        first_seen="2026-03-10T07:00:00",
        complete_reads=["2026-01-31T06:00:00", "2026-02-15T06:00:00", "2026-03-01T06:00:00"],
    )
    assert proven.message == (
        "no publication date given; nianbao read the portal's lists completely on 2026-02-15, after the "
        "deadline 2026-01-31, without finding it, and first saw it on 2026-03-10"
    )
    assert proven.evidence == {
        "first_seen": "2026-03-10",
        "deadline": "2026-01-31",
        "source": "first seen by nianbao",
        "absent_on": "2026-02-15",
    }
    # a complete read on the deadline day, or on the day of first sight, proves nothing: the report may
    # have been published later that day
    for reads in (["2026-01-31T23:00:00"], ["2026-03-10T01:00:00"]):
        unknown = judge_found(
            due=due, published_at=None, published_source=None, first_seen="2026-03-10T07:00:00", complete_reads=reads
        )
        assert unknown.status == "unknown"
        assert unknown.message == (
            "no publication date given and no complete read between the deadline and first sight (2026-03-10)"
        )
        assert unknown.evidence == {
            "first_seen": "2026-03-10",
            "deadline": "2026-01-31",
            "source": "first seen by nianbao",
        }


def test_absent_verdicts_words_and_boundaries() -> None:
    due = date(2026, 1, 31)
    not_due = judge_absent(due=due, as_of=due, complete_reads=["2026-01-31T08:00"], portal_state="complete")
    assert (not_due.status, not_due.message, not_due.evidence) == (
        "not_due",
        "due by 2026-01-31",
        {"deadline": "2026-01-31"},
    )
    missing = judge_absent(
        due=due,
        as_of=date(2026, 3, 1),
        complete_reads=["2026-01-31T08:00", "2026-02-04T06:00", "2026-02-20T06:00"],
        portal_state="complete",
    )
    assert missing.status == "missing"
    assert missing.message == (
        "not found in a complete read of the portal's lists on 2026-02-20, after the deadline 2026-01-31"
    )
    assert missing.evidence == {"deadline": "2026-01-31", "read_completely_on": "2026-02-20"}
    # a read on the deadline day itself is not after the deadline
    only_that_day = judge_absent(
        due=due, as_of=date(2026, 2, 2), complete_reads=["2026-01-31T20:00"], portal_state="partial"
    )
    assert only_that_day.status == "not_assessable"
    assert only_that_day.message == (
        "the portal's lists were not read completely after the deadline 2026-01-31 (last pass: partial)"
    )
    assert only_that_day.evidence == {"deadline": "2026-01-31", "portal_state": "partial"}
    never = judge_absent(due=due, as_of=date(2026, 2, 2), complete_reads=[], portal_state=None)
    assert never.message.endswith("(last pass: none)") and never.evidence["portal_state"] == "never crawled"


def test_each_level_has_its_own_configured_date() -> None:
    rules = Deadlines(government="04-30", department="02-15", township="01-20")
    assert deadline("government", 2025, rules) == date(2026, 4, 30)
    assert deadline("department", 2025, rules) == date(2026, 2, 15)
    assert deadline("township", 2025, rules) == date(2026, 1, 20)
    assert deadline("anything else", 2025, rules) == date(2026, 1, 20)
    assert latest_due_year("department", date(2026, 2, 15), rules) == 2024
    assert latest_due_year("department", date(2026, 2, 16), rules) == 2025
