"""Every message in Chinese and English from one set of templates: each registered rule's messages
rendered in both languages with real parameters; no English left in the Chinese; the rows and
columns named exactly as the uniform format names them; the demo's digest in both languages
(golden files); a database written before messages were data shown in both languages."""

from __future__ import annotations

import email
import os
import re
import shutil
import unicodedata
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from checks.registry import all_rules, check_report
from nianbao.catalogue import problems
from nianbao.core.messages import TEMPLATES, VOCABULARY, Said, gettext_for, label, parse, said
from nianbao.core.report import APPLICANT_COLUMNS, APPLICATION_ROWS, REVIEW_GROUPS
from nianbao.sample.reports import SampleReport, balanced, report_text
from parsers import parse_bytes
from storage.db import open_db
from storage.findings import list_findings
from tests.mail import decoded

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "golden"
# parameters that carry text as the report, the portal or a parser wrote it: kept as written
AS_WRITTEN = {"quote", "placeholder", "cited", "right", "text", "label", "error", "reason", "detail", "lines"}
# words that may stay Latin in Chinese text: names, not English
NAMES = {"nianbao", "robots", "txt", "vsb", "trs", "hanweb", "jpaas", "gkmlpt", "generic", "raw", "nianbao.toml"}
ENGLISH = {
    w.lower()
    for text in [*TEMPLATES.values(), *VOCABULARY.values()]
    for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", " ", text))
} - NAMES

# where a rule says something, the templates it uses (a test below checks this covers every rule)
RULE_TEMPLATES = {
    "applications.balance": ["applications.balance", "unknown.cells", "unreadable.doubt", "admissible.none"],
    "applications.row_total": ["applications.row_total", "unknown.cells", "unreadable.doubt", "admissible.none"],
    "applications.outcome_total": [
        "applications.outcome_total",
        "unknown.cells",
        "unreadable.doubt",
        "admissible.none",
    ],
    "review_litigation.group_total": [
        "review_litigation.group_total",
        "unknown.cells",
        "unreadable.doubt",
        "admissible.none",
    ],
    "applications.carry_over": ["applications.carry_over"],
    "active_disclosure.in_force": ["active_disclosure.in_force"],
    "report.sections": ["report.legacy", "report.sections.missing", "report.sections.no_table", "note.rows_missing"],
    "report.cells": ["note.text_cell"],
    "report.year": ["report.year"],
    "report.contacts": ["report.contacts"],
    "text.claims": ["text.claims.received", "text.claims.outcome", "text.claims.review", "text.claims.upheld"],
    "quality.template_residue": ["quality.template_residue"],
    "quality.wrong_reference": ["quality.wrong_reference", "quality.superseded", "quality.period"],
    "quality.impossible": ["quality.rules", "quality.published_early"],
    "quality.copied": ["quality.copied.text", "quality.copied.numbers"],
    "deadline": ["deadline.late", "deadline.late_unseen", "deadline.missing_read", "deadline.not_assessable"],
    "report.unreadable": ["report.unreadable"],
    "portal.blocked": ["portal.state"],
    "portal.partial": ["portal.state"],
    "portal.unreachable": ["portal.state"],
    "report.changed": ["report.changed"],
}

