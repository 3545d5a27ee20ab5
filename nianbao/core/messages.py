"""Messages as data: every sentence nianbao says about a report is a template id and its parameters,
rendered in the reader's language from one set of gettext catalogues (`nianbao/locale`).

A finding stores `Said(template, params)`, not a finished sentence, so a stored finding can be shown
again in another language.  The English template is the msgid (gettext's convention): the English
rendering is the msgid filled in, and is also kept as the finding's `message` (the database and the
JSON output keep stable English).  Parameters are the facts: numbers as the report wrote them, the
keys of rows and columns (rendered as the uniform format names them: 自然人, （七）总计), dates (as
2026年1月31日 in Chinese), and nested messages.

`parse(message)` reads an English sentence written before messages were data back into its template
and parameters (the migrations of old databases use it, and old findings' reasons for doubt).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nianbao.core.languages import DEFAULT_LANGUAGE as DEFAULT_LANGUAGE
from nianbao.core.languages import LANGUAGES as LANGUAGES
from nianbao.core.languages import chinese_date as chinese_date
from nianbao.core.languages import language
from nianbao.core.report import (
    APPLICANT_LABELS,
    APPLICATION_LABELS,
    DISCLOSURE_LABELS,
    PART_TITLES,
    REVIEW_LABELS,
)

DOMAIN = "nianbao"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def N_(text: str) -> str:
    """Marks a string for the catalogue (extracted by Babel with the keyword N_), not translated here."""
    return text


# ---- the templates: id -> English msgid ---------------------------------------------------------

TEMPLATES: dict[str, str] = {
    # the tables' arithmetic (checks.consistency)
    "applications.balance": N_(
        "column {column}: new {new} + carried_over {old} = {left}, but total {total} + carried_forward {fwd} = {right}"
    ),
    "applications.row_total": N_("{where}: the six applicant columns add up to {given} but total is {total}"),
    "applications.outcome_total": N_(
        "{where}: the outcome rows (granted … other) add up to {given} but total is {total}"
    ),
    "review_litigation.group_total": N_(
        "{where}: upheld + corrected + other + pending add up to {given} but total is {total}"
    ),
    "where.column": N_("column {column}"),
    "where.row": N_("row {row}"),
    "where.group": N_("group {group}"),
    "unknown.cells": N_("not checked where cells are empty: {where}"),
    "unreadable.doubt": N_(
        "could not be checked: the numbers seem not to add up ({inner}), but these rows were not read "
        "with certainty: {why}"
    ),
    "admissible.none": N_("{inner}, whichever of their readings the uncertain cells hold ({cells})"),
    "cell.options": N_("{cell} read as {readings}"),
    "doubt.row": N_("row {row} ({why})"),
    "doubt.absent": N_("row {row} (not found in the report)"),
    # how a row was read (parsers: RowReading.doubts; `why` is their English, joined by "; ")
    "why.text_cell": N_("cell {n} is text ('{text}')"),
    "why.label": N_("its label is only {percent} like the official one"),
    "why.cells": N_("{n} of {width} cells"),
    "why.reread": N_("numbers re-read from the text layer (the table extractor gave {cells})"),
    "why.disagree": N_("the table extractor and the text layer disagree: {trouble}"),
    "why.merged": N_("a missing ruling line merged this row with the next; split by the lines of its numbers"),
    "why.no_cell": N_("no cell for {fields}"),
    "why.readers": N_("cell {n}: the two readers disagree ({first} on the page, {second} in the cell, — for blank)"),
    "why.coarse": N_("read from an image of {dpi} dpi (under 200 dpi: never certain)"),
    "why.scan_places": N_("the cells and the text found on the page place the numbers differently"),
    "why.scan_table2": N_("table 二 read from a scan: no sum checks its numbers"),
    "why.one_reader": N_("{inner} (read by one reader only)"),
    "why.uncertain": N_("not certain"),
    "why.header_order": N_("the column header names the columns out of the uniform order"),
    "why.review_header": N_("the header names {n} of {width} result columns"),
    "why.text_in_column": N_("text in a column of numbers ('{text}'): the row's cells do not line up with the header"),
    "why.between_columns": N_("the number '{number}' stands between two columns"),
    "why.two_numbers": N_("two numbers under one column ('{first}' and '{second}': a ruling line missing?)"),
    "why.several_lines": N_("numbers on several lines in one table row (two rows merged?)"),
    "why.unplaced": N_(
        "read from the PDF's cells alone: no header placed its columns, no second reading from the text layer"
    ),
    # what the parser could not read or place (parsers: the report's notes)
    "note.text_cell": N_("{cell}: cell {n} is not a number: '{text}'"),
    "note.review_cells": N_(
        "review_litigation: {n} of {width} cells found (table cut off?); the missing cells are null"
    ),
    "note.review_header": N_(
        "review_litigation: {n} result labels in the header instead of {width}; assumed the uniform column order"
    ),
    "note.header": N_("applications: the column header is incomplete; assumed the uniform column order"),
    "note.unplaced": N_("applications: row '{label}' could not be placed in the uniform format"),
    "note.twice": N_("applications: row {row} appears twice; kept the first"),
    "note.short_row": N_(
        "applications: row {row} has {n} of {width} cells (table cut off, or cells merged?); the missing cells are null"
    ),
    "note.rows_missing": N_("applications: {n} of {expected} rows not found: {rows}"),
    "note.no_cell": N_("active_disclosure.{drow}: no cell for {fields}"),
    "note.disclosure_rows": N_("active_disclosure: rows not found: {drows}"),
    "note.absent": N_("{part}: {why}"),
    "note.glued": N_("{part}: its numbers run together with no separator between cells (not readable from this text)"),
    "note.pdf_no_cells": N_(
        "{part}: its table has no ruling lines to read cells from (in the text layer its numbers and wrapped labels "
        "run together)"
    ),
    # across years (checks.history)
    "applications.carry_over": N_(
        "column {column}: carried_over {now} in {year}, but {last_year} carried_forward {before}"
    ),
    "active_disclosure.in_force": N_(
        "{drow}: {last_year} in_force {before} + issued {issued} − repealed {repealed} = {expected}, "
        "but {year} in_force is {now}"
    ),
    # the report as a document (checks.structure)
    "report.legacy": N_(
        "a report under the 2008 regulation (before the uniform formats): "
        "free-form statistics, not mapped to the tables; its text is kept"
    ),
    "report.sections.missing": N_("{count} of the six parts not found: {parts}"),
    "report.sections.no_table": N_("part {part}: no table nianbao can read (an image, an attachment, or cut off?)"),
    "report.year": N_("the title says {title_year} but the statistics period is {period_year}"),
    "report.contacts": N_("{contact} given as {values}"),
    # what the prose says (checks.text_claims)
    "text.claims.received": N_("the text says '{quote}' but the table counts {new} new applications"),
    "text.claims.outcome": N_("the text says '{quote}' but the table's {words} rows add up to {table}"),
    "text.claims.review": N_("the text says '{quote}' but table 4 counts {count}"),
    "text.claims.upheld": N_("the text says all reviews and lawsuits were upheld (均获维持) but table 4 has {cells}"),
    "text.claims.itemised": N_("the text gives {whole} items in all but its parts {items} add up to {total}"),
    "text.claims.explained": N_("{inner}; {explained}"),
    "explain.carried_over": N_(
        "{new} new + {old} carried over = {claimed}: the text appears to count the applications "
        "carried over from last year too"
    ),
    "explain.natural_persons": N_("{claimed} is the natural persons' column only"),
    "explain.row": N_("{claimed} is row {row} only"),
    "explain.row_natural": N_("{claimed} is row {row}, natural persons only"),
    "cell.value": N_("{cell} {value}"),
    # quality (checks.quality)
    "quality.template_residue": N_("a placeholder of the template was left in: '{placeholder}'"),
    "quality.wrong_reference": N_("the report cites {cited}; the format's document is {right}"),
    "quality.superseded": N_("the report for {year} cites {cited}, superseded before that year"),
    "quality.period": N_("the report is for {year} but its statistics period is {period_year}"),
    "quality.rules": N_(
        "the report gives 规章 ({counts}) but {level} cannot make 规章 (only governments with legislative power do)"
    ),
    "quality.published_early": N_(
        "the report says its {about} report was published in {when}, before {about} ended "
        "(likely last year's sentence kept)"
    ),
    "quality.copied.text": N_(
        "the {year} report's text is {percent} the same as the {last_year} report's (years and numbers left aside)"
    ),
    "quality.copied.numbers": N_(
        "every number of the {year} report's tables ({ncells} cells, {nonzero} not zero) "
        "equals the {last_year} report's"
    ),
    "count.field": N_("{field} {value}"),
    # deadlines (checks.deadlines, checks.run)
    "deadline.late": N_("published {published} ({source}), after the deadline {deadline}"),
    "deadline.on_time": N_("published {published}, by the deadline {deadline}"),
    "deadline.late_unseen": N_(
        "no publication date given; nianbao read the portal's lists completely on {absent_on}, after the "
        "deadline {deadline}, without finding it, and first saw it on {first_seen}"
    ),
    "deadline.unknown": N_(
        "no publication date given and no complete read between the deadline and first sight ({first_seen})"
    ),
    "deadline.not_due": N_("due by {deadline}"),
    "deadline.missing": N_(
        "not found in a complete read of the portal's lists on {read_on}, after the deadline {deadline}"
    ),
    "deadline.missing_read": N_("{inner} (read: {read})"),
    "deadline.not_assessable": N_(
        "the portal's lists were not read completely after the deadline {deadline} (last pass: {portal_state})"
    ),
    "deadline.missing_ledger": N_(
        "{inner} (read: {read}; list entries of that pass that could not be fetched: {failed}, none of which could be "
        "this report)"
    ),
    "deadline.withheld": N_("not assessable after the deadline {deadline}: {doubt}"),
    "doubt.entry": N_("the list entry '{title}' ({url}) {failure}, and it could be this report"),
    "doubt.attachment": N_("the attachment {url} of the list entry '{title}' {failure}, and it could hold this report"),
    "doubt.column": N_(
        "the column {column_url} was not read completely ({reason}); its unread pages could hold {years}"
    ),
    "doubt.pass": N_("the portal's last pass ({date}) was {state} and kept no ledger of its entries"),
    "doubt.ambiguous": N_(
        "a report of the name '{written}' ({url}) could be this agency's or another watched one's ({candidates})"
    ),
    "doubt.never": N_("the portal's lists have not been read since the deadline"),
    "years.any": N_("reports of any year"),
    "years.upto": N_("reports of {upto} and earlier"),
    "report.unreadable": N_("found but not readable: {error}"),
    "portal.state": N_("portal {portal} {state} on the pass of {date}; its agencies' reports are not assessable"),
    "report.changed": N_(
        "the report was changed after publication (version {version}, seen {seen}, replacing the one seen "
        "{before}): {what}"
    ),
    "changed.cells": N_("numbers changed: {changes}"),
    "changed.cells_more": N_("numbers changed: {changes}; and {more} more"),
    "changed.text": N_("the text changed: {lines}"),
    "changed.content": N_("the content changed"),
    "cell.change": N_("{cell} {old} → {new}"),
    # what a pass read (quoted in `missing`)
    "read.records": N_("{column_url} ({cms}): {read} of {declared} declared records listed"),
    "read.pages": N_("{column_url} ({cms}): {read} of {declared} declared pages read"),
    "read.undeclared": N_("{column_url} ({cms}): {read} pages read, no size declared"),
    "read.partial": N_("{inner} — {reason}"),
    "read.more": N_("and {more} more columns"),
    # why a column was not read completely (crawler.crawl.ColumnRead)
    "column.pages_failed": N_("{n} list page(s) could not be read ({url} {failure})"),
    "column.capped": N_(
        "the limit of {limit} list pages per pass (max_pages) was reached before all its pages were read"
    ),
    "column.budget": N_("the walk's request budget ({limit}) was spent before all its pages were read"),
    "column.cut": N_("the limit of {limit} list pages per pass (max_pages) cut its list"),
    "column.and": N_("{inner}; {more}"),
    "column.stopped": N_("the pass was stopped before its end (shutdown)"),
    "column.crawler_error": N_("a fault of nianbao's stopped the pass ({error})"),
    "column.pager_note": N_("its pager ({cms}) gives a value nianbao cannot use: {note}"),
    "column.no_size": N_("its pager ({cms}) declares no size nianbao understands"),
    "column.records_short": N_("{read} of {declared} declared records listed"),
    "column.last_not_reached": N_("the last page was not reached"),
    "column.pages_short": N_("{read} of {declared} declared pages read"),
    "column.more_by_script": N_("{how}; only its first page can be read"),
    "column.demands_size": N_(
        "no size is declared, and this portal requires a declared size (one_page_evidence = false)"
    ),
    "column.not_one_page": N_("no size is declared, and the page is no proven single page (a pager, or not ended)"),
    # what `nianbao discover` could not read or follow, and why (crawler.discover)
    "discover.robots": N_("robots.txt disallows it: not requested"),
    "discover.failed": N_("the page {failure}"),
    "discover.not_read": N_("the page {failure}: not read"),
    "discover.reached": N_("{inner} (reached by {path})"),
    "discover.shells": N_("redirect shells lead on and on: not followed"),
    "discover.budget": N_("the request budget of {budget} is spent: {left} link(s) not followed"),
    "discover.pointer_lost": N_(
        "a block '{heading}' lists {n} report(s) with no 更多 link, and no breadcrumb of theirs ({report}) leads "
        "to their column: the page is not taken for the column"
    ),
    "discover.redirect_refused": N_("a redirect from {source} leads there: not requested ({why})"),
    "discover.redirect_away": N_("its {how} redirect leads to another registrable domain ({target}): not followed"),
    "discover.script_menu": N_("its menu is drawn by script ({sign}): not followed (--browser draws it)"),
    "discover.not_drawn": N_("its menu is drawn by script ({sign}), and Chromium could not draw the page"),
    "discover.refused": N_("{name}: not requested ({why})"),
    "discover.no_agency": N_("listed as '{title}': no agency could be read from it"),
    "script.names": N_("a script names {words}, no link of the page does"),
    "script.empty_box": N_("the menu box {name} is empty: a script fills it"),
    "script.few_links": N_("scripts, and next to no link"),
    # why a host is in the walk (crawler.discover), or never asked (crawler.hosts)
    "host.home": N_("the home page's host ({url})"),
    "host.redirect": N_("a {how} redirect from {source} leads there, within its registrable domain"),
    "host.subsite": N_("a sub-site: {name}, in the content of the index {index}"),
    "host.attachments": N_("attachments of its reports are there (seen on {url})"),
    "host.loopback": N_("{host} is a loopback address, and the home page is not on loopback"),
    "host.link_local": N_("{host} is a link-local address (169.254.0.0/16, where cloud metadata services answer)"),
    "host.private": N_("{host} is an address of a private network"),
    "host.reserved": N_("{host} is a reserved address"),
    "host.intranet": N_("{host} is an intranet name (no public DNS answers for it)"),
    # links to other sites a discovery did not follow
    "skip.above": N_("{name} is a government above this portal's own, or one of its organs"),
    "skip.beside": N_("{name} is another region's, not this portal's"),
    "skip.government": N_("{name} is a government of county level or above: no department or township of an index"),
    "skip.template": N_("a link in a template region ({region})"),
    "skip.not_index": N_("a link to another site outside the content of a 部门/乡镇 index"),
    "script.button": N_("a '{button}' control loads further entries by script"),
    "script.source": N_("its script {name} may page the list"),
    "script.inline": N_("an inline script asks the server for further entries"),
}

# words that stand for a key in a parameter, translated as msgids of their own
VOCABULARY: dict[str, str] = {
    # where a publication date came from
    "source.page": N_("the page's publication date"),
    "source.list": N_("the date in the portal's list"),
    "source.other": N_("the publication date the source gives"),
    # portal states
    "state.blocked": N_("blocked nianbao (anti-bot challenge or robots.txt)"),
    "state.unreachable": N_("could not be reached"),
    "state.partial": N_("was read only in part"),
    "state.challenge": N_("answered with an anti-bot challenge (blocked)"),
    "state.robots": N_("forbids nianbao in its robots.txt (blocked)"),
    "state.refused": N_("refused the connection"),
    "state.dns": N_("has a host name that does not resolve (DNS)"),
    "state.timeout": N_("did not answer in time"),
    "state.tls": N_("failed the TLS handshake"),
    "state.reset": N_("dropped the connection"),
    "state.network": N_("could not be reached (network error)"),
    "state.http_5xx": N_("answered with a server error (HTTP 5xx)"),
    "state.http_4xx": N_("refused the request (HTTP 4xx)"),
    "state.not_found": N_("answered 404 for its column pages"),
    "state.soft404": N_("answered a page-not-found page for its column pages"),
    # why a list entry (or its attachment) could not be had
    "failure.off_scope": N_("leads to another host, which nianbao may not fetch"),
    "failure.robots": N_("is disallowed by robots.txt"),
    "failure.refused": N_("could not be fetched (connection refused)"),
    "failure.dns": N_("could not be fetched (its host name does not resolve)"),
    "failure.tls": N_("could not be fetched (TLS handshake failed)"),
    "failure.reset": N_("could not be fetched (connection reset)"),
    "failure.network": N_("could not be fetched (network error)"),
    "failure.timeout": N_("did not answer in time"),
    "failure.too_large": N_("is larger than the size cap"),
    "failure.truncated": N_("came back cut short"),
    "failure.bad_url": N_("is not a usable URL"),
    "failure.redirects": N_("redirects in a loop"),
    "failure.bad_encoding": N_("came back in an encoding that does not decode"),
    "failure.http_5xx": N_("answered with a server error (HTTP 5xx)"),
    "failure.http_4xx": N_("answered with a client error (HTTP 4xx)"),
    "failure.not_found": N_("answered 404 (not found)"),
    "failure.soft404": N_("answered a page-not-found page (soft 404)"),
    "failure.challenge": N_("answered with an anti-bot challenge"),
    "failure.unasked_304": N_("answered 304 Not Modified to a request that asked for no comparison"),
    "failure.no_copy": N_("answered 304 Not Modified, but nianbao has no copy of it"),
    "failure.cap": N_("was not fetched (a cap of the pass)"),
    "failure.budget": N_("was not requested (the walk's request budget was spent)"),
    "failure.stopped": N_("was not fetched (the pass was stopped)"),
    "failure.lost": N_("could not be stored"),
    "failure.refused_download": N_("gave an HTML page instead of its file"),
    "failure.unsettled": N_("was left without a fate (a bug of nianbao)"),
    "failure.other": N_("could not be fetched"),
    # what a list entry that is no report is
    "entry.draft": N_("a draft (送审稿, 征求意见稿 …), not the published report"),
    "entry.notice": N_("a notice about reports, not a report"),
    "entry.other": N_("another kind of report (a website's, a legal person's, a budget …)"),
    "entry.column": N_("a sub-column, read as a column of its own"),
    # a pass's outcome, as `status` and the messages name it
    "outcome.none": N_("none"),
    "outcome.complete": N_("complete"),
    "outcome.partial": N_("partial"),
    "outcome.blocked": N_("blocked"),
    "outcome.unreachable": N_("unreachable"),
    "outcome.interrupted": N_("interrupted"),
    "outcome.running": N_("running"),
    # a page's regions (crawler.regions)
    "region.content": N_("content"),
    "region.nav": N_("navigation"),
    "region.header": N_("header"),
    "region.footer": N_("footer"),
    "region.links": N_("links block"),
    "region.sitemap": N_("site map"),
    "region.breadcrumb": N_("breadcrumb"),
    "region.repeated": N_("repeated on the site's pages"),
    "region.block": N_("block of reports"),
    # levels
    "level.township": N_("a township"),
    "level.department": N_("a department"),
    # contacts
    "contact.postal code": N_("postal code"),
    "contact.phone": N_("phone"),
    "contact.email": N_("email"),
}
_SOURCE_WORDS = {VOCABULARY[k]: k for k in VOCABULARY}

# each rule's short name, shown before its id where a reader looks (digest, findings, site)
RULE_NAMES: dict[str, str] = {
    "applications.balance": N_("applications carried over and forward balance"),
    "applications.row_total": N_("applicant columns add up to the total"),
    "applications.outcome_total": N_("outcome rows add up to the total"),
    "review_litigation.group_total": N_("reviews and lawsuits add up to the total"),
    "applications.carry_over": N_("carried over equals last year's carried forward"),
    "active_disclosure.in_force": N_("rules in force follow from last year's"),
    "quality.template_residue": N_("template placeholders left in"),
    "quality.wrong_reference": N_("wrong or superseded document number"),
    "quality.impossible": N_("claims that cannot be true"),
    "quality.copied": N_("copied from last year's report"),
    "deadline": N_("publication deadline"),
    "report.unreadable": N_("report that cannot be read"),
    "portal.blocked": N_("portal blocked"),
    "portal.unreachable": N_("portal unreachable"),
    "portal.partial": N_("portal read in part"),
    "report.changed": N_("report changed after publication"),
    "report.sections": N_("the six parts of the report"),
    "report.cells": N_("text where a number belongs"),
    "report.year": N_("year of the report"),
    "report.contacts": N_("contact details"),
    "text.claims": N_("the text against the tables"),
}
SEVERITY_NAMES: dict[str, str] = {"error": N_("error"), "warning": N_("warning"), "info": N_("information")}
KIND_NAMES: dict[str, str] = {
    "missing": N_("missing"),
    "late": N_("late"),
    "inconsistent": N_("inconsistent"),
    "unreadable": N_("could not be checked"),
    "changed": N_("changed"),
    "unreachable": N_("portal unreachable"),
    "not_assessable": N_("not assessable"),
    "quality": N_("quality"),
}


def rule_label(rule_id: str, lang: str) -> str:
    """A rule as a reader sees it: its name, then its id in brackets (the id alone in English, where
    it reads as a name)."""
    if not language(lang).rule_names or rule_id not in RULE_NAMES:
        return rule_id
    return f"{translations(lang).gettext(RULE_NAMES[rule_id])}（{rule_id}）"


def word(names: dict[str, str], key: str, lang: str) -> str:
    """A key of `names` (KIND_NAMES, SEVERITY_NAMES …) in `lang`; the key itself when unknown."""
    return translations(lang).gettext(names[key]) if key in names else key


# how each parameter is rendered, by its name
_KEY_PARAMS = {
    "column": "column",
    "row": "row",
    "rows": "row",
    "drows": "drow",
    "group": "group",
    "drow": "drow",
    "part": "part",
    "parts": "part",
    "cell": "cell",
    "field": "field",
    "fields": "field",
}
_DATE_PARAMS = {"deadline", "published", "absent_on", "first_seen", "read_on", "date", "seen", "before"}
_WORD_PARAMS = {"source", "state", "level", "contact", "failure", "region"}
_NESTED = {
    "inner",
    "where",
    "why",
    "explained",
    "what",
    "cells",
    "changes",
    "counts",
    "read",
    "doubt",
    "years",
    "how",
    "more",
    "trouble",
}

_DISCLOSURE_LABELS = DISCLOSURE_LABELS
# the row names a reader finds at the start of each row (the official note after 部分公开 left out)
_ROW_LABELS = dict(APPLICATION_LABELS) | {"partially_granted": "（二）部分公开", "other": "（六）其他处理"}
_GROUP_LABELS = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理"}


@dataclass(frozen=True, slots=True)
class Said:
    """A message as data: its template id and parameters (JSON values, or nested `Said`)."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return render(self, lang)

    @property
    def en(self) -> str:
        return render(self, "en")

    def to_json(self) -> dict[str, Any]:
        return {"template": self.template, "params": {k: _json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Said:
        return cls(str(data["template"]), {k: _unjson(v) for k, v in dict(data.get("params") or {}).items()})


def said(template: str, **params: Any) -> Said:
    if template not in TEMPLATES:
        raise KeyError(f"no message template {template!r}")
    return Said(template, params)


def _json(value: Any) -> Any:
    if isinstance(value, Said):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


def _unjson(value: Any) -> Any:
    if isinstance(value, dict) and "template" in value:
        return Said.from_json(value)
    if isinstance(value, list):
        return [_unjson(v) for v in value]
    return value


# ---- rendering ----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (English is the msgids themselves)."""
    if language(lang).source:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang])


