"""Every single-report rule: a report that breaks it and one that does not, built from the seed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from checks.registry import RULES, check_report
from parsers import parse_bytes
from tests.conftest import REPORTS, set_review_row, set_row

SPEC_RULES = {
    "applications.balance",
    "applications.row_total",
    "applications.outcome_total",
    "review_litigation.group_total",
    "text.claims",
    "report.year",
    "report.sections",
    "report.contacts",
}


def _rules(text: str) -> list[str]:
    report = parse_bytes(text.encode(), source="case")
    return [f.rule for f in check_report(report) if f.severity != "info"]


def _clean(seed: str) -> str:
    return seed.replace("邮政编码:741502", "邮政编码:741503")


def _balanced_two(seed: str) -> str:
    """Two new applications by natural persons, both granted: every rule holds."""
    text = set_row(_clean(seed), "一、本年新收", [2, 0, 0, 0, 0, 0, 2])
    text = set_row(text, "(一)予以公开", [2, 0, 0, 0, 0, 0, 2])
    text = set_row(text, "(七)总计", [2, 0, 0, 0, 0, 0, 2])
    return text.replace("我乡未收到公民或者法人依申请公开申请", "我乡收到政府信息公开申请2件")


CASES: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    # rule: (breaks it, keeps it)
    "applications.balance": (
        lambda s: set_row(_balanced_two(s), "四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
        _balanced_two,
    ),
    "applications.row_total": (
        lambda s: set_row(_balanced_two(s), "(一)予以公开", [2, 0, 0, 0, 0, 0, 3]),
        _balanced_two,
    ),
    "applications.outcome_total": (
        lambda s: set_row(_balanced_two(s), "(二)部分公开", [1, 0, 0, 0, 0, 0, 1]),
        _balanced_two,
    ),
    "review_litigation.group_total": (
        lambda s: set_review_row(_clean(s), [1, 0, 0, 0, 2] + [0] * 10),
        lambda s: set_review_row(_clean(s), [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3]),
    ),
    "text.claims": (
        lambda s: _balanced_two(s).replace("我乡收到政府信息公开申请2件", "我乡未收到公民或者法人依申请公开申请"),
        _balanced_two,
    ),
    "report.year": (
        lambda s: _clean(s).replace(
            "统计期限为2024年1月1日起至2024年12月31日止", "统计期限为2023年1月1日起至2023年12月31日止"
        ),
        _clean,
    ),
    "report.sections": (
        lambda s: "\n".join(line for line in _clean(s).splitlines() if not line.startswith("五、存在的主要问题")),
        _clean,
    ),
    "report.contacts": (lambda s: s, _clean),
}


def test_every_spec_rule_is_registered_and_documented() -> None:
    from checks import consistency, structure, text_claims  # noqa: F401  (importing registers the rules)

    assert SPEC_RULES <= set(RULES)
    assert all(r.doc for r in RULES.values())
    assert set(CASES) == SPEC_RULES


@pytest.mark.parametrize("rule_id", sorted(SPEC_RULES))
def test_rule_breaks_and_holds(seed_text: str, rule_id: str) -> None:
    breaks, holds = CASES[rule_id]
    assert rule_id in _rules(breaks(seed_text))
    assert rule_id not in _rules(holds(seed_text))


def test_clean_variant_has_no_findings(seed_text: str) -> None:
    assert _rules(_balanced_two(seed_text)) == []


def test_itemised_text_claim(seed_text: str) -> None:
    text = _clean(seed_text).replace("各类政府信息38条", "各类政府信息39条")
    report = parse_bytes(text.encode(), source="case")
    messages = [f.message for f in check_report(report) if f.rule == "text.claims"]
    assert messages and "39" in messages[0] and "38" in messages[0]


def test_messages_name_cells_and_values(seed_text: str) -> None:
    text = set_row(_balanced_two(seed_text), "(一)予以公开", [2, 0, 0, 0, 0, 0, 3])
    report = parse_bytes(text.encode(), source="case")
    found = [f for f in check_report(report) if f.rule == "applications.row_total"]
    assert found[0].cells == ("applications.granted.total",)
    assert re.search(r"add up to 2 but total is 3", found[0].message)


def test_null_cells_are_unknown_not_zero(seed_text: str) -> None:
    text = set_row(_balanced_two(seed_text), "(一)予以公开", [2, 0, 0, 0, 0, 0, ""])
    report = parse_bytes(text.encode(), source="case")
    assert report.applications is not None and report.applications["granted"]["total"] is None
    findings = check_report(report)
    info = [f for f in findings if f.severity == "info"]
    assert info and "granted" not in " ".join(f.message for f in findings if f.severity == "error")


def test_shanghai_2019_blank_totals_are_not_errors() -> None:
    path = REPORTS / "01_shanghai-govoffice-2019.txt"
    report = parse_bytes(path.read_bytes(), source=path.name)
    findings = check_report(report)
    assert not [f for f in findings if f.rule.startswith("applications.") and f.severity == "error"]
    assert report.applications is not None
    assert report.applications["total"]["natural_person"] == 767
    assert report.applications["other"]["total"] is None  # the 2019 single (六)其他处理 row, blank


def test_a_text_count_explained_by_the_table_is_a_warning_not_an_error(seed_text: str) -> None:
    """平潭 2022: "收到政府信息公开申请75件" while 本年新收 is 74 and 上年结转 1."""
    text = set_row(_clean(seed_text), "一、本年新收", [74, 0, 0, 0, 0, 0, 74])
    text = set_row(text, "二、上年结转", [1, 0, 0, 0, 0, 0, 1])
    text = set_row(text, "(一)予以公开", [75, 0, 0, 0, 0, 0, 75])
    text = set_row(text, "(七)总计", [75, 0, 0, 0, 0, 0, 75])
    explained = text.replace("我乡未收到公民或者法人依申请公开申请", "我乡收到政府信息公开申请75件")
    [claim] = [f for f in check_report(parse_bytes(explained.encode())) if f.rule == "text.claims"]
    assert claim.severity == "warning" and "74 new + 1 carried over = 75" in claim.message
    unexplained = text.replace("我乡未收到公民或者法人依申请公开申请", "我乡收到政府信息公开申请77件")
    [claim] = [f for f in check_report(parse_bytes(unexplained.encode())) if f.rule == "text.claims"]
    assert claim.severity == "error" and "carried over" not in claim.message
