"""What a report says, apart from how it was published: its cells and its prose as sentences.

The same report reaches nianbao as an article page, as its DOCX or PDF attachment, or under two
URLs with other chrome around it.  Each form adds its own furniture: the page its breadcrumbs, info
line (发布时间/来源/浏览次数), 打印/关闭 buttons, share bar and footer; the document its title heading
and, page after page, a running header and the page numbers.  None of that is the report, so none
of it may decide whether two documents are one report, nor make a `changed` finding.

`sentences` keeps the report's own prose, one normalised sentence per item: width folded (NFKC),
whitespace removed, table rows (the cells are compared as numbers) and the furniture above left out,
and the lines between two tables joined before splitting at 。！？； so that a PDF's line wraps do
not count (a part heading, which ends in no stop, opens the sentence after it).  `identity` is
the hash of the agency, the year, every cell and those sentences.  Both are pure, and read only what
storage keeps of a report (its normalised lines, title, agency and cells), so a stored report's
identity can be computed again from the database alone (see migration m010).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nianbao.core.report import Report, Table, body_lines

Cell = tuple[str, str, str, float | int | Decimal]  # (part, row, column, value)

# ---- the publisher's chrome around an article --------------------------------------------------
_CRUMB = re.compile(r"^(?:您|当前|现在|目前|所在)[^:：]{0,4}位置")  # 当前位置 您现在的位置 所在位置
_INFO_LABELS = (
    r"发布时间|发布日期|发文日期|成文日期|信息来源|来源|作者|浏览次数|浏览量|访问量|阅读次数|阅读量|点击数|点击量|"
    r"字号|索引号|发布机构|发布单位|责任编辑|编辑|审核|时间|日期|文号|主题分类|信息分类"
)
_INFO_START = re.compile(rf"^(?:【|\[)?(?:{_INFO_LABELS})[:：]")
_INFO_ANY = re.compile(rf"(?:{_INFO_LABELS})[:：]")
_BUTTON = (
    r"打印|打印本页|打印此页|打印文章|打印正文|关闭|关闭窗口|关闭本页|返回|返回顶部|返回首页|收藏|加入收藏|"
    r"收藏本页|保存|我要纠错|纠错|分享|大|中|小|默认|放大|缩小|字体|字号"
)
_BUTTONS = re.compile(rf"^(?:[【\[(]?(?:{_BUTTON})[】\])]?[|/、·]?)+$")
_SHARE = re.compile(r"^(?:分享到|分享至|分享:|扫一扫|微信扫一扫|用手机扫描|手机扫描|扫描二维码|手机查看|手机阅读)")
_SITE = re.compile(
    r"网站标识码|ICP备|公网安备|版权所有|主办单位|承办单位|技术支持|运维单位|网站地图|联系我们|无障碍|长者模式|适老化|"
    r"繁体|简体版|上一篇|下一篇|相关链接|相关文章|相关阅读|附件下载|相关附件|已下载|下载次数"
)
_ATTACHMENT = re.compile(r"^附件\d*[:：【\[]|\.(?:docx?|pdf|wps|xlsx?|ofd|zip|rar)[】\]]?$", re.I)
# ---- what a document repeats on every page -------------------------------------------------------
_PAGE_NUMBER = re.compile(
    r"^(?:第\d+页(?:[,，/]?共\d+页)?|共\d+页[,，/]?第\d+页|[-—–─_~·]*\d+[-—–─_~·]*|\d+/\d+|page\d+(?:of\d+)?)$", re.I
)
_RUNNING_MAX = 40  # a running header is short: a name, a title, a date
# ---- the report's title (a heading, not a sentence) ----------------------------------------------
# a title: [《] who, year, the words titles use between (nothing else), 报告/年报 [》] [(全文)]
_TITLE = re.compile(
    r"^[《<]?(?P<who>.{0,40}?)(?:\d{4}|[〇零一二三四五六七八九]{4})年度?"
    r"(?:政府信息公开|政务公开|信息公开|工作|年度|的)*(?:报告|年报)[》>]?(?:\([^)]{0,12}\))?$"
)
_TITLE_TAIL = re.compile(r"(?:报告|年报)[》>]?(?:\([^)]{0,12}\))?$")
_REGION = re.compile(r"(?:[^省市县区州盟旗]{1,8}[省市县区州盟旗])+")
_SAYING = re.compile(r"公布|发布|印发|现将|现向|关于|根据|按照")
_END = "。!?;"  # after NFKC: 。 stays, ！？； fold to !?;
_SPLIT = re.compile(r"(?<=[。!?;])")
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def fold(line: str) -> str:
    """The line with width folded (NFKC: full-width digits and punctuation, compatibility forms)
    and all whitespace removed: the same words typeset otherwise read the same."""
    return "".join(unicodedata.normalize("NFKC", line).split())


def sentences(lines: Iterable[str], *, title: str | None = None, agency: str | None = None) -> list[str]:
    """The report's own prose as normalised sentences, in order (see the module's docstring).

    `lines` may be a parser's lines or lines already folded (a stored body): folding twice gives the
    same, so the result is the same either way."""
    folded = [line for line in map(fold, lines) if line]
    name, heading = fold(agency or ""), fold(title or "")
    repeated = {line for line, n in Counter(folded).items() if n > 1 and len(line) <= _RUNNING_MAX and not _ends(line)}
    kept: list[str | None] = []  # None: a table row (a boundary between sentences)
    for line in folded:
        if "|" in line:
            kept.append(None)
        elif not (line in repeated or _chrome(line) or _PAGE_NUMBER.match(line) or _title_or_name(line, heading, name)):
            kept.append(line)
    kept = _without_title_head(kept, heading, name)
    out: list[str] = []
    buffer = ""  # running text up to the next table (a part heading joins the sentence after it:
    for item in kept:  # a PDF may wrap a long heading, so where a heading ends cannot be known)
        if item is None:
            out += _split(buffer)
            buffer = ""
        else:
            buffer += item
    return out + _split(buffer)


def _ends(line: str) -> bool:
    """The line ends a sentence somewhere (a heading or a running header does not)."""
    return any(mark in line for mark in _END)


def _split(text: str) -> list[str]:
    """Sentences of running text; fragments with no word (numbers, punctuation left over) dropped."""
    return [s for s in _SPLIT.split(text) if _WORDY.search(s)]


def _chrome(line: str) -> bool:
    """A line of the publisher's page around the article (never a sentence of the report)."""
    if "。" in line:
        return False
    if _CRUMB.match(line) or _BUTTONS.match(line) or _SHARE.match(line) or _SITE.search(line):
        return True
    if _ATTACHMENT.search(line):
        return True
    # an info line: starts with one of its labels, or holds two of them (字号:[大中小]索引号:…时间:…)
    return bool(_INFO_START.match(line) or len(_INFO_ANY.findall(line)) >= 2)