def gettext_for(lang: str) -> Callable[[str], str]:
    """`_` for `lang`: msgid -> its translation (the msgid itself where the catalogue has none)."""
    return translations(lang).gettext


def render(message: Said, lang: str) -> str:
    """The sentence in `lang`."""
    template = translations(lang).gettext(TEMPLATES[message.template])
    values = {name: _param(name, value, lang) for name, value in message.params.items()}
    return template.format(**values)


def _param(name: str, value: Any, lang: str) -> str:
    if isinstance(value, Said):
        return render(value, lang)
    if name == "why" and isinstance(value, str):  # a finding stored before doubts were data: English
        return reasons(value, lang)
    if isinstance(value, (list, tuple)):
        return language(lang).separator(name).join(_param(name, v, lang) for v in value)
    if value is None:
        return "∅"
    if name in ("part", "parts") and isinstance(value, str):
        return label("part", value)  # the parts keep their Chinese titles in every language
    if language(lang).source:  # keys and words as the msgids write them
        if name in _WORD_PARAMS and isinstance(value, str) and value in VOCABULARY:
            return VOCABULARY[value]
        return str(value)
    if name in _KEY_PARAMS and isinstance(value, str):
        return label(_KEY_PARAMS[name], value)
    if name in _DATE_PARAMS and isinstance(value, str):
        return language(lang).date(value)
    if name in _WORD_PARAMS and isinstance(value, str) and value in VOCABULARY:
        return translations(lang).gettext(VOCABULARY[value])
    if name == "portal_state" and f"outcome.{value}" in VOCABULARY:
        return translations(lang).gettext(VOCABULARY[f"outcome.{value}"])
    return str(value)


