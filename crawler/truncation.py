"""Does a body look cut short?  Pure: bytes in, a reason (or None) out.

A server that closes the connection early while sending no Content-Length (or chunks) gives the
client no way to tell at the HTTP level: the body simply ends.  Stored, such a body becomes a new
version of a report that lost its last parts — a false `changed`, and a false `inconsistent`
("2 of 6 parts not found").  Most formats nianbao reads show their own end, so the cut shows:

- PDF: `%%EOF` (or at least `startxref`) close to the end of the file;
- ZIP (DOCX, XLSX, OFD): the end-of-central-directory record, within the last 64 KB;
- OLE2 (DOC, WPS, XLS): every sector its allocation table uses lies within the file;
- HTML: nothing is required of a page (many end without `</html>`), so a page is only judged
  against the copy stored for its URL: a copy that had `</body>`/`</html>` while this one has not.

Each test asks only whether the end is there, never whether the file is well formed: a damaged
file that ended is for the parser to judge (and to record as unreadable), not a cut fetch.
"""

from __future__ import annotations

import re
import struct
from array import array
from collections.abc import Callable

PDF_TAIL = 1024  # Acrobat looks for %%EOF within the last 1024 bytes; so does nianbao
_PDF_PADDING = b"\x00\t\n\f\r "
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_ZIP_END_SIZE = 22
_ZIP_COMMENT_MAX = 65535
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_HEADER = 512
_OLE_FREE = 0xFFFFFFFF
_OLE_MAX_SECTOR = 0xFFFFFFFA  # above it: ENDOFCHAIN, FATSECT, DIFSECT, FREESECT
_CLOSING = re.compile(rb"</\s*(html|body)\s*>", re.I)
_HTML_START = (b"<!doctype", b"<html", b"<head", b"<meta", b"<body", b"<!--", b"<?xml")


def kind(content: bytes, content_type: str | None = None) -> str | None:
    """ "pdf", "zip", "ole", "html", or None: sniffed from the bytes (a portal's Content-Type is often
    wrong), the Content-Type deciding only between HTML and nothing."""
    if b"%PDF-" in content[:1024]:  # the header may follow a little junk, as readers allow
        return "pdf"
    if content.startswith(_ZIP_LOCAL):
        return "zip"
    if content.startswith(_OLE):
        return "ole"
    head = _text(content[:1024]).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_START) or "html" in (content_type or "").lower():
        return "html"
    return None


def truncated(content: bytes, content_type: str | None, previous: bytes | None) -> str | None:
    """Why `content` looks cut short, or None.  `previous`: the bytes stored for the same URL, if
    any; only an HTML page (whose format promises no end) is judged against them."""
    if not content:
        return f"the body is empty where the stored copy had {len(previous)} bytes" if previous else None
    found = kind(content, content_type)
    if found == "pdf":
        return _pdf(content)
    if found == "zip":
        return _zip(content)
    if found == "ole":
        return _ole(content)
    if found == "html" and previous:
        return _html(content, previous)
    return None


def cut_short(content: bytes, content_type: str | None, stored: Callable[[], bytes | None]) -> str | None:
    """The failure reason ("truncated: …") for a fetched document that looks cut short, or None.
    `stored` gives the bytes stored for the URL; they are read only where they matter (an HTML page
    is judged against them; a file whose own end is missing is let through when the URL served these
    very bytes before — they are stored already, so they can be no new version)."""
    needs_previous = kind(content, content_type) == "html" or not content
    why = None if needs_previous else truncated(content, content_type, None)
    if why is None and not needs_previous:
        return None
    previous = stored()
    if previous is not None and len(previous) == len(content) and previous == content:
        return None
    why = why or truncated(content, content_type, previous)
    return f"truncated: {why}" if why else None


def _pdf(content: bytes) -> str | None:
    tail = content[-65536:].rstrip(_PDF_PADDING)[-PDF_TAIL:]
    if b"%%EOF" in tail or b"startxref" in tail:
        return None
    return f"a PDF of {len(content)} bytes without %%EOF or startxref at its end (cut short?)"


def _zip(content: bytes) -> str | None:
    """The end-of-central-directory record: 22 bytes and a comment, the last thing in the file; the
    central directory it points to must end where it begins (ZIP64 aside, whose record says 0xFFFFFFFF)."""
    start = max(0, len(content) - _ZIP_END_SIZE - _ZIP_COMMENT_MAX)
    at = content.rfind(_ZIP_END, start)
    while at >= 0:
        if at + _ZIP_END_SIZE <= len(content):
            size, offset, comment = struct.unpack_from("<IIH", content, at + 12)
            fits = at + _ZIP_END_SIZE + comment <= len(content)
            if fits and (offset == 0xFFFFFFFF or offset + size <= at):
                return None
        at = content.rfind(_ZIP_END, start, at)
    return f"a ZIP (DOCX …) of {len(content)} bytes without its end-of-central-directory record (cut short?)"


def _ole(content: bytes) -> str | None:
    """An OLE2 compound file (DOC, WPS, XLS) is sectors: the header lists its allocation table's
    sectors, the table marks every sector in use.  A file that ends before one of them was cut.
    A last sector that is only partly there is let through, as readers do."""
    size = len(content)
    if size < _OLE_HEADER:
        return f"an OLE2 file (DOC, WPS …) of {size} bytes, shorter than its {_OLE_HEADER}-byte header"
    shift = struct.unpack_from("<H", content, 30)[0]
    if shift not in (9, 12):
        return None  # not a header nianbao understands: the parser will say so
    sector = 1 << shift
    present = max(0, (size - sector + sector - 1) // sector)  # sectors that begin within the file
    fat_count, directory = struct.unpack_from("<II", content, 44)
    first_difat = struct.unpack_from("<I", content, 68)[0]
    listed = struct.unpack_from("<109I", content, 76)[: min(fat_count, 109)]
    needed = [s for s in (*listed, directory, first_difat) if s <= _OLE_MAX_SECTOR]
    beyond = [s for s in needed if s >= present]
    if not beyond:
        table = array("I")
        for s in listed:
            if s <= _OLE_MAX_SECTOR:
                table.frombytes(content[(s + 1) * sector : (s + 2) * sector][: sector // 4 * 4])
        if array("H", [1]).tobytes() != b"\x01\x00":  # the table is little-endian
            table.byteswap()
        used = next((i for i in range(len(table) - 1, -1, -1) if table[i] != _OLE_FREE), -1)
        if used < present:
            return None
        beyond = [used]
    return (
        f"an OLE2 file (DOC, WPS …) of {size} bytes whose header and allocation table use sector "
        f"{max(beyond)}, which would begin at byte {(max(beyond) + 1) * sector} (cut short?)"
    )


def _html(content: bytes, previous: bytes) -> str | None:
    had = _closing_tags(previous)
    lost = had - _closing_tags(content)
    if not lost:
        return None
    tags = " and ".join(f"</{tag}>" for tag in sorted(lost))
    return f"the page ends without {tags} after {len(content)} bytes; its stored copy had them ({len(previous)} bytes)"


def _closing_tags(content: bytes) -> set[str]:
    return {match.group(1).decode("ascii").lower() for match in _CLOSING.finditer(_text(content))}


def _text(content: bytes) -> bytes:
    """UTF-16 pages (a BOM says so) as UTF-8, so one pattern reads every encoding nianbao meets."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", "replace").encode("utf-8")
    return content
