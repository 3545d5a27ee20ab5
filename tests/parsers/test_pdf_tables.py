"""The geometry of PDF tables, on the shapes a real WPS-made report gave: the continuation page of
table 3 comes out of the extractor as [None, '（七）总计', '', '21', '0', …] — its label one column
further right than on the first page, with an empty string in the label area.  Counting cells from
the left shifted the 总计 row by one column; placing them by x does not."""

from __future__ import annotations

from parsers.pdf_tables import Cell, TableReader, TableRow, Word
from parsers.source import SourceText

# x edges of the columns: three label columns (60-200), then 自然人 … 总计 (200-480, 40 wide)
LABEL_EDGES = [(60, 100), (100, 150), (150, 200)]
VALUE_EDGES = [(200 + 40 * i, 240 + 40 * i) for i in range(7)]
HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def _row(
    y: float, labels: list[str | None], values: list[str], *, label_edges: list[tuple[int, int]] = LABEL_EDGES
) -> TableRow:
    cells = [
        Cell((a, y, b, y + 20), text) if text is not None else Cell(None, None)
        for (a, b), text in zip(label_edges, labels, strict=True)
    ]
    cells += [Cell((a, y, b, y + 20), v) for (a, b), v in zip(VALUE_EDGES, values, strict=True)]
    return TableRow((60, y, 480, y + 20), tuple(cells))


def _words(row: TableRow) -> list[Word]:
    return [
        Word(c.text, c.box[0] + 15, c.box[0] + 25, c.box[1] + 5, c.box[1] + 15)
        for c in row.cells[3:]
        if c.box and c.text
    ]


def _header(y: float) -> TableRow:
    return TableRow(
        (60, y, 480, y + 30),
        tuple(
            [Cell((60, y, 200, y + 30), "(本列数据的勾稽关系…)"), Cell(None, None), Cell(None, None)]
            + [Cell((a, y, b, y + 30), h) for (a, b), h in zip(VALUE_EDGES, HEADER, strict=True)]
        ),
    )


def test_a_continuation_row_whose_label_moved_lands_in_its_columns() -> None:
    reader = TableReader()
    first = [
        _header(100),
        _row(130, ["一、本年新收政府信息公开申请数量", None, None], ["21", "0", "0", "0", "0", "0", "21"]),
        _row(150, [None, None, "2.其他法律行政法规禁止公开"], ["0"] * 7),
    ]
    page1 = reader.read(first, [w for r in first[1:] for w in _words(r)], 1)
    assert page1[1].cells == ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"]
    # page 2: no header; the extractor sees four label-area columns, the label in the second, '' in the third
    moved = [(60, 80), (80, 170), (170, 200)]
    total = _row(40, [None, "（七）总计", ""], ["21", "0", "0", "0", "0", "0", "21"], label_edges=moved)
    page2 = reader.read([total], _words(total), 2)
    [line] = page2
    assert line.cells == ["（七）总计", "21", "0", "0", "0", "0", "0", "21"]
    assert line.geometry is not None and line.geometry.certain and line.geometry.page == 2
    label_x, total_x = line.geometry.xs[0], line.geometry.xs[6]
    assert label_x is not None and total_x is not None and label_x < total_x


def test_extractor_and_text_layer_disagree_and_the_words_are_ambiguous() -> None:
    reader = TableReader()
    row = _row(130, ["(一)予以公开", None, None], ["3", "0", "0", "0", "0", "0", "3"])
    words = _words(row) + [Word("7", 215, 225, 135, 145)]  # a second number under 自然人 at the same height
    [_, line] = reader.read([_header(100), row], words, 1)
    assert line.geometry is not None and not line.geometry.certain
    # the reason as data; its English as the f-string wrote it before reasons were templates
    old = f"two numbers under one column ({'3'!r} and {'7'!r}: a ruling line missing?)"
    assert line.geometry.why == f"the table extractor and the text layer disagree: {old}"
    [doubt] = line.geometry.doubts
    assert doubt.template == "why.disagree" and doubt.params["trouble"].template == "why.two_numbers"


def test_a_number_the_extractor_put_in_the_wrong_cell_is_re_read_from_the_words() -> None:
    reader = TableReader()
    row = _row(130, ["(一)予以公开", None, None], ["", "3", "0", "0", "0", "0", "3"])  # extractor: shifted right
    words = [
        Word(t, x, x + 10, 135, 145)
        for t, x in zip(["3", "0", "0", "0", "0", "0", "3"], [215, 255, 295, 335, 375, 415, 455], strict=True)
    ]
    [_, line] = reader.read([_header(100), row], words, 1)
    assert line.cells[1:] == ["3", "0", "0", "0", "0", "0", "3"]
    assert line.geometry is not None and line.geometry.certain
    assert [d.template for d in line.geometry.doubts] == ["why.reread"]
    assert (
        line.geometry.why == "numbers re-read from the text layer (the table extractor gave  | 3 | 0 | 0 | 0 | 0 | 3)"
    )


