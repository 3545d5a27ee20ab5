"""What a portal writes in its pager and lists (page counts, record counts, page sizes, links), read
as what it claims to be or not at all.  A value that is no usable number gives None and a note,
never an exception (`int()` of "abc" or of 5000 digits raises; "-5" or 0 as a page size misleads),
so one hostile pager costs its own column, not the portal's pass.  A count is only evidence:
adapters generate the pages it declares lazily, and the crawl takes what `max_pages` allows."""

from __future__ import annotations

from urllib.parse import urljoin

# no portal lists a trillion of anything: a longer number is noise, not a count
MOST = 10**12


def count(value: object, *, least: int = 0) -> int | None:
    """`value` (a JSON number or the text of one) as a whole number from `least` to MOST, else None:
    "abc", "-5", "1.5", "", True, 10**40 are not counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > len(str(MOST)) or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    else:
        return None
    return number if least <= number <= MOST else None


def unusable(what: str, value: object) -> str:
    """The note for a pager value nianbao cannot use (shortened: it is the portal's text)."""
    shown = value.strip() if isinstance(value, str) else repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "…"
    return f"{what} {shown!r} is not a usable number: ignored, the column's size is unknown"


def join(base: str, href: str) -> str:
    """`href` resolved against `base`; a link that is no URL at all ("http://[::1:80/") is kept,
    marked, as the list pages' links are (listing._link), so its fetch fails for it alone."""
    try:
        return urljoin(base, href)
    except ValueError:
        return "invalid:" + href
