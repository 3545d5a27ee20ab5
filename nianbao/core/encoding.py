"""Decode bytes from a Chinese government portal into text.

Order, as real portals need it: BOM, then the HTTP header charset, then a `<meta>` charset, then
a trial of strict UTF-8 and GB18030.  GBK and GB2312 are always decoded as GB18030, their
superset: decoding as GBK loses the rare characters found in place and person names.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb-2312", "gb18030", "x-gbk", "cp936", "euc-cn"}


def canonical(name: str | None) -> str | None:
    """Map a declared charset name to the codec nianbao decodes it with (GB family -> gb18030)."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, canonicalised."""
    match = re.search(r"charset\s*=\s*([^;\s]+)", content_type or "", re.I)
    return canonical(match.group(1)) if match else None


def sniff_meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a `<meta>` tag within its first 4 KB."""
    match = _META_CHARSET.search(data[:4096])
    return canonical(match.group(1).decode("ascii", "replace")) if match else None


def decode(data: bytes, *, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, codec used).  Never raises: the last resort replaces undecodable bytes."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    for declared in (charset_from_content_type(content_type), sniff_meta_charset(data)):
        if declared:
            try:
                return data.decode(declared), declared
            except UnicodeDecodeError:
                continue  # a page that lies about its charset is common; fall through to trial
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace"), "gb18030"
