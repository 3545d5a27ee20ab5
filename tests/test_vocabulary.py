"""The closed vocabularies: each value has a name a reader sees, rules declare only known values, and a
cell's address survives the round trip between its dotted and its tuple form."""

from __future__ import annotations

import pytest

from checks.registry import all_rules
from nianbao.core.messages import KIND_NAMES, SEVERITY_NAMES, word
from nianbao.core.report import CellKey
from nianbao.core.vocabulary import FINDING_KINDS, SCOPES, SEVERITIES, finding_kind, severity


def test_every_kind_and_severity_has_a_chinese_name() -> None:
    assert set(KIND_NAMES) == set(FINDING_KINDS)
    assert set(SEVERITY_NAMES) == set(SEVERITIES)
    for kind in FINDING_KINDS:
        assert word(KIND_NAMES, kind, "zh_CN") != kind, kind
    for name in SEVERITIES:
        assert word(SEVERITY_NAMES, name, "zh_CN") != name, name


def test_rules_declare_only_known_values() -> None:
    for registered in all_rules().values():
        assert set(registered.kinds) <= set(FINDING_KINDS), registered.id
        assert set(registered.severities) <= set(SEVERITIES), registered.id
        assert registered.scope in SCOPES, registered.id


def test_values_from_outside_are_checked() -> None:
    assert severity("error") == "error"
    assert finding_kind("late") == "late"
    with pytest.raises(ValueError, match="severity 'fatal'"):
        severity("fatal")
    with pytest.raises(ValueError, match="kind 'lat'"):
        finding_kind("lat")


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("applications.total.natural_person", ("applications", "total", "natural_person")),
        ("review_litigation.review.upheld", ("review_litigation", "review", "upheld")),
        ("active_disclosure.regulations.in_force", ("active_disclosure", "regulations", "in_force")),
    ],
)
def test_cell_key_round_trip(address: str, key: tuple[str, str, str]) -> None:
    parsed = CellKey.parse(address)
    assert parsed == key  # a cell key looks up a mapping keyed by plain tuples
    assert {key: 1}[parsed] == 1
    assert str(parsed) == address
    assert parsed.row_address == address.rsplit(".", 1)[0]
