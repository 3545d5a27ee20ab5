"""Compose the digest: new and resolved findings grouped by portal and agency, as plain text and
HTML; and the short summary a channel (a 钉钉/企业微信/飞书 group) gets.  Pure: findings in,
EmailMessage or text out.  Everything a portal served is escaped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from nianbao.core.findings import StoredFinding
from nianbao.core.languages import language
from nianbao.core.messages import DEFAULT_LANGUAGE, N_, gettext_for, rule_label
from views.env import render
from views.status import slug
from views.tables import RowView, TableView, number

KIND_LABELS = {
    "missing": N_("MISSING"),
    "late": N_("LATE"),
    "inconsistent": N_("INCONSISTENT"),
    "changed": N_("CHANGED"),
    "unreachable": N_("PORTAL UNREACHABLE"),
    "unreadable": N_("COULD NOT BE CHECKED"),
    "quality": N_("QUALITY"),
    "not_assessable": N_("NOT ASSESSABLE"),
}
SUBJECT_KINDS = {
    "missing": N_("{n} missing"),
    "late": N_("{n} late"),
    "inconsistent": N_("{n} inconsistent"),
    "changed": N_("{n} changed"),
    "unreachable": N_("{n} unreachable"),
    "could not be checked": N_("{n} could not be checked"),
    "quality": N_("{n} quality"),
    "not_assessable": N_("{n} not assessable"),
    "resolved": N_("{n} resolved"),
}
NEW = N_("New findings")
SCANNED = N_(
    "read from a scan by OCR: each number it uses was read alike by two readers, or is bounded by their readings"
)
UNCHECKED = N_("Could not be checked (nianbao could not read these with certainty: nothing is said against the agency)")
RESOLVED = N_("Resolved since the last digest")
TITLE = N_("nianbao digest: government information-disclosure annual reports (政府信息公开工作年度报告)")
DISMISS = N_("Dismiss or snooze a finding by its number: nianbao findings dismiss NUMBER --reason '…'")


def sections(
    new: list[StoredFinding], resolved: list[StoredFinding], lang: str = DEFAULT_LANGUAGE
) -> list[tuple[str, list[StoredFinding]]]:
    """The digest's sections: what the agencies did wrong, apart from what nianbao could not read."""
    _ = gettext_for(lang)
    return [
        (_(NEW), [f for f in new if f.kind != "unreadable"]),
        (_(UNCHECKED), [f for f in new if f.kind == "unreadable"]),
        (_(RESOLVED), resolved),
    ]


def kind_label(kind: str, lang: str) -> str:
    return gettext_for(lang)(KIND_LABELS[kind]) if kind in KIND_LABELS else kind.upper()


def year_label(year: int | None, lang: str) -> str:
    if not year:
        return ""
    return language(lang).year.format(year=year)


NO_PORTAL, THE_PORTAL = N_("(no portal)"), N_("(the portal itself)")


def _groups(findings: Iterable[StoredFinding], lang: str) -> dict[str, dict[str, list[StoredFinding]]]:
    _ = gettext_for(lang)
    grouped: dict[str, dict[str, list[StoredFinding]]] = defaultdict(lambda: defaultdict(list))
    for f in sorted(
        findings,
        key=lambda f: (
            f.portal or "",
            f.agency or "",
            f.year or 0,
            f.kind or "",
            f.rule or "",
        ),
    ):
        grouped[f.portal or _(NO_PORTAL)][f.agency or _(THE_PORTAL)].append(f)
    return grouped


def _line(f: StoredFinding, lang: str) -> str:
    rule = f" [{rule_label(f.rule, lang)}]" if f.rule and f.kind in ("inconsistent", "quality") else ""
    url = f"\n      {f.url}" if f.url else ""
    colon = language(lang).colon
    number = f" #{f.id}" if f.id else ""  # what `nianbao findings dismiss` takes
    return f"    {kind_label(f.kind, lang)}{year_label(f.year, lang)}{rule}{number}{colon}{f.text(lang)}{url}"


def _cell_lines(f: StoredFinding, tables: list[TableView]) -> list[str]:
    """The cells a finding names, with their values: "      （七）总计 · 自然人 = 3"."""
    named = set(str(f.evidence.get("cells") or "").split(","))
    return [
        f"      {row.label} · {cell.column} = {number(cell.value) or '(empty)'}"
        for table in tables
        for row in table.rows
        for cell in row.cells
        if cell.address in named
    ]


def subject(new: list[StoredFinding], resolved: list[StoredFinding], lang: str = DEFAULT_LANGUAGE) -> str:
    _ = gettext_for(lang)
    counts: dict[str, int] = defaultdict(int)
    for f in new:
        counts["could not be checked" if f.kind == "unreadable" else f.kind] += 1
    if resolved:
        counts["resolved"] = len(resolved)
    parts = [
        _(SUBJECT_KINDS[kind]).format(n=n) if kind in SUBJECT_KINDS else f"{n} {kind}"
        for kind, n in sorted(counts.items(), key=lambda item: (item[0] == "resolved", item[0]))
    ]
    record = language(lang)
    return record.subject_prefix + record.subject_sep.join(parts)