Doubt = Said | str  # a row's reason for doubt; a str only for old English that no template fits


def render_doubts(doubts: Iterable[Doubt], lang: str) -> str:
    """A row's reasons for doubt (RowReading.doubts, or the database's `report_rows.doubts`) in `lang`."""
    return language(lang).separator("why").join(d.text(lang) if isinstance(d, Said) else d for d in doubts)


def doubts_to_json(doubts: Iterable[Doubt]) -> list[Any]:
    return [d.to_json() if isinstance(d, Said) else d for d in doubts]


def doubts_from_json(data: Iterable[Any]) -> tuple[Doubt, ...]:
    return tuple(Said.from_json(d) if isinstance(d, dict) else str(d) for d in data)


def reasons(text: str, lang: str) -> str:
    """A row's reasons for doubt as parsers wrote them before doubts were data ("; "-joined English),
    in `lang`, read back by regular expressions (`doubts_of`).  Old data only: a finding stored
    before then keeps such text in its `doubt.row` parameter `why`; readings stored before then were
    turned into data by the migration m015 (which uses `doubts_of`).  New doubts are `Said` values."""
    if language(lang).source or not text:
        return text
    return render_doubts(doubts_of(text), lang)


def doubts_of(text: str) -> list[Doubt]:
    """Old "; "-joined English reasons as messages, by regular expressions (`parse`): each reason
    is the shortest run of "; "-separated pieces that a "why." template fits (a template's own text
    may hold "; "); a piece no template fits stays English.  For data written before doubts were data."""
    pieces = text.split("; ") if text else []
    out: list[Doubt] = []
    start = 0
    while start < len(pieces):
        for end in range(start + 1, len(pieces) + 1):
            found = parse("; ".join(pieces[start:end]), "why.")
            if found is not None:
                out.append(found)
                start = end
                break
        else:
            out.append(pieces[start])
            start += 1
    return out