DOUBT = said("doubt.row", row="total", why="cell 3 is text ('—'); its label is only 71% like the official one")
EXAMPLES: dict[str, Said] = {
    "applications.balance": said(
        "applications.balance", column="natural_person", new=3, old=0, left=3, total=2, fwd=0, right=2
    ),
    "applications.row_total": said(
        "applications.row_total", where=said("where.row", row="withheld.third_party"), given=4, total=5
    ),
    "applications.outcome_total": said(
        "applications.outcome_total", where=said("where.column", column="natural_person"), given=2, total=3
    ),
    "review_litigation.group_total": said(
        "review_litigation.group_total", where=said("where.group", group="lawsuit_after_review"), given=18, total=19
    ),
    "unknown.cells": said(
        "unknown.cells", where=[said("where.column", column="commercial"), said("where.row", row="new")]
    ),
    "unreadable.doubt": said(
        "unreadable.doubt",
        inner=said("applications.outcome_total", where=said("where.column", column="total"), given=20, total=21),
        why=[DOUBT, said("doubt.absent", row="other.other")],
    ),
    "admissible.none": said(
        "admissible.none",
        inner=said("review_litigation.group_total", where=said("where.group", group="review"), given=11, total=0),
        cells=[said("cell.options", cell="review_litigation.review.total", readings=[0, 8])],
    ),
    "applications.carry_over": said(
        "applications.carry_over", column="total", now=0, year=2024, last_year=2023, before=1
    ),
    "active_disclosure.in_force": said(
        "active_disclosure.in_force",
        drow="normative_documents",
        last_year=2023,
        before=20,
        issued=3,
        repealed=1,
        expected=22,
        year=2024,
        now=30,
    ),
    "report.legacy": said("report.legacy"),
    "report.sections.missing": said("report.sections.missing", count=2, parts=["problems", "other_matters"]),
    "report.sections.no_table": said("report.sections.no_table", part="applications"),
    "note.rows_missing": said("note.rows_missing", n=2, expected=25, rows=["other.unpaid_fee", "carried_forward"]),
    "note.text_cell": said("note.text_cell", cell="applications.new", n=3, text="—"),
    "report.year": said("report.year", title_year=2024, period_year=2023),
    "report.contacts": said("report.contacts", contact="contact.postal code", values=["741503", "741502"]),
    "text.claims.received": said("text.claims.received", quote="未收到政府信息公开申请", new=2),
    "text.claims.outcome": said("text.claims.outcome", quote="无法提供265件", words="无法提供", table=337),
    "text.claims.review": said("text.claims.review", quote="行政复议7件", count=9),
    "text.claims.upheld": said("text.claims.upheld", cells=[said("cell.value", cell="review.pending", value=2)]),
    "quality.template_residue": said("quality.template_residue", placeholder="(具体网址)"),
    "quality.wrong_reference": said(
        "quality.wrong_reference", cited="国办发〔2021〕30号", right="国办公开办函〔2021〕30号"
    ),
    "quality.superseded": said("quality.superseded", year=2022, cited="国办公开办函〔2016〕201号"),
    "quality.period": said("quality.period", year=2024, period_year=2023),
    "quality.rules": said(
        "quality.rules", counts=[said("count.field", field="in_force", value=6)], level="level.township"
    ),
    "quality.published_early": said("quality.published_early", about=2024, when=2024),
    "quality.copied.text": said("quality.copied.text", year=2024, percent="97%", last_year=2023),
    "quality.copied.numbers": said("quality.copied.numbers", year=2024, ncells=96, nonzero=12, last_year=2023),
    "deadline.late": said("deadline.late", published="2026-02-20", source="source.page", deadline="2026-01-31"),
    "deadline.late_unseen": said(
        "deadline.late_unseen", absent_on="2026-02-10", deadline="2026-01-31", first_seen="2026-03-02"
    ),
    "deadline.missing_read": said(
        "deadline.missing_read",
        inner=said("deadline.missing", read_on="2026-04-15", deadline="2026-01-31"),
        read=[
            said("read.pages", column_url="http://www.zjc.gov.cn/zfxxgk/zfxxgknb.htm", cms="vsb", read=3, declared=3),
            said("read.more", more=2),
        ],
    ),
    "deadline.not_assessable": said("deadline.not_assessable", deadline="2026-03-31", portal_state="blocked"),
    "report.unreadable": said("report.unreadable", error="PDF with no text layer (a scan?)"),
    "portal.state": said("portal.state", portal="某某省人民政府", state="state.blocked", date="2026-04-15"),
    "report.changed": said(
        "report.changed",
        version=2,
        seen="2026-04-16",
        before="2026-04-15",
        what=said("changed.cells", changes=[said("cell.change", cell="applications.new.natural_person", old=2, new=7)]),
    ),
}


def _chinese_without_english(message: Said) -> list[str]:
    """English words of nianbao's own left in the Chinese rendering (URLs and text as written aside)."""
    text = message.text("zh_CN")
    for name, value in message.params.items():
        if name in AS_WRITTEN:
            text = text.replace(str(value), " ")
    text = re.sub(r"https?://\S+", " ", text)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in ENGLISH]


def _nested(message: Said) -> list[Said]:
    out = [message]
    for value in message.params.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Said):
                out += _nested(item)
    return out


def test_every_registered_rule_has_its_messages_listed() -> None:
    assert set(RULE_TEMPLATES) == set(all_rules())
    assert {t for ts in RULE_TEMPLATES.values() for t in ts} <= set(TEMPLATES)


@pytest.mark.parametrize("rule_id", sorted(RULE_TEMPLATES))
def test_each_rule_speaks_both_languages(rule_id: str) -> None:
    for template in RULE_TEMPLATES[rule_id]:
        message = EXAMPLES[template]
        english, chinese = message.text("en"), message.text("zh_CN")
        assert english and chinese and "{" not in english + chinese
        assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
        assert _chinese_without_english(message) == [], chinese
        back = parse(english)  # an old English sentence reads back to a message saying the same
        assert back is not None and back.text("en") == english, english
        assert gettext_for("zh_CN")(TEMPLATES[template]) != TEMPLATES[template]  # translated, not fallen back


def _real_messages() -> list[Said]:
    """The messages the rules give on real reports (every fixture) and on planted cases."""
    out: list[Said] = []
    paths = sorted((FIXTURES / "reports").glob("*.txt")) + [FIXTURES / "seeds" / "yanjia-2024.txt"]
    for path in paths:
        report = parse_bytes(path.read_bytes(), source=path.name)
        out += [f.said for f in [*check_report(report), *report.notes] if f.said is not None]
    apps = balanced(3)
    apps["granted"] = [2, 0, 0, 0, 0, 0, 2]
    broken = report_text(SampleReport(agency="某某县龙山镇人民政府", year=2025, applications=apps))
    out += [f.said for f in check_report(parse_bytes(broken.encode())) if f.said is not None]
    return out


