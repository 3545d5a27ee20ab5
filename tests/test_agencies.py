"""Which watched agency a name found in a report is: equal after normalising, with the portal's
region optional, or by an alias; never by likeness, and never one of two."""

from __future__ import annotations

import pytest

from nianbao.core.agencies import Matcher, Watched, derive_region, matcher_of, normalise, strip_invisible
from nianbao.core.config import from_dict

HONGQI = "某某县红旗乡人民政府"
WATCHED = [
    Watched("某某县人民政府", "县", level="government"),
    Watched(HONGQI, "县"),
    Watched("某某县红旗镇人民政府", "县"),  # a look-alike: 镇, not 乡
    Watched("某某县教育局", "县", aliases=("某某县教育和体育局",), level="department"),
    Watched("某某市红旗乡人民政府", "市"),  # the same township name in another region
    Watched("某某市人民政府", "市", level="government"),
]


@pytest.fixture()
def matcher() -> Matcher:
    return Matcher.of(WATCHED, [("县", None), ("市", None)])


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("某某县红旗\u200b乡人民政府", HONGQI),  # a zero-width space in the middle
        ("\ufeff某某县\u2060红旗乡\u200c人民\u200d政府\u00ad", HONGQI),  # BOM, word joiner, joiners, soft hyphen
        ("某某县\u3000红旗乡 人民政府\n", HONGQI),  # the ideographic space, a space, a line break
        ("某某县ＸＸ局（筹）", "某某县XX局(筹)"),  # full-width letters and brackets (NFKC)
        ("某某县XX局【筹】", "某某县XX局(筹)"),  # brackets NFKC leaves alone
        ("某某县１号办公室", "某某县1号办公室"),
    ],
)
def test_normalise(written: str, clean: str) -> None:
    assert normalise(written) == clean


def test_strip_invisible_keeps_what_shows() -> None:
    assert strip_invisible("红旗\u200b乡 人民政府（草稿）") == "红旗乡 人民政府（草稿）"


@pytest.mark.parametrize(
    ("written", "portal", "agency", "how"),
    [
        (HONGQI, "县", HONGQI, "same"),
        ("红旗镇人民政府", "县", "某某县红旗镇人民政府", "region"),  # the 镇, never the 乡
        ("某某县红旗\u200b乡人民政府", "县", HONGQI, "normalised"),
        ("某某县红旗乡\u3000人民政府", None, HONGQI, "normalised"),  # no portal needed when the name is whole
        ("红旗乡人民政府", "县", HONGQI, "region"),  # the county's portal: the county is optional
        ("红旗乡人民政府", "市", "某某市红旗乡人民政府", "region"),  # the city's portal: the city's township
        ("红旗\u200b乡 人民政府", "县", HONGQI, "region"),
        ("某某县教育和体育局", "县", "某某县教育局", "alias"),
        ("教育和体育局", "县", "某某县教育局", "alias"),  # an alias, its region left out too
        ("某某县人民政府", "县", "某某县人民政府", "same"),
    ],
)
def test_a_name_maps_to_one_watched_agency(
    matcher: Matcher, written: str, portal: str | None, agency: str, how: str
) -> None:
    found = matcher.match(written, portal)
    assert (found.agency, found.how) == (agency, how)


@pytest.mark.parametrize(
    ("written", "portal"),
    [
        ("某某县红旗乡政府", "县"),  # not 人民政府: no likeness
        ("某某市红旗乡人民政府x", "市"),
        ("红旗乡人民政府", None),  # without a portal, no region: two counties have a 红旗乡
        ("红旗乡人民政府", "乡"),  # a portal nianbao knows no region of
        ("某某市红旗乡人民政府", "县"),  # another region's township, found on the county's portal: still the city's
        ("某某区红旗乡人民政府", "县"),
        ("", "县"),
        (None, "县"),
    ],
)
def test_look_alikes_do_not_match(matcher: Matcher, written: str | None, portal: str | None) -> None:
    found = matcher.match(written, portal)
    if written == "某某市红旗乡人民政府":
        assert found.agency == "某某市红旗乡人民政府"  # its own name wins, wherever it is found
    else:
        assert found.agency is None and found.how == "unmatched"