def text_body(
    new: list[StoredFinding],
    resolved: list[StoredFinding],
    *,
    tables: Mapping[int, list[TableView]] | None = None,
    site_url: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    _ = gettext_for(lang)
    lines = [_(TITLE), ""]
    for title, findings in sections(new, resolved, lang):
        if not findings:
            continue
        lines += [f"== {title} ({len(findings)}) ==", ""]
        for portal, agencies in _groups(findings, lang).items():
            lines.append(_("Portal: {portal}").format(portal=portal))
            for agency, items in agencies.items():
                lines.append(f"  {agency}")
                for f in items:
                    lines.append(_line(f, lang))
                    if _scanned(f, tables):
                        lines.append("      " + _(SCANNED))
                    lines += _cell_lines(f, (tables or {}).get(f.report_id or -1, []))
                link = _agency_link(site_url, items[0].agency, None)
                if link:
                    lines.append("    " + _("page: {link}").format(link=link))
            lines.append("")
    lines.append(_(DISMISS))
    return "\n".join(lines) + "\n"


def html_body(
    new: list[StoredFinding],
    resolved: list[StoredFinding],
    *,
    tables: Mapping[int, list[TableView]] | None = None,
    site_url: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """The HTML part: the same sections, and under each finding about a report's numbers the rows of
    its table that it names, the offending cells marked.  Rendered by Jinja2 with autoescaping: every
    name, title and message came from a portal."""
    return render(
        "digest.html",
        sections=[(title, _groups(findings, lang)) for title, findings in sections(new, resolved, lang) if findings],
        kind_label=lambda kind: kind_label(kind, lang),
        rule_label=lambda rule_id: rule_label(rule_id, lang) if rule_id else "",
        year_label=lambda year: year_label(year, lang),
        said=lambda f: f.text(lang),
        _=gettext_for(lang),
        lang=language(lang).html_lang,
        tables=tables or {},
        agency_link=lambda agency, year: _agency_link(site_url, agency, year),
        named_rows=lambda f: named_rows(f, (tables or {}).get(f.report_id or -1, [])),
        scanned=lambda f: _scanned(f, tables),
        SCANNED=SCANNED,
    )


def _scanned(f: StoredFinding, tables: Mapping[int, list[TableView]] | None) -> bool:
    """The finding is about a report read from a scan (its tables say so)."""
    return any(t.extra.get("scan") for t in (tables or {}).get(f.report_id or -1, []))


def named_rows(f: StoredFinding, tables: list[TableView]) -> list[tuple[TableView, list[RowView], set[str]]]:
    """Per table, the rows the finding is about — those holding a cell it names, and those holding a
    non-zero cell its rule added up — and the cells it names."""
    named = {c for c in str(f.evidence.get("cells") or "").split(",") if c}
    used = {c for c in str(f.evidence.get("used") or "").split(",") if c}
    out = []
    for table in tables:
        rows = [
            row
            for row in table.rows
            if any(c.address in named or (c.address in used and c.value not in (None, 0)) for c in row.cells)
        ]
        if rows:
            out.append((table, rows, named))
    return out


def _agency_link(site_url: str | None, agency: str | None, year: int | None) -> str | None:
    if not site_url or not agency:
        return None
    return f"{site_url.rstrip('/')}/agency/{slug('agency', agency)}.html" + (f"#y{year}" if year else "")


def compose(
    new: list[StoredFinding],
    resolved: list[StoredFinding],
    *,
    sender: str,
    to: list[str],
    now: datetime,
    notification_id: int,
    domain: str = "nianbao.local",
    tables: Mapping[int, list[TableView]] | None = None,
    site_url: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> EmailMessage:
    """One digest message; its Message-ID is stable per outbox entry, so a resend is recognisable.
    `tables`: per report id, its tables with the findings' cells marked (shown in the HTML part);
    `site_url`: where the status site is published (each agency links to its page)."""
    msg = EmailMessage()
    msg["Subject"] = subject(new, resolved, lang)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=f"digest-{notification_id}", domain=domain)
    msg.set_content(text_body(new, resolved, tables=tables, site_url=site_url, lang=lang))
    msg.add_alternative(html_body(new, resolved, tables=tables, site_url=site_url, lang=lang), subtype="html")
    return msg


# The channel summary: a chat message read on a phone, so counts and names only; the detail stays in
# the email and on the site.  Robots cap a message (企业微信: 2,048 bytes), so few names per kind.
SUMMARY_KINDS = ("missing", "late", "inconsistent", "unreadable", "unreachable", "changed", "quality")
SUMMARY_LINE = N_("{label} {n}: {names}")
SUMMARY_MORE = N_("{names} and {more} more")  # zh: "{names}等{total}个"
SUMMARY_RESOLVED = N_("RESOLVED")
SUMMARY_LINK = N_("Details: {url}")
SUMMARY_NO_LINK = N_("Details in the digest email.")
SUMMARY_NAMES = 5


def summary(
    new: list[StoredFinding],
    resolved: list[StoredFinding],
    *,
    site_url: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> tuple[str, str]:
    """(title, body) of a channel's message: the digest's subject as title, then per kind its count
    and the agencies (or portals) it names, then the site's link."""
    _ = gettext_for(lang)
    lines = []
    for kind in SUMMARY_KINDS:
        mine = [f for f in new if f.kind == kind]
        if mine:
            lines.append(_(SUMMARY_LINE).format(label=kind_label(kind, lang), n=len(mine), names=_names(mine, lang)))
    if resolved:
        lines.append(_(SUMMARY_LINE).format(label=_(SUMMARY_RESOLVED), n=len(resolved), names=_names(resolved, lang)))
    lines.append(_(SUMMARY_LINK).format(url=site_url) if site_url else _(SUMMARY_NO_LINK))
    return subject(new, resolved, lang), "\n".join(lines)


def _names(findings: list[StoredFinding], lang: str) -> str:
    """The agencies (a portal for a finding about the portal itself), the first few of them."""
    names = sorted({f.agency or f.portal or "" for f in findings} - {""})
    shown = language(lang).list_sep.join(names[:SUMMARY_NAMES])
    if len(names) <= SUMMARY_NAMES:
        return shown
    more = len(names) - SUMMARY_NAMES
    return gettext_for(lang)(SUMMARY_MORE).format(names=shown, more=more, total=len(names))
