"""Compose the digest: new and resolved findings grouped by portal and agency, as plain text and
HTML.  Pure: findings in, EmailMessage out.  Everything a portal served is escaped."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from nianbao.core.findings import StoredFinding

KIND_LABELS = {
    "missing": "MISSING",
    "late": "LATE",
    "inconsistent": "INCONSISTENT",
    "changed": "CHANGED",
    "unreachable": "PORTAL UNREACHABLE",
    "unreadable": "COULD NOT BE CHECKED",
}
UNCHECKED = "Could not be checked (nianbao could not read these with certainty: nothing is said against the agency)"


def sections(new: list[StoredFinding], resolved: list[StoredFinding]) -> list[tuple[str, list[StoredFinding]]]:
    """The digest's sections: what the agencies did wrong, apart from what nianbao could not read."""
    return [
        ("New findings", [f for f in new if f.kind != "unreadable"]),
        (UNCHECKED, [f for f in new if f.kind == "unreadable"]),
        ("Resolved since the last digest", resolved),
    ]


def _groups(findings: Iterable[StoredFinding]) -> dict[str, dict[str, list[StoredFinding]]]:
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
        grouped[f.portal or "(no portal)"][f.agency or "(the portal itself)"].append(f)
    return grouped


def _line(f: StoredFinding) -> str:
    year = f" {f.year}" if f.year else ""
    rule = f" [{f.rule}]" if f.rule and f.kind == "inconsistent" else ""
    url = f"\n      {f.url}" if f.url else ""
    return f"    {KIND_LABELS.get(f.kind, f.kind.upper())}{year}{rule}: {f.message}{url}"


def subject(new: list[StoredFinding], resolved: list[StoredFinding]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for f in new:
        counts["could not be checked" if f.kind == "unreadable" else f.kind] += 1
    parts = [f"{n} {kind}" for kind, n in sorted(counts.items())]
    if resolved:
        parts.append(f"{len(resolved)} resolved")
    return "nianbao: " + ", ".join(parts)


def text_body(new: list[StoredFinding], resolved: list[StoredFinding]) -> str:
    lines = ["nianbao digest: government information-disclosure annual reports (政府信息公开工作年度报告)", ""]
    for title, findings in sections(new, resolved):
        if not findings:
            continue
        lines += [f"== {title} ({len(findings)}) ==", ""]
        for portal, agencies in _groups(findings).items():
            lines.append(f"Portal: {portal}")
            for agency, items in agencies.items():
                lines.append(f"  {agency}")
                lines += [_line(f) for f in items]
            lines.append("")
    lines.append("Dismiss or snooze a finding: nianbao findings dismiss ID --reason '…'")
    return "\n".join(lines) + "\n"


def html_body(new: list[StoredFinding], resolved: list[StoredFinding]) -> str:
    e = html.escape
    out = ["<html><body style='font-family:sans-serif'><h2>nianbao digest</h2>"]
    for title, findings in sections(new, resolved):
        if not findings:
            continue
        out.append(f"<h3>{e(title)} ({len(findings)})</h3>")
        for portal, agencies in _groups(findings).items():
            out.append(f"<h4>{e(portal)}</h4><ul>")
            for agency, items in agencies.items():
                out.append(f"<li><b>{e(agency)}</b><ul>")
                for f in items:
                    link = (
                        f" <a href='{e(f.url, quote=True)}'>report</a>"
                        if f.url and str(f.url).startswith(("http://", "https://"))
                        else ""
                    )
                    year = f" {f.year}" if f.year else ""
                    out.append(
                        f"<li><b>{e(KIND_LABELS.get(f.kind, f.kind.upper()))}{year}</b> "
                        f"{e(f.rule or '')}: {e(f.message)}{link}</li>"
                    )
                out.append("</ul></li>")
            out.append("</ul>")
    out.append("</body></html>")
    return "".join(out)


def compose(
    new: list[StoredFinding],
    resolved: list[StoredFinding],
    *,
    sender: str,
    to: list[str],
    now: datetime,
    notification_id: int,
    domain: str = "nianbao.local",
) -> EmailMessage:
    """One digest message; its Message-ID is stable per outbox entry, so a resend is recognisable."""
    msg = EmailMessage()
    msg["Subject"] = subject(new, resolved)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=f"digest-{notification_id}", domain=domain)
    msg.set_content(text_body(new, resolved))
    msg.add_alternative(html_body(new, resolved), subtype="html")
    return msg