def test_a_label_standing_under_a_column_of_numbers_leaves_the_row_uncertain() -> None:
    # a layout whose label cell runs into the value columns: the text layer's numbers alone would read
    # as a clean row one column off; the label's words under 自然人 say the row does not line up
    reader = TableReader()
    row = _row(130, ["四、结转下年度继续办理", None, None], ["（一）予以公", "258", "12", "", "", "1", "1"])
    words = [w for w in _words(row) if w.text != "（一）予以公"] + [Word("（一）予以公", 205, 235, 135, 145)]
    [_, line] = reader.read([_header(100), row], words, 1)
    assert line.geometry is not None and not line.geometry.certain
    assert [d.template for d in line.geometry.doubts] == ["why.text_in_column"]
    text = "（一）予以公"
    assert (
        line.geometry.why == f"text in a column of numbers ({text!r}): the row's cells do not line up with the header"
    )
    assert line.cells[1] == "（一）予以公"  # kept where it stands, for the reader to see (and to flag)


def test_a_header_alone_at_the_foot_of_a_page_gives_the_columns_to_the_next() -> None:
    reader = TableReader()
    assert [line.cells[0] for line in reader.read([_header(700)], [], 1)] == ["(本列数据的勾稽关系…)"]
    moved = [(60, 80), (80, 170), (170, 200)]
    total = _row(40, [None, "（七）总计", ""], ["21", "0", "0", "0", "0", "0", "21"], label_edges=moved)
    [line] = reader.read([total], _words(total), 2)
    assert line.cells == ["（七）总计", "21", "0", "0", "0", "0", "0", "21"]  # by x, not by counting cells
    assert line.geometry is not None and line.geometry.certain and line.geometry.page == 2


def test_a_pdf_row_of_table_3_without_its_columns_geometry_accuses_nobody(seed_text: str) -> None:
    # rows the extractor gave with no header to place them (counted from the left): a sum that does
    # not add up there may be nianbao's shift, not the agency's error
    from checks.registry import check_report
    from parsers import parse_source
    from parsers.source import from_text
    from tests.conftest import set_row

    text = set_row(seed_text, "一、本年新收", [2, 0, 0, 0, 0, 0, 1])  # the row's total is wrong as printed
    lines = from_text(text).lines
    as_text = check_report(parse_source(from_text(text)))
    assert ("applications.row_total", "error") in {(f.rule, f.severity) for f in as_text}
    report = parse_source(SourceText(lines=lines, kind="pdf"))
    new = next(r for r in report.readings if r.key == "new")
    assert not new.certain and [d.template for d in new.doubts] == ["why.unplaced"]
    assert new.why == (
        "read from the PDF's cells alone: no header placed its columns, no second reading from the text layer"
    )
    assert not [f for f in check_report(report) if f.severity == "error" and f.rule.startswith("applications.")]


def test_a_header_row_cut_by_the_page_break_still_names_its_columns() -> None:
    # the header's last row at the foot of page 1 holds 社会公益 and 法律服务; 组织 and 机构 open page 2
    reader = TableReader()
    cut = [h[:4] if len(h) > 4 else h for h in HEADER]  # 社会公益组织 -> 社会公益, 法律服务机构 -> 法律服务
    header = TableRow(
        (60, 700, 480, 730),
        tuple([Cell((60, 700, 200, 730), "(本列数据的勾稽关系…)"), Cell(None, None), Cell(None, None)])
        + tuple(Cell((a, 700, b, 730), h) for (a, b), h in zip(VALUE_EDGES, cut, strict=True)),
    )
    reader.read([header], [], 1)
    tails = ["", "", "", "组织", "机构", "", ""]
    tail = TableRow(
        (60, 30, 480, 40), tuple(Cell((a, 30, b, 40), t) for (a, b), t in zip(VALUE_EDGES, tails, strict=True))
    )
    row = _row(40, ["一、本年新收政府信息公开申请数量", None, None], ["21", "0", "0", "0", "0", "0", "21"])
    lines = reader.read([tail, row], _words(row), 2)
    assert [line.cells for line in lines] == [["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"]]
    assert lines[0].geometry is not None and lines[0].geometry.certain


def test_a_row_of_empty_cells_after_a_repeated_header_is_a_row_not_the_end_of_a_label() -> None:
    reader = TableReader()
    first = [_header(100), _row(130, [None, None, "2.其他法律行政法规禁止公开"], ["0"] * 7)]
    reader.read(first, _words(first[1]), 1)
    empty = _row(140, [None, None, "3.危及“三安全一稳定”"], [""] * 7)  # nothing printed in its cells
    lines = reader.read([_header(100), empty], [], 2)
    assert lines[-1].cells[0] == "3.危及“三安全一稳定”" and lines[-1].geometry is not None
    assert reader.emitted[-1].cells[0] == "3.危及“三安全一稳定”"  # not glued onto 2.其他法律…
