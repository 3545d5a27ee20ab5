"""The same report as text, as Word-pasted HTML in UTF-8 and as HTML in GBK gives identical JSON."""

from __future__ import annotations

import pytest

from checks.registry import check_report
from nianbao.core.report import to_json
from nianbao.sample.wordhtml import render
from parsers import parse_bytes
from tests.conftest import comparable

TITLE = "张家川县闫家乡人民政府2024年度政府信息公开工作报告"


def _json(data: bytes, content_type: str | None = None) -> dict:
    report = parse_bytes(data, source="x", content_type=content_type)
    return comparable(to_json(report, check_report(report)))


@pytest.mark.parametrize(
    ("charset_meta", "encoding", "content_type"),
    [
        ("utf-8", "utf-8", None),
        ("gbk", "gbk", None),  # GBK declared in a <meta>
        (None, "gbk", None),  # GBK declared nowhere: detected
        (None, "gb18030", "text/html; charset=GB2312"),  # declared only in the HTTP header
        ("utf-8", "gbk", "text/html; charset=gbk"),  # the <meta> lies, the header is right
    ],
)
def test_text_and_html_identical(
    seed_text: str, charset_meta: str | None, encoding: str, content_type: str | None
) -> None:
    page = render(seed_text, title=TITLE, charset_meta=charset_meta).encode(encoding)
    assert _json(page, content_type) == _json(seed_text.encode("utf-8"))


def test_word_markup_survives(seed_text: str) -> None:
    page = render(seed_text, title=TITLE)
    assert "rowspan=22" in page and "colspan=" in page
    assert "０" in page and "<o:p></o:p>" in page  # full-width digits and Word residue are really there
    doc = _json(page.encode())
    assert doc["applications"]["new"]["commercial"] == 0


def test_pubdate_meta_and_info_line(seed_text: str) -> None:
    assert _json(render(seed_text, title=TITLE, pub_date="2025-01-20 09:22").encode())["published_at"] == "2025-01-20"
    page = render(seed_text, title=TITLE, info_date="2025-01-21 10:00:00").encode()
    assert _json(page)["published_at"] == "2025-01-21"


def test_empty_cells_are_null_not_zero(seed_text: str) -> None:
    from tests.conftest import set_row

    text = set_row(seed_text, "一、本年新收", [2, "—", "", "/", 0, 0, 2])
    # 2 new applications: balance them with a granted row and the totals
    text = set_row(text, "(一)予以公开", [2, 0, 0, 0, 0, 0, 2])
    text = set_row(text, "(七)总计", [2, 0, 0, 0, 0, 0, 2])
    doc = _json(render(text, title=TITLE).encode())
    assert doc["applications"]["new"] == {
        "natural_person": 2,
        "commercial": None,
        "research": None,
        "social_welfare": None,
        "legal_services": 0,
        "other": 0,
        "total": 2,
    }
