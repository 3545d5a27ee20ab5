"""Which verdicts a doubt withholds: names compared generously (a doubt must rather withhold one
verdict too many than let the report it hides be called missing), years by the doubt's bounds."""

from __future__ import annotations

import pytest

from checks.doubts import Coverage, core, region
from storage.ledger import Doubt

HONGQI, HONGQI_TOWN, AUDIT, FINANCE, COUNTY = (
    "某某县红旗乡人民政府",
    "某某县红旗镇人民政府",
    "某某县审计局",
    "某某县财政局",
    "某某县人民政府",
)


def test_core_and_region() -> None:
    assert core(HONGQI) == "红旗乡" and region(HONGQI) == "某某县"
    assert core(COUNTY) == "" and region(COUNTY) == "某某县"
    assert core(HONGQI_TOWN) == "红旗镇" and core("某某省某某市某某县财政局") == "财政局"
    assert core("某某县\u200b财政局") == "财政局"  # zero-width space dropped


@pytest.mark.parametrize(
    ("named", "agency", "watched", "covers"),
    [
        (None, HONGQI, (HONGQI,), True),  # a title that names nobody could be anybody's
        ("红旗乡人民政府", HONGQI, (HONGQI,), True),  # the county left out
        ("红旗乡", HONGQI, (HONGQI,), True),
        ("某某县红旗乡", HONGQI, (HONGQI,), True),
        (HONGQI_TOWN, HONGQI, (HONGQI, HONGQI_TOWN), False),  # exactly another watched agency
        (HONGQI_TOWN, HONGQI, (HONGQI,), True),  # close, and no watched agency is it: withheld
        ("某某县红旗多人民政府", HONGQI, (HONGQI,), True),  # a typo
        (AUDIT, FINANCE, (FINANCE,), False),  # another agency, watched or not
        ("某某县", COUNTY, (COUNTY,), True),  # the county's own report
        ("某某县", HONGQI, (HONGQI,), False),  # the county's report is not the township's
        ("某某市", COUNTY, (COUNTY,), False),  # another region's government
    ],
)
def test_could_be(named: str | None, agency: str, watched: tuple[str, ...], covers: bool) -> None:
    assert Coverage(watched).could_be(named, agency) is covers


def test_an_alias_is_compared_too() -> None:
    coverage = Coverage((HONGQI,), {HONGQI: ("某某县向阳乡人民政府",)})
    assert coverage.could_be("向阳乡", HONGQI)
    assert not Coverage((HONGQI,)).could_be("向阳乡", HONGQI)


@pytest.mark.parametrize(
    ("year", "upto", "asked", "covers"),
    [(2025, None, 2025, True), (2025, None, 2024, False), (None, 2024, 2024, True), (None, 2024, 2025, False)],
)
def test_years(year: int | None, upto: int | None, asked: int, covers: bool) -> None:
    doubt = Doubt(1, "column", "http://x/", None, year, upto, "column")
    assert Coverage((HONGQI,)).covers(doubt, HONGQI, asked) is covers