def _title_or_name(line: str, title: str, agency: str) -> bool:
    """The report's title as a heading (or running header): the title itself, or a line that names
    the agency, the year and 报告 alone; or the agency's name alone (a running header; the
    signature, which the other form of the same report may lack)."""
    if line == title or line == agency or (len(line) >= 4 and agency.endswith(line)):
        return True
    match = _TITLE.match(line)
    return match is not None and _names_agency(match["who"], agency)


def _names_agency(who: str, agency: str) -> bool:
    """`who`, before the year of a title, is the agency: nothing, its name or a part of it (马关镇),
    or its name under the regions above it (甘肃省某某县马关镇人民政府).  Never the start of a
    sentence (现向社会公布某某县马关镇人民政府 2025年度…报告 is a PDF line wrapped in the intro)."""
    if _SAYING.search(who):
        return False
    if not who or not agency:
        return True
    return who in agency or (who.endswith(agency) and _REGION.fullmatch(who[: -len(agency)]) is not None)


def _without_title_head(kept: list[str | None], title: str, agency: str) -> list[str | None]:
    """A title set over two or three lines at the top (某某县马关镇人民政府 / 2025年政府信息公开
    工作年度报告 are dropped one by one; 某某县马关镇 / 2025年度政府信息公开 / 工作报告 only together)."""
    for size in (3, 2):
        head = kept[:size]
        if len(head) == size and all(head) and _TITLE_TAIL.search(head[-1] or ""):
            if _title_or_name("".join(line for line in head if line), title, agency):
                return kept[size:]
    return kept


def _number(value: float | int | Decimal) -> str:
    """One spelling per number: 3, 3.0 and Decimal("3.00") are 3; 1.5 is 1.5."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))  # nearly every cell: a count
    number = Decimal(str(value))
    return str(number.to_integral_value()) if number == number.to_integral_value() else str(number.normalize())


def identity(agency: str | None, year: int | None, cells: Iterable[Cell], prose: Sequence[str]) -> str:
    """The identity of a report's content: its agency, year, every number of its tables (the cells
    given: an empty cell is no cell) and its normalised sentences.  Nothing about how or where it
    was published enters it."""
    numbers = sorted([part, row, column, _number(value)] for part, row, column, value in cells)
    payload = json.dumps([agency, year, numbers, list(prose)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ---- what storing a report computes from the report alone --------------------------------------


def cell_rows(report: Report) -> Iterator[dict[str, Any]]:
    """Every filled cell of the report's three tables, as a row of `report_cells`."""
    tables: dict[str, Table | None] = {
        "active_disclosure": report.active_disclosure,
        "applications": report.applications,
        "review_litigation": report.review_litigation,
    }
    for part, table in tables.items():
        for row_key, row in (table or {}).items():
            for column_key, value in row.items():
                if value is not None:
                    yield {
                        "part": part,
                        "row_key": row_key,
                        "column_key": column_key,
                        "value": float(value) if isinstance(value, Decimal) else value,
                    }


def content_identity(report: Report, body: list[str] | None = None, cells: list[dict[str, Any]] | None = None) -> str:
    """The report's content identity (`identity`) over what storage keeps of it: its cells, and its
    body as stored (`body_lines`), so that the same can be computed from the database alone
    (migration m010).  `body`, `cells`: the report's, when the caller has them."""
    values: list[Cell] = [
        (c["part"], c["row_key"], c["column_key"], c["value"]) for c in (cell_rows(report) if cells is None else cells)
    ]
    lines = body if body is not None else body_lines(report)
    return identity(report.agency, report.year, values, sentences(lines, title=report.title, agency=report.agency))


@dataclass(frozen=True, slots=True)
class StoredForm:
    """What storing a report computes from the report alone: its content identity and its body,
    compressed.  A parse worker computes it beside the parse (the workers are many, the writer that
    stores is one), for the agency, year and title it was computed with: storage computes it again
    for a report that a list entry's title completed since."""

    of: tuple[str | None, int | None, str | None]  # (agency, year, title)
    identity: str
    body_z: bytes


def stored_form(report: Report, cells: list[dict[str, Any]] | None = None) -> StoredForm:
    body = body_lines(report)
    return StoredForm(
        (report.agency, report.year, report.title),
        content_identity(report, body, cells),
        zlib.compress("\n".join(body).encode("utf-8")),
    )


def form_of(report: Report, form: StoredForm | None, cells: list[dict[str, Any]] | None = None) -> StoredForm:
    """`form` when it was computed for this report, else the report's own."""
    if form is not None and form.of == (report.agency, report.year, report.title):
        return form
    return stored_form(report, cells)
