"""Hanweb JCMS (大汉): the first records sit in the column page as
`<script type="text/xml"><datastore>…<record><![CDATA[<li>…]]></record>`; the rest come from
`dataproxy.jsp`, asked with the jpage parameters found in the page's script (POST startrecord
form).  Groups after the first repeat one look-ahead record; duplicates are dropped by URL."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from crawler.listing import Link, Page, PageRequest

NAME = "hanweb"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_JPAGE = re.compile(r"\.jpage\(\s*\{(?P<opts>.*?)\}\s*\)", re.S)
_OPTION = re.compile(r"(\w+)\s*:\s*('([^']*)'|\"([^\"]*)\"|\{[^}]*\}|[\w./-]+)")
_AJAX_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")


def matches(page: Page) -> bool:
    return "<datastore>" in page.text or "dataproxy.jsp" in page.url or ".jpage(" in page.text


def entries(page: Page) -> list[Link]:
    links: list[Link] = []
    for record in _RECORD.findall(page.text):
        links.extend(Page(page.url, record).links())
    return links


def next_pages(page: Page) -> list[PageRequest]:
    options = _options(page.text)
    if not options or "dataproxy.jsp" in page.url:
        return []
    total = int(options.get("totalRecord", "0") or 0)
    per_page = int(options.get("perPage", "15") or 15)
    group = per_page * int(options.get("groupSize", "1") or 1)
    proxy = urljoin(page.url, options.get("proxyUrl", "/module/web/jpage/dataproxy.jsp"))
    params = _ajax_params(page.text, options.get("ajaxParam", ""))
    first = len(_RECORD.findall(page.text)) or group
    requests = []
    for start in range(first + 1, total + 1, group):
        end = min(start + group - 1, total)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        requests.append(PageRequest(f"{proxy}?{query}", data=tuple(params.items()), referer=page.url))
    return requests


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