def test_real_findings_render_in_both_languages() -> None:
    real = _real_messages()
    assert len(real) > 40
    templates = {m.template for message in real for m in _nested(message)}
    assert {"applications.outcome_total", "quality.rules", "report.contacts", "note.glued"} <= templates
    for message in real:
        assert message.text("en") and "{" not in message.text("zh_CN")
        assert _chinese_without_english(message) == [], message.text("zh_CN")


def test_the_issue_s_example_reads_as_the_report_does() -> None:
    message = EXAMPLES["applications.outcome_total"]
    assert message.text("zh_CN") == "自然人一列：办理结果各项之和为2，但（七）总计为3"
    assert message.text("en") == "column natural_person: the outcome rows (granted … other) add up to 2 but total is 3"
    assert EXAMPLES["deadline.late"].text("zh_CN") == (
        "2026年2月20日发布（依据：页面上的发布日期），晚于《政府信息公开条例》第四十九条规定的期限2026年1月31日"
    )


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def test_rows_and_columns_are_named_exactly_as_the_uniform_format() -> None:
    spec = (FIXTURES / "spec" / "report-format.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([\w.]+)` \| ([^|]+?) \|$", spec, re.M))
    columns = dict(re.findall(r"`(\w+)` ([\u4e00-\u9fff]+)", spec.split("### Part 三")[1].split("|")[0]))
    assert set(columns) == set(APPLICANT_COLUMNS)
    for key, name in columns.items():
        assert label("column", key) == name
    assert set(APPLICATION_ROWS) <= set(rows)
    for key in APPLICATION_ROWS:
        # "三、(三)不予公开 1.属于国家秘密" names row 1 of group (三): the row's own name is the last part
        official = unicodedata.normalize("NFKC", rows[key]).split()[-1].removeprefix("三、")
        mine = _nfkc(label("row", key))
        cut = official.removesuffix("...")  # NFKC makes "…" three dots: the spec abbreviates the long labels
        assert mine == official or (cut != official and mine.startswith(cut)), (key, mine, official)
    groups = dict(re.findall(r"`(review|lawsuit_direct|lawsuit_after_review)`\s+([^·`]+?)(?= ·| —|$)", spec, re.M))
    for key in REVIEW_GROUPS:
        assert _nfkc(groups[key]).endswith(_nfkc(label("group", key)).split(":")[-1])


def _digest(folder: Path, lang: str) -> str:
    from nianbao.demo import run_demo

    run_demo(str(folder), lang=lang)
    [eml] = sorted((folder / "outbox").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes())
    subject = str(make_header(decode_header(message["Subject"])))
    [text] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    body = decoded(text).replace("\r\n", "\n")
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", f"Subject: {subject}\n\n{body}")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.slow
def test_the_demo_digest_matches_its_golden_file(lang: str, tmp_path: Path) -> None:
    """NIANBAO_UPDATE_GOLDEN=1 rewrites the golden files (then read the diff before committing)."""
    got = _digest(tmp_path / "demo", lang)
    golden = GOLDEN / f"demo-digest.{lang}.txt"
    if os.environ.get("NIANBAO_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")
    if lang == "zh_CN":
        assert (
            got.startswith("Subject: nianbao 年报监测：") and "自然人一列：办理结果各项之和为2，但（七）总计为3" in got
        )
        shown = re.sub(
            r"https?://\S+|nianbao findings dismiss \S+ --reason|（[\w.]+）", "", got
        )  # URLs, a command, rule ids (after the rule's name)
        assert not [w for w in re.findall(r"[A-Za-z]{3,}", shown) if w.lower() in ENGLISH]


def test_a_database_written_before_shows_its_findings_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "db" / "demo-before-i18n.db", path)
    db = open_db(str(path))  # migrates: m008 reads each English message back into its template
    found = list_findings(db, include_closed=True)
    assert len(found) == 6 and all(f.said is not None for f in found)
    for f in found:
        assert f.text("en") == f.message
        chinese = f.text("zh_CN")
        assert re.search(r"[\u4e00-\u9fff]", chinese) and "{" not in chinese
        assert f.said is not None and _chinese_without_english(f.said) == [], chinese
    texts = {f.kind: f.text("zh_CN") for f in found}
    assert texts["inconsistent"].endswith("一列：办理结果各项之和为2，但（七）总计为3")
    assert texts["late"].startswith("2026年2月20日发布")
    assert "网站声明1页，已读取1页" in texts["missing"]
    rows = list(db.query("SELECT template FROM report_findings"))
    assert rows and all(r["template"] for r in rows)


@pytest.mark.slow
def test_the_catalogues_are_complete_and_compiled() -> None:
    assert problems() == []
