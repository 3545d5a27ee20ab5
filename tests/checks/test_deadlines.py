"""Deadline verdicts with literal dates: 31 January and 31 March boundaries, grace, evidence."""

from __future__ import annotations

from datetime import date

import pytest

from checks.deadlines import deadline, judge_absent, judge_found, latest_due_year
from checks.history import carry_over, in_force
from checks.run import infer_level
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