def label(kind: str, key: str) -> str:
    """A key as the uniform format names it (Chinese): 自然人, （七）总计, 规章, 行政复议 …"""
    if kind == "column":
        return APPLICANT_LABELS.get(key, key)
    if kind == "row":
        return _ROW_LABELS.get(key) or _GROUP_LABELS.get(key, key)
    if kind == "group":
        return REVIEW_LABELS.get(key, key)
    if kind == "drow":
        return _DISCLOSURE_LABELS.get(key, key)
    if kind == "part":
        return PART_TITLES.get(key, key)
    if kind == "field":
        return _DISCLOSURE_LABELS.get(key) or REVIEW_LABELS.get(key, key)
    if kind == "cell":
        return cell_label(key)
    return key


def cell_label(address: str) -> str:
    """ "applications.total.natural_person" -> "（七）总计·自然人"."""
    part, _, rest = address.partition(".")
    if not rest:
        return PART_TITLES.get(part, address)
    if part in REVIEW_LABELS and part not in ("other", "total"):  # "review.corrected": a cell of table 4
        part, rest = "review_litigation", address
    if part == "applications":
        row, _, column = rest.rpartition(".")
        if row and column in APPLICANT_LABELS:
            return f"{label('row', row)}·{APPLICANT_LABELS[column]}"
        return label("row", rest)
    if part == "review_litigation":
        group, _, field_ = rest.partition(".")
        return "·".join(x for x in (REVIEW_LABELS.get(group, group), REVIEW_LABELS.get(field_, field_)) if x)
    if part == "active_disclosure":
        row, _, field_ = rest.partition(".")
        return "·".join(x for x in (_DISCLOSURE_LABELS.get(row, row), _DISCLOSURE_LABELS.get(field_, field_)) if x)
    return PART_TITLES.get(address, address)


