"""Quality findings (kind `quality`): what transparency evaluators (the CASS index, provincial
政务公开 assessments) mark a report down for, though its numbers may add up.

A quality finding is never counted as missing, late or inconsistent: it says the report was
made carelessly, and quotes the words that show it.  Each rule reads the report's prose only
(lines that are not table rows), so the template's own instructions inside the tables
("区分处理的，只计这一情形…") are never taken for residue.

- `quality.template_residue`: placeholders left in (（具体网址）, XX镇, ××局, ***, 【】);
- `quality.wrong_reference`: a wrong or superseded document number, or a statistics period that is
  not the report year;
- `quality.impossible`: claims that cannot be true for the level (a township or department with
  规章), or a report that says it published this year's report before the year ended;
- `quality.copied`: the report repeats last year's (prose ≥ 90 % the same once years and numbers
  are taken out, or every number of its tables equal to last year's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checks.consistency import doubts, finding
from checks.levels import infer_level
from checks.prose import sentences
from checks.registry import Cells, rule
from nianbao.core.messages import said
from nianbao.core.report import Finding, Report

RESIDUE = "quality.template_residue"
REFERENCE = "quality.wrong_reference"
IMPOSSIBLE = "quality.impossible"
COPIED = "quality.copied"

# placeholders a drafter was meant to replace: a bracketed instruction, or X/× standing for a name or number
_BRACKETED = re.compile(
    r"[（(](?:具体网址|网址|单位名称|机关名称|部门名称|填写[^）)]{0,12}|此处[^）)]{0,12}|××?|XX?|xx?)[）)]"
)
_XX = re.compile(r"(?<![A-Za-z0-9])(?:[Xx]{2,}|×{2,}|\*{3,})(?=[\u4e00-\u9fff]|年|月|日|件|条|号|[，。、；])")
_XX_AFTER = re.compile(r"(?<=[\u4e00-\u9fff])(?:[Xx]{2,}|×{2,}|\*{3,})(?![A-Za-z0-9])")
_EMPTY_BRACKETS = re.compile(r"【\s*】|〔\s*〕\s*\d*\s*号|[（(]\s*[）)]")
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)

# the format's own document is 国办公开办函〔2021〕30号; these are wrong or superseded
_WRONG_REFERENCES = (
    (re.compile(r"国办发\s*[〔\[［(（]\s*2021\s*[〕\]］)）]\s*30\s*号"), "国办公开办函〔2021〕30号"),
    (
        re.compile(r"国办公开办(?!函)[\u4e00-\u9fff]\s*[〔\[［(（]\s*2021\s*[〕\]］)）]\s*30\s*号"),
        "国办公开办函〔2021〕30号",
    ),
)
_SUPERSEDED = (
    # the 2016 interpretation of the old (2008) format's items
    (re.compile(r"国办公开办函\s*[〔\[［(（]\s*2016\s*[〕\]］)）]\s*201\s*号"), 2019),
    # the 2019 trial format, replaced for reports on 2021 onwards
    (re.compile(r"国办公开办函\s*[〔\[［(（]\s*2019\s*[〕\]］)）]\s*60\s*号"), 2021),
)

_OWN_TOWNSHIP = re.compile(r"(?:我|本)(?:镇|乡|街道|街)(?![长办])")
_OWN_DEPARTMENT = re.compile(r"(?:我|本)(?:局|委|办)(?![公])")
_PUBLISHED_OWN = re.compile(
    r"(\d{4})\s*年度?\s*(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:工作)?(?:年报|报告)"
    r"[^。；]{0,60}?于\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?[^。；]{0,40}?(?:公布|发布|公开|上网|上传|刊登)"
)


_NUMBERS_ONLY = re.compile(r"[\d.\s%\-]*")
_prose_cache: list[tuple[tuple[str, ...], tuple[str, ...], str]] = []  # the last report's: three rules read it


def prose(report: Report) -> tuple[str, ...]:
    """The report's sentences (checks.prose) without lines of numbers only, nor ones a full-width ｜
    made table-like once folded."""
    if _prose_cache and _prose_cache[0][0] is report.lines:
        return _prose_cache[0][1]
    lines = tuple(t for t in sentences(report) if "|" not in t and not _NUMBERS_ONLY.fullmatch(t))
    _prose_cache[:] = [(report.lines, lines, "\n".join(lines))]
    return lines


def _prose_text(report: Report) -> str:
    prose(report)
    return _prose_cache[0][2]


# cheap tests before the patterns: most reports have none of these
_RESIDUE_HINT = re.compile(r"具体|网址|名称|填写|此处|[Xx]{2}|××|\*{3}|【|〔\s*〕|[（(]\s*[）)]")


def _quote(line: str, start: int, end: int) -> str:
    return line[max(0, start - 12) : end + 12]


@rule(RESIDUE, kind="quality", severity="warning", also=())
def template_residue(report: Report) -> Iterator[Finding]:
    """Placeholders of the template left in the report: （具体网址）, XX/××/*** for a name or number, 【】."""
    seen: set[str] = set()
    if not _RESIDUE_HINT.search(_prose_text(report)):
        return
    for line in prose(report):
        bare = _URL.sub(" ", line)
        for pattern in (_BRACKETED, _XX, _XX_AFTER, _EMPTY_BRACKETS):
            for match in pattern.finditer(bare):
                if match.group(0) in seen:
                    continue
                seen.add(match.group(0))
                message = said(RESIDUE, placeholder=match.group(0))
                yield finding(RESIDUE, "warning", message, raw=_quote(bare, match.start(), match.end()), kind="quality")


@rule(REFERENCE, kind="quality", severity="warning", also=())
def wrong_reference(report: Report) -> Iterator[Finding]:
    """A wrong or superseded document number (国办发〔2021〕30号, 〔2016〕201号), or a period not the report year."""
    for line in prose(report) if "国办" in _prose_text(report) else ():
        for pattern, right in _WRONG_REFERENCES:
            for match in pattern.finditer(line):
                message = said(REFERENCE, cited=match.group(0), right=right)
                raw = _quote(line, match.start(), match.end())
                yield finding(REFERENCE, "warning", message, raw=raw, kind="quality")
        for pattern, since in _SUPERSEDED:
            for match in pattern.finditer(line):
                if report.year is not None and report.year >= since:
                    message = said("quality.superseded", year=report.year, cited=match.group(0))
                    raw = _quote(line, match.start(), match.end())
                    yield finding(REFERENCE, "warning", message, raw=raw, kind="quality")
    if report.year is not None and report.period_year is not None and report.period_year != report.year:
        message = said("quality.period", year=report.year, period_year=report.period_year)
        yield finding(REFERENCE, "warning", message, kind="quality")


_RULE_COLUMNS = ("issued", "repealed", "in_force")


def level_of(report: Report) -> str | None:
    """The level the report speaks as: its agency's name, else how it refers to itself (我镇, 我局)."""
    if report.agency:
        return infer_level(report.agency)
    text = "".join(prose(report))
    if _OWN_TOWNSHIP.search(text):
        return "township"
    if _OWN_DEPARTMENT.search(text):
        return "department"
    return None


@rule(IMPOSSIBLE, kind="quality", severity="warning", also=())
def impossible(report: Report) -> Iterator[Finding]:
    """Claims that cannot be true: 规章 at a township or department, this year's report out before the year ended."""
    rules = (report.active_disclosure or {}).get("rules") or {}
    level = level_of(report)
    cells = tuple(f"active_disclosure.rules.{col}" for col in _RULE_COLUMNS if rules.get(col))
    # no claim is put on an agency from a row nianbao did not read with certainty
    if level in ("township", "department") and cells and not doubts(report, cells):
        counts = [said("count.field", field=col, value=rules[col]) for col in _RULE_COLUMNS if rules.get(col)]
        message = said("quality.rules", counts=counts, level=f"level.{level}")
        yield finding(IMPOSSIBLE, "warning", message, cells=cells, kind="quality")
    text = _prose_text(report)
    if report.year is None or "于" not in text or not ("年报" in text or "报告" in text):
        return
    for line in prose(report):
        for match in _PUBLISHED_OWN.finditer(line):
            about, when = int(match.group(1)), int(match.group(2))
            if about == report.year and when <= about:
                message = said("quality.published_early", about=about, when=when)
                yield finding(IMPOSSIBLE, "warning", message, raw=match.group(0)[:120], kind="quality")


# ---- copied from last year ---------------------------------------------------------------------

_NOISE = re.compile(r"[\d〇○零一二三四五六七八九十百千万]+|[\s\W_]+")
SIMILAR = 0.90
MIN_PROSE = 200  # characters of prose, years and numbers removed: shorter texts say too little
MIN_NONZERO = 5  # numbers that must repeat, not zero, before "every number is last year's" means anything
_SHINGLE = 6


def _paragraphs(text: str) -> str:
    """The prose of a normalised report text: long lines that are not table rows (the template's
    row labels and headings are the same in every report, and would make any two look alike)."""
    return "\n".join(line for line in text.split("\n") if len(line) >= 20 and "|" not in line)


def _shingles(text: str) -> set[str]:
    bare = _NOISE.sub("", text)
    return {bare[i : i + _SHINGLE] for i in range(max(0, len(bare) - _SHINGLE + 1))}


def similarity(this: str, last: str) -> float:
    """How much of two texts is the same, years and numbers aside: Jaccard over 6-character shingles."""
    a, b = _shingles(this), _shingles(last)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@rule(COPIED, kind="quality", severity="warning", scope="history", also=())
def copied(this: Cells, last: Cells, year: int, texts: tuple[str, str] = ("", "")) -> Iterator[Finding]:
    """The report repeats last year's: prose ≥ 90 % the same (years, numbers aside), or every table number the same."""
    this_text, last_text = (_paragraphs(t) for t in texts)
    if len(_NOISE.sub("", this_text)) >= MIN_PROSE and len(_NOISE.sub("", last_text)) >= MIN_PROSE:
        ratio = similarity(this_text, last_text)
        if ratio >= SIMILAR:
            message = said("quality.copied.text", year=year, percent=f"{ratio:.0%}", last_year=year - 1)
            yield finding(COPIED, "warning", message, kind="quality")
            return
    shared = set(this) & set(last)
    nonzero = [k for k in shared if this[k]]
    if (
        len(shared) == len(this) == len(last)
        and len(nonzero) >= MIN_NONZERO
        and all(this[k] == last[k] for k in shared)
    ):
        message = said(
            "quality.copied.numbers", year=year, ncells=len(shared), nonzero=len(nonzero), last_year=year - 1
        )
        yield finding(COPIED, "warning", message, kind="quality")
