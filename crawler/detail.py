"""Article pages split over several pages (TRS: `t20260120_123.html`, `t20260120_123_1.html`, …,
with the same `createPageHTML(N, 0, "t20260120_123", "html")` as its lists): the parts are
fetched and their bodies put together, so the report is parsed whole."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from crawler.adapters import safe

_CALL = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"'](\w+)[\"']")
MAX_PARTS = 30  # an annual report runs over a few pages; a pager declaring more is no article's


class TooManyParts(ValueError):
    """The article's pager declares more pages than any report has: it is not read in part."""


_BODY = ".TRS_Editor, .trs_editor_view, #zoom, .article-content"


def continuation_pages(url: str, text: str) -> list[str]:
    """The URLs of the further pages of this article (none for a page that is not split); raises
    TooManyParts for a pager that declares more pages than a report has."""
    match = _CALL.search(text)
    if not match:
        return []
    count, stem, ext = safe.count(match.group(1)), match.group(2), match.group(3)
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    if count is None or count <= 1 or not name.startswith(stem):
        return []  # a list page's pager, not the article's own (or no number at all)
    if count > MAX_PARTS:
        raise TooManyParts(f"the article's pager declares {count} pages, more than {MAX_PARTS}")
    return [urljoin(url, f"{stem}_{k}.{ext}") for k in range(1, count)]


def assemble(parts: list[str]) -> str:
    """The first page with the bodies of the others appended to its own body."""
    first = LexborHTMLParser(parts[0])
    body = first.css_first(_BODY)
    if body is None:
        return "\n".join(parts)
    extra = []
    for part in parts[1:]:
        node = LexborHTMLParser(part).css_first(_BODY)
        extra.append(node.inner_html if node is not None and node.inner_html else "")
    body.inner_html = (body.inner_html or "") + "".join(extra)
    return first.html or parts[0]