# ---- reading old English sentences back -----------------------------------------------------------


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for template_id, text in TEMPLATES.items():
        named: set[str] = set()
        pieces = []
        for part in re.split(r"(\{\w+\})", text):
            if part.startswith("{"):
                name = part[1:-1]
                what = r"\d{4}-\d{2}-\d{2}|\?" if name in _DATE_PARAMS else ".+?"
                pieces.append(f"(?P={name})" if name in named else f"(?P<{name}>{what})")
                named.add(name)
            elif part:
                pieces.append(re.escape(part))
        out.append((template_id, re.compile("".join(pieces), re.S)))
    # the longest literal first: "column {column}" must not take "column x: new …"
    out.sort(key=lambda item: -len(re.sub(r"\(\?P<\w+>[^)]*\)|\(\?P=\w+\)", "", item[1].pattern)))
    return out


@lru_cache(maxsize=4096)  # a stored English message is read back once, however often it is shown
def parse(message: str, family: str = "") -> Said | None:
    """The template and parameters of an English sentence nianbao wrote (None when none fits); only
    the templates whose id starts with `family` ("why.") when it is given."""
    for template_id, pattern in _patterns():
        if not template_id.startswith(family):
            continue
        match = pattern.fullmatch(message)
        if match is None:
            continue
        params: dict[str, Any] = {}
        for name, value in match.groupdict().items():
            params[name] = _parse_param(name, value)
        return Said(template_id, params)
    return None


def _parse_param(name: str, value: str) -> Any:
    if name in _NESTED:
        sep = language("en").separators.get(name)  # the sentences were written in English
        parts = value.split(sep) if sep and name in ("where", "why", "cells", "changes", "counts", "read") else [value]
        parsed = [parse(p) or p for p in parts]
        return parsed if len(parsed) > 1 or name in ("where", "why", "cells", "read") else parsed[0]
    if name in _WORD_PARAMS and value in _SOURCE_WORDS:
        return _SOURCE_WORDS[value]
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value