def test_two_watched_agencies_that_fit_are_none() -> None:
    watched = [Watched(HONGQI, "县"), Watched("红旗乡人民政府", "市")]  # configured without its region
    matcher = Matcher.of(watched, [("县", "某某县"), ("市", None)])
    found = matcher.match("红旗乡人民政府", "县")  # 某某县's, by the region; the other, by its very name
    assert (found.agency, found.how, found.candidates) == (None, "ambiguous", (HONGQI, "红旗乡人民政府"))
    assert matcher.match(HONGQI, "县").agency == HONGQI
    assert matcher.match("红旗乡人民政府", "市").agency == "红旗乡人民政府"


def test_a_watched_name_without_its_region_matches_the_whole_name() -> None:
    matcher = Matcher.of([Watched("红旗乡人民政府", "县")], [("县", "某某县")])
    assert matcher.match(HONGQI, "县").agency == "红旗乡人民政府"
    assert matcher.match("某某市红旗乡人民政府", "县").agency is None


@pytest.mark.parametrize(
    ("names", "region"),
    [
        (["某某县人民政府"], "某某县"),
        (["某某市某某区人民政府"], "某某市某某区"),
        (["某某自治州人民政府"], "某某自治州"),
        (["某某盟行政公署"], "某某盟"),
        (["某某旗人民政府"], "某某旗"),
        (["某某县红旗乡人民政府", "某某县教育局"], "某某县"),
        (["某某县市场监督管理局", "某某县教育局"], "某某县"),
        (["某某县 红旗乡人民政府", "某某县公安局"], "某某县"),
        (["某某县红旗乡人民政府", "某某县红旗镇人民政府"], "某某县红旗"),  # 旗 ends 红旗 too: see below
        (["某某县教育局", "某某市教育局"], None),
        (["教育局"], None),
        ([], None),
    ],
)
def test_derive_region(names: list[str], region: str | None) -> None:
    assert derive_region(names) == region


def test_a_region_derived_too_long_still_puts_the_county_first() -> None:
    watched = [Watched(HONGQI, "县"), Watched("某某县红旗镇人民政府", "县")]
    matcher = Matcher.of(watched, [("县", None)])
    assert matcher.region("县") == "某某县红旗"
    assert matcher.match("红旗乡人民政府", "县").agency == HONGQI
    assert matcher.match("红旗镇人民政府", "县").agency == "某某县红旗镇人民政府"


def test_part_of_the_region_may_be_left_out() -> None:
    full = "某某省某某市某某县红旗乡人民政府"
    matcher = Matcher.of(
        [Watched(full, "县"), Watched("某某省某某市红旗乡人民政府", "市")], [("县", "某某省某某市某某县")]
    )
    for written in ("红旗乡人民政府", "某某县红旗乡人民政府", "某某市某某县红旗乡人民政府", full):
        assert matcher.match(written, "县").agency == full, written
    assert matcher.match("某某省某某市红旗乡人民政府", "县").agency == "某某省某某市红旗乡人民政府"
    for written in ("某某市红旗乡人民政府", "某某省红旗乡人民政府"):  # which 某某市, which county: none
        assert matcher.match(written, "县").agency is None, written


def test_the_portals_region_comes_from_its_government_then_its_agencies_then_the_config() -> None:
    matcher = Matcher.of(WATCHED, [("县", None), ("市", None)])
    assert (matcher.region("县"), matcher.region("市")) == ("某某县", "某某市")
    departments = Matcher.of([Watched("某某县教育局", "乡镇"), Watched("某某县公安局", "乡镇")], [("乡镇", None)])
    assert departments.region("乡镇") == "某某县"
    configured = Matcher.of(WATCHED, [("县", "某 某 县"), ("市", "")])
    assert configured.region("县") == "某某县" and configured.region("市") == "某某市"


def test_matcher_of_a_configuration() -> None:
    config = from_dict(
        {
            "portals": [{"name": "县", "url": "http://127.0.0.1/nb.htm", "region": "某某县"}],
            "agencies": [{"name": HONGQI, "portal": "县", "aliases": "红旗乡政府"}],
        }
    )
    matcher = matcher_of(config)
    assert matcher.match("红旗乡人民政府", "县").agency == HONGQI
    assert matcher.match("红旗乡政府", "县").how == "alias"
