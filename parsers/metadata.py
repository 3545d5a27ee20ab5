"""Who published the report, for which year, and when: read from the title, the opening
paragraph (统计期限) and the signature block (落款) at the end."""

from __future__ import annotations

import re

from nianbao.core.agencies import strip_invisible
from parsers.dates import find_published_date, iso_date

_TITLE = re.compile(
    r"([^\s，,。：:；;《》“”\"'（）()]{0,60}?)\s*(\d{4})\s*年度?\s*(?:[^\s，。]{0,12}?)政府信息公开"
    r"(?:工作)?(?:年度)?(?:工作)?报(?:告|…+|\.{2,})"  # a title cut short in a list ("…年度报...") still counts
)
_AGENCY_END = re.compile(
    r"(人民政府|政府|办公厅|办公室|委员会|管委会|管理委员会|办事处|街道|局|厅|署|院|会|中心|"
    r"乡|镇|区|县|市|旗|盟|州|省|苏木|嘎查|室|所|站|队|处|部|馆|社|台)$"
)
_CUT_BEFORE = (
    "现向社会公布",
    "向社会公布",
    "特发布",
    "现发布",
    "现公布",
    "公布",
    "发布",
    "现将",
    "编制",
    "根据",
    "关于",
    "的",
)
_YEAR_FIRST = re.compile(
    r"(\d{4})\s*年度?\s*(\S{2,30}?)(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:工作)?报(?:告|…+|\.{2,})"
)
_NOT_AGENCY = ("我", "本", "现", "该", "依法", "按时", "完成")
_PERIOD = re.compile(r"(?:统计期限|统计时限|统计时间|数据统计期|统计区间)[^0-9]{0,12}(\d{4})\s*年")
_SIGNATURE_LINES = 6
_DATE_TEXT = re.compile(r"\s|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|[〇○零一二三四五六七八九十]+[年月日]")


def find_title(lines: tuple[str, ...], given: str | None) -> tuple[str | None, str | None, int | None]:
    """(title, agency, year): the page's own title if it names a report, else a title line near the
    top (agency before or after the year, or on the line above), else a phrase such as
    "现向社会公布…2024年度政府信息公开工作报告" in the opening paragraph.  Zero-width and other
    invisible characters are dropped first: pasted into a page title, they split the agency's name
    (某某县红旗\u200b乡人民政府) and would be stored with it."""
    given = strip_invisible(given) if given else given
    lines = tuple(strip_invisible(line) for line in lines[:12])
    for candidate in ([given] if given else []) + [line for line in lines[:8] if len(line) <= 80 and "|" not in line]:
        found = _title_line(candidate.strip())
        if found:
            title, agency, year = found
            if agency is None and candidate is not given:
                index = lines.index(candidate)
                above = lines[index - 1].strip() if index else ""
                agency = above if len(above) <= 30 and _AGENCY_END.search(above) and _plausible(above) else None
            return title, agency, year
    for line in lines[:12]:
        for match in _TITLE.finditer(line):
            agency = _trim_agency(match.group(1), require_marker=match.start() > 0)
            if agency:
                return f"{agency}{match.group(0)[len(match.group(1)) :].strip()}", agency, int(match.group(2))
    return given, None, None


def text_year(lines: tuple[str, ...]) -> int | None:
    """The year of the first report-title phrase in the opening lines, even without an agency."""
    for line in lines[:12]:
        match = _TITLE.search(line)
        if match:
            return int(match.group(2))
    return None


_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]{1,12}[)）]\s*$")


def _title_line(text: str) -> tuple[str, str | None, int] | None:
    """A title as a whole line; a trailing note in brackets ("（送审稿）", "(图片版)") is allowed."""
    bare = _TRAILING_NOTE.sub("", text)
    if bare != text:
        found = _title_line(bare)
        return (text, found[1], found[2]) if found else None
    match = _YEAR_FIRST.fullmatch(text)
    if match and _AGENCY_END.search(match.group(2)) and _plausible(match.group(2)):
        return text, match.group(2), int(match.group(1))
    match = _TITLE.fullmatch(text)
    if match:
        return text, _trim_agency(match.group(1)), int(match.group(2))
    return None


def _plausible(name: str) -> bool:
    return not name.startswith(_NOT_AGENCY)


def _trim_agency(prefix: str, *, require_marker: bool = False) -> str | None:
    marked = False
    for marker in _CUT_BEFORE:
        if marker in prefix:
            prefix = prefix.rsplit(marker, 1)[1]
            marked = True
    prefix = prefix.strip()
    if require_marker and not marked:
        return None
    return prefix if len(prefix) >= 2 and _AGENCY_END.search(prefix) and _plausible(prefix) else None


def period_year(lines: tuple[str, ...]) -> int | None:
    """The year of the statistics period (本报告所列数据统计期限为2024年1月1日…)."""
    for line in lines[:15]:
        match = _PERIOD.search(line)
        if match:
            return int(match.group(1))
    return None


def signed_at(lines: tuple[str, ...]) -> str | None:
    """The date under the signature at the end (落款), when the report has one on its own line."""
    if len(lines) <= 3 * _SIGNATURE_LINES:
        return None  # too short to tell a signature from the heading block
    for line in reversed(lines[-_SIGNATURE_LINES:]):
        found = iso_date(line) if len(line) <= 20 and "|" not in line else None
        if found and len(_DATE_TEXT.sub("", line)) <= 2:  # the line is the date, not prose with a date
            return found
    return None


def published_in_text(lines: tuple[str, ...]) -> str | None:
    """A 发布时间/发布日期 line copied along with the text (e.g. 发布日期:2023/01/18)."""
    for line in lines[:6]:
        found = find_published_date(line)
        if found:
            return found
    return None
