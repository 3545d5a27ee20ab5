"""Hanweb JCMS (大汉): a column page holds the first group of records as
`<script type="text/xml"><datastore>…<record><![CDATA[<li>…]]></record>` — or none of them —
and `$('#id').jpage({totalRecord:N, perPage:P, groupSize:G, proxyUrl:…, ajaxParam:…})`.  The
rest come from `dataproxy.jsp`, asked for record windows of P×G records (POST; the window is
sent in the URL, as jpage does, and in the form too, as some installs read it there).  Groups
after the first repeat one look-ahead record; records are counted once, by URL.

The CMS declares `totalRecord` (and the proxy `<totalrecord>`): a column is read completely when
that many distinct records were listed.  Its windows are made as the crawl asks for them (a
`totalRecord` of a billion costs what `max_pages` allows), and a value that is no usable number
(`perPage:0`, `totalRecord:abc`) is a note: the column stays partial with what it listed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

from crawler.adapters.safe import count, join, unusable
from crawler.listing import Declared, Link, Page, PageRequest

NAME = "hanweb"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_JPAGE = re.compile(r"\.jpage\(\s*\{(?P<opts>.*?)\}\s*\)", re.S)
_OPTION = re.compile(r"(\w+)\s*:\s*('([^']*)'|\"([^\"]*)\"|\{[^}]*\}|[\w./-]+)")
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_AJAX_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")


def matches(page: Page) -> bool:
    return "<datastore>" in page.text or "dataproxy.jsp" in page.url or ".jpage(" in page.text


def entries(page: Page) -> list[Link]:
    links: list[Link] = []
    for record in _RECORD.findall(page.text):
        links.extend(Page(page.url, record).links())
    return links


def declared(page: Page) -> Declared | None:
    options = _options(page.text)
    paging = _paging(options) if options else None
    if isinstance(paging, str):
        return Declared(how="Hanweb jpage", note=paging)
    if paging is not None and "totalRecord" in options:
        return Declared(records=paging[0], how=f"Hanweb jpage totalRecord:{paging[0]}")
    match = _TOTAL.search(page.text)
    if match:
        total = count(match.group(1))
        if total is None:
            return Declared(how="Hanweb dataproxy", note=unusable("Hanweb dataproxy <totalrecord>", match.group(1)))
        return Declared(records=total, how=f"Hanweb dataproxy <totalrecord>{total}")
    return None


def next_pages(page: Page) -> Iterator[PageRequest]:
    """The proxy's record windows, made as they are asked for (a window per perPage × groupSize)."""
    options = _options(page.text)
    if not options or "dataproxy.jsp" in page.url:
        return
    paging = _paging(options)
    if isinstance(paging, str):
        return  # the note is the column's declaration: it stays partial with what it listed
    total, per_page, group_size = paging
    group = per_page * group_size
    proxy = join(page.url, options.get("proxyUrl", "/module/web/jpage/dataproxy.jsp"))
    params = _ajax_params(page.text, options.get("ajaxParam", ""))
    embedded = len(_RECORD.findall(page.text))  # 0 when the column page embeds no records: ask from record 1
    for number, start in enumerate(range(embedded + 1, total + 1, group), start=2):
        end = min(start + group - 1, total)
        window = {"startrecord": str(start), "endrecord": str(end), "perpage": str(per_page)}
        yield PageRequest(
            f"{proxy}?{urlencode(window)}", data=tuple({**params, **window}.items()), referer=page.url, number=number
        )


def _paging(options: dict[str, str]) -> tuple[int, int, int] | str:
    """(totalRecord, perPage, groupSize) as jpage reads them (absent or empty: its defaults), or the
    note on the first that is no usable number ("perPage:0", "totalRecord:abc")."""
    numbers = []
    for key, default, least in (("totalRecord", "0", 0), ("perPage", "15", 1), ("groupSize", "1", 1)):
        value = options.get(key) or default
        number = count(value, least=least)
        if number is None:
            return unusable(f"Hanweb jpage {key}", value)
        numbers.append(number)
    return numbers[0], numbers[1], numbers[2]


def _options(text: str) -> dict[str, str]:
    match = _JPAGE.search(text)
    if not match:
        return {}
    return {
        m.group(1): m.group(3) if m.group(3) is not None else m.group(4) if m.group(4) is not None else m.group(2)
        for m in _OPTION.finditer(match.group("opts"))
    }


def _ajax_params(text: str, value: str) -> dict[str, str]:
    """ajaxParam is an inline object or the name of a `var param_N = {...}`."""
    if not value.startswith("{"):
        match = re.search(r"var\s+" + re.escape(value) + r"\s*=\s*(\{[^}]*\})", text)
        value = match.group(1) if match else "{}"
    pairs = {
        m.group(1): m.group(3) if m.group(3) is not None else m.group(4) if m.group(4) is not None else m.group(2)
        for m in _OPTION.finditer(value.strip("{}"))
    }
    return {k: pairs[k] for k in _AJAX_FIELDS if k in pairs}
