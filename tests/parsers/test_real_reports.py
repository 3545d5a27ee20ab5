"""Real reports (tests/fixtures/reports, copied from the shared set; see its INDEX.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.registry import check_report
from nianbao.core.errors import ParseError
from parsers import parse_bytes
from tests.conftest import REPORTS

TABLE_RULES = ("applications.", "review_litigation.", "report.sections", "report.cells")


def _path(name: str) -> Path:
    path = REPORTS / name
    assert path.exists(), f"{name} is missing from tests/fixtures/reports"
    return path


def test_pingtan_2024_cells_parse_without_table_findings() -> None:
    report = parse_bytes(_path("12_pingtan-2024-htmlcells.txt").read_bytes(), source="12")
    apps = report.applications
    assert apps is not None
    assert apps["new"] == {
        "natural_person": 217,
        "commercial": 1,
        "research": 0,
        "social_welfare": 0,
        "legal_services": 0,
        "other": 0,
        "total": 218,
    }
    assert apps["granted"]["total"] == 71 and apps["partially_granted"]["total"] == 29
    assert apps["withheld.internal_affairs"]["natural_person"] == 32
    assert apps["unavailable.not_held"]["total"] == 75
    assert apps["other.other"] == {
        "natural_person": 1,
        "commercial": 1,
        "research": 0,
        "social_welfare": 0,
        "legal_services": 0,
        "other": 0,
        "total": 2,
    }
    assert apps["total"]["total"] == 218 and apps["carried_forward"]["total"] == 0
    assert report.review_litigation == {
        "review": {"upheld": 2, "corrected": 1, "other": 3, "pending": 1, "total": 7},
        "lawsuit_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        "lawsuit_after_review": {"upheld": 13, "corrected": 2, "other": 4, "pending": 0, "total": 19},
    }
    disclosure = report.active_disclosure
    assert disclosure is not None
    assert disclosure["normative_documents"] == {"issued": 62, "repealed": 33, "in_force": 440}
    assert disclosure["licensing"]["decisions"] == 4529 and disclosure["penalties"]["decisions"] == 1100
    fees = disclosure["fees"]["amount_10k_yuan"]
    assert fees is not None and float(fees) == 18651.06
    assert report.year == 2024
    assert not [f for f in check_report(report) if f.rule.startswith(TABLE_RULES)]


EXCERPTS = [f"{n}_" for n in range(13, 27)]


@pytest.mark.parametrize("prefix", EXCERPTS)
def test_excerpts_partial_or_clear_error(prefix: str) -> None:
    matches = sorted(REPORTS.glob(prefix + "*.txt"))
    assert matches, f"no fixture {prefix}*.txt"
    path = matches[0]
    try:
        report = parse_bytes(path.read_bytes(), source=path.name)
    except ParseError as exc:
        assert path.name in str(exc) and "\n" not in str(exc)
        return
    findings = check_report(report)
    assert any(f.rule == "report.sections" for f in findings)  # an excerpt: parts are missing
    # numbers at their place: tests/parsers/test_index_findings.py::test_every_number_stands_at_its_place


def test_cut_excerpt_rows_are_null_not_zero() -> None:
    report = parse_bytes(_path("13_nilka-town-2023-excerpt.txt").read_bytes(), source="13")
    apps = report.applications
    assert apps is not None
    assert apps["new"]["total"] == 0  # present in the excerpt
    assert set(apps["carried_forward"].values()) == {None}  # cut off: unknown
    assert report.review_litigation is None


def test_tables_as_images_are_reported() -> None:
    report = parse_bytes(_path("18_wuchang-minyi-township-2021-excerpt.txt").read_bytes(), source="18")
    assert report.applications is None and report.agency == "五常市民意乡"
    found = [
        f for f in check_report(report) if f.rule == "report.sections" and "no table nianbao can read" in f.message
    ]
    assert found and all(f.kind == "unreadable" for f in found)  # tables as images: not read, nobody accused


def test_shanghai_2019_format_mapped_and_contradictions_found() -> None:
    report = parse_bytes(_path("01_shanghai-govoffice-2019.txt").read_bytes(), source="01")
    assert report.format == "2019" and report.agency == "上海市人民政府办公厅" and report.published_at == "2020-01-31"
    disclosure, apps = report.active_disclosure, report.applications
    assert disclosure is not None and apps is not None
    assert disclosure["rules"] == {"made": 13, "published": 13, "total_published": 524}
    assert disclosure["licensing"]["decisions"] == 0
    assert apps["new"]["total"] == 859 and apps["total"]["total"] == 805 and apps["carried_forward"]["total"] == 72
    assert apps["granted"]["total"] is None  # blank in the source: unknown, not 0
    assert "other" in apps and "other.other" not in apps  # the 2019 single (六)其他处理 row
    claims = [f.message for f in check_report(report) if f.rule == "text.claims"]
    assert any("予以公开及部分公开258件" in m and "275" in m for m in claims)
    assert any("无法提供265件" in m and "337" in m for m in claims)
    assert any("均获维持" in m and "pending" in m for m in claims)


@pytest.mark.parametrize(
    ("prefix", "fmt", "year"), [("05_", "legacy", 2018), ("06_", "2019", 2019), ("07_", "2019", 2020)]
)
def test_archive_texts_recognised_without_invented_numbers(prefix: str, fmt: str, year: int) -> None:
    [path] = sorted(REPORTS.glob(prefix + "*.txt"))
    from nianbao.core.report import to_json

    report = parse_bytes(path.read_bytes(), source=path.name)
    doc = to_json(report, check_report(report))
    assert (doc["format"], doc["year"], doc["agency"]) == (fmt, year, "平潭综合实验区")
    assert doc["applications"] is None and doc["review_litigation"] is None  # numbers run together: none invented
    assert doc["text"] == report.text and len(doc["text"]) > 5000  # nothing lost
