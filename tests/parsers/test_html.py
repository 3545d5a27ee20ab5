"""The same report as text, as Word-pasted HTML in UTF-8 and as HTML in GBK gives identical JSON."""

from __future__ import annotations

from typing import Any

import pytest

from checks.registry import check_report
from nianbao.core.report import to_json
from nianbao.sample.wordhtml import render
from parsers import extract, parse_bytes
from parsers.html import from_html
from tests.conftest import comparable

TITLE = "张家川县闫家乡人民政府2024年度政府信息公开工作报告"


def _json(data: bytes, content_type: str | None = None) -> dict[str, Any]:
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


@pytest.mark.parametrize("mark", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_in_the_page_title_are_not_stored(seed_text: str, mark: str) -> None:
    title = TITLE.replace("闫家", f"闫{mark}家")
    report = parse_bytes(render(seed_text, title=title).encode(), source="x")
    assert (report.agency, report.title, report.year) == ("张家川县闫家乡人民政府", TITLE, 2024)


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


def _lines(page: str, encoding: str = "utf-8") -> tuple[tuple[str, ...], str | None, str | None]:
    """The page read with its bytes at hand (as the crawler gives them) and as text alone: the same."""
    data = page.encode(encoding)
    with_bytes = from_html(data if encoding == "utf-8" else page, source=data)
    alone = from_html(page)
    assert with_bytes == alone
    return alone.lines, alone.title, alone.published_at


CELL = "<td><p><span>{}</span></p></td>"


def _table(*rows: tuple[str, ...]) -> str:
    return "<table>" + "".join("<tr>" + "".join(CELL.format(c) for c in row) + "</tr>" for row in rows) + "</table>"


def test_a_table_inside_a_cell_is_read_as_blocks_not_rows() -> None:
    inner = _table(("自然人", "商业企业"), ("1", "2"))
    page = f"<div id=zoom>{'某某' * 120}<table><tr><td>外</td><td>{inner}</td></tr></table></div>"
    lines, _, _ = _lines(page)
    assert "自然人 | 商业企业" in lines and "1 | 2" in lines  # the inner table, row by row
    assert not any(line.startswith("外 |") for line in lines)  # the outer one is not a table of cells


def test_layout_tables_around_the_article_and_containers_in_any_case() -> None:
    chrome = _table(("首页", "政务公开")) + "<!-- <table> in a comment -->"
    article = f"<div class=trs_editor>{'某某' * 120}{_table(('（七）总计', '21', '0'))}</div>"
    lines, _, _ = _lines(f"<html><body>{chrome}<table><tr><td>{article}</td></tr></table></body></html>", "gbk")
    assert lines[-1] == "（七）总计 | 21 | 0" and "首页 | 政务公开" not in lines


def test_meta_tags_in_the_body_are_read_and_the_head_comes_first() -> None:
    body = f"<meta name=PubDate content='2025-01-20'><div id=zoom>{'某某' * 120}</div>"
    assert _lines(f"<html><head></head><body>{body}</body></html>")[2] == "2025-01-20"
    head = "<meta name=pubdate content='2024-12-31'><meta name=ArticleTitle content='某县2024年度政府信息公开工作报告'>"
    lines, title, published = _lines(f"<html><head>{head}</head><body>{body}</body></html>")
    assert (title, published) == ("某县2024年度政府信息公开工作报告", "2025-01-20")  # PubDate is asked first


def test_an_article_inside_a_layout_table_cell_reads_as_the_text(seed_text: str) -> None:
    # older portals lay their pages out in tables: the report's tables sit in a cell of one
    page = render(seed_text, title=TITLE)
    start, end = page.index('<div id="vsb_content'), page.rindex("</form>")
    wrapped = page[:start] + "<table class=layout><tr><td>" + page[start:end] + "</td></tr></table>" + page[end:]
    assert _json(wrapped.encode("gbk")) == _json(seed_text.encode("utf-8"))
    assert _json(wrapped.encode()) == _json(seed_text.encode("utf-8"))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_a_styled_page_reads_as_the_same_page_without_styles(encoding: str) -> None:
    rows = _table(("（七）总计", "21", "0"))
    styled = (
        f"<html><head><meta charset={encoding}></head><body><div id=zoom style='font-family:\"仿宋\";'>"
        f"<p style='text-indent:2em'>{'某某' * 120}</p>{rows.replace('<td>', chr(10).join(['<td', 'style=x>']))}"
        "</div></body></html>"
    )
    plain = styled.replace(" style='font-family:\"仿宋\";'", "").replace(" style='text-indent:2em'", "")
    assert plain != styled
    assert extract(styled.encode(encoding)).lines == extract(plain.encode(encoding)).lines
    assert extract(styled.encode(encoding)).lines[-1] == "（七）总计 | 21 | 0"


def test_hz_pages_are_decoded_as_hz() -> None:
    # HZ writes Chinese in 7-bit bytes between ~{ and ~}: read as GB18030 it would be ASCII noise
    page = f"<html><head><meta charset=hz-gb-2312></head><body><div id=zoom><p>{'某某' * 120}</p><p>总计 完</p></div></body></html>"
    source = extract(page.encode("hz"))
    assert source.encoding == "hz" and source.lines[-1] == "总计 完"
    header_only = page.replace("<meta charset=hz-gb-2312>", "").encode("hz")  # declared in the HTTP header
    source = extract(header_only, content_type="text/html; charset=HZ-GB-2312")
    assert source.encoding == "hz" and source.lines[-1] == "总计 完"
