"""The report's prose: every line that is not a table row, width-folded (NFKC) once per report.

Text claims, contact details and the quality rules all read sentences, one report after another;
folding is the costly step (full-width digits make NFKC slow), so it is done once and shared.
Table rows ("a | b | c") are left out before folding: no rule over sentences reads them.
"""

from __future__ import annotations

import unicodedata

from nianbao.core.report import Report

_last: list[tuple[tuple[str, ...], tuple[str, ...], str]] = []  # (report.lines, sentences, joined)


def sentences(report: Report) -> tuple[str, ...]:
    """The non-table lines of the report, NFKC-folded and stripped, empty ones left out."""
    if _last and _last[0][0] is report.lines:
        return _last[0][1]
    folded = unicodedata.normalize("NFKC", "\n".join(x for x in report.lines if "|" not in x)).split("\n")
    lines = tuple(t for line in folded if (t := line.strip()))
    _last[:] = [(report.lines, lines, "\n".join(lines))]
    return lines


def text(report: Report) -> str:
    """`sentences` joined by line breaks (for patterns that may run over a line break)."""
    sentences(report)
    return _last[0][2]
