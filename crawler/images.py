"""Pictures in an article page that may be the report's tables: many townships paste tables 二 to
四 as images ("见下表"), and the parser reads them by OCR when they are in the page itself.  Which
pictures to fetch, and what a fetched picture is."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.listing import Page

MAX_IMAGES = 12  # pictures fetched for one article: a report has three tables, split over a few pictures
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # all of one article's pictures together
_CHROME = re.compile(r"logo|icon|banner|share|qrcode|ewm|erweima|weixin|wechat|weibo|print|close|top|dot|line|bg", re.I)
_IMG = re.compile(rb"<img\b", re.I)
_TABLE = re.compile(rb"<table\b", re.I)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"GIF8", "gif"),
)


def images_may_hold_tables(content: bytes) -> bool:
    """The page has pictures and fewer than the three tables a report has in HTML: its tables may be
    pictures (a page with all three tables as HTML needs none of its pictures)."""
    return _IMG.search(content) is not None and len(_TABLE.findall(content)) < 3


def article_images(page: Page) -> list[tuple[str, str]]:
    """(src as written, absolute URL) of the page's pictures that could be a table: not already in
    the page, not the site's chrome (logos, icons, share buttons, QR codes), each once."""
    seen: set[str] = set()
    out = []
    for node in page.tree.css("img[src]"):
        src = (node.attributes.get("src") or "").strip()
        if not src or src.startswith("data:") or src in seen:
            continue
        try:
            url = urljoin(page.url, src)
            path = urlsplit(url).path
        except ValueError:
            continue  # not a URL: nothing to fetch
        if _CHROME.search(path.rsplit("/", 1)[-1]) or path.lower().endswith((".svg", ".ico")):
            continue
        seen.add(src)
        out.append((src, url))
    return out


def image_kind(content: bytes) -> str | None:
    """The picture format of `content` from its first bytes ("png", "jpeg" …), None when it is none."""
    return next((kind for magic, kind in _SIGNATURES if content.startswith(magic)), None)
