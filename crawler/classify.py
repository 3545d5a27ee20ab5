"""Tell a real page from an anti-bot challenge, a redirect shell or a soft 404.

A portal that answers nianbao with a challenge must be reported as blocked, never as having no
reports; the markers are those of shared/research/portals.md §5 and §7.5.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

_TS = re.compile(rb"\$_ts\s*=|\$_ts\.", re.I)
_JSL = re.compile(rb"document\.cookie\s*=", re.I)
_SCRIPT = re.compile(rb"<script\b.*?</script>", re.I | re.S)
_TAG = re.compile(rb"<[^>]+>")
_META_REFRESH = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*([^"'>\s]+)""",
    re.I,
)
_JS_LOCATION = re.compile(
    rb"""(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*(?:=|\.replace\(|\.assign\()\s*["']([^"']+)["']""",
    re.I,
)
_SOFT_404 = re.compile(
    "页面不存在|页面未找到|找不到(?:该|您要访问的)?页面|访问的页面不存在|您访问的页面|404 Not Found"
    "|页面已删除|信息不存在|文章不存在"
)
_STUB_BYTES = 4096


def classify(status: int, body: bytes, base_url: str) -> tuple[str, str | None]:
    """(outcome, redirect target): ok, blocked (an anti-bot challenge), redirect_shell, soft404,
    not_found, forbidden, or error."""
    if status in (412, 202) and _TS.search(body) or status == 521 and (_JSL.search(body) or not body.strip()):
        return "blocked", None
    if status in (404, 410):
        return "not_found", None
    if status >= 400:
        # 412 and 521 are the statuses of the 瑞数 and 加速乐 challenges; a plain 403 is the server
        # refusing, which says nothing about why (a firewall, a permission): "forbidden", not "blocked"
        if status in (412, 521):
            return "blocked", None
        return ("forbidden" if status in (401, 403, 405) else "error"), None
    if len(body) <= _STUB_BYTES:
        visible = _TAG.sub(b"", _SCRIPT.sub(b"", body)).strip()
        target = _META_REFRESH.search(body) or (_JS_LOCATION.search(body) if len(visible) < 40 else None)
        if target and not _JSL.search(body):
            return "redirect_shell", urljoin(base_url, target.group(1).decode("utf-8", "replace"))
        if _TS.search(body) or _JSL.search(body) or (b"<script" in body.lower() and len(visible) < 20):
            return "blocked", None
    if len(body) < 20000:  # a "page not found" page is small
        head = body[:6000].decode("utf-8", "ignore") + body[:6000].decode("gb18030", "ignore")
        if _SOFT_404.search(head) and "政府信息公开" not in _visible_title(head):
            return "soft404", None
    return "ok", None


def _visible_title(text: str) -> str:
    match = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
    return match.group(1) if match else ""
