"""Tell what kind of document some bytes are, by content, never by file extension."""

from __future__ import annotations

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def sniff(data: bytes) -> str:
    """One of: "pdf", "zip" (DOCX and friends), "ole" (DOC/WPS/XLS), "image" (PNG, JPEG, GIF, BMP,
    TIFF), "html", "text", "binary"."""
    head = data[:2048]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_IMAGES) and (not head.startswith(b"BM") or len(data) > 54):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(
        (b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta", b"<body", b"<table", b"<div", b"<p", b"<!--")
    ):
        return "html"
    if _control_ratio(head) > 0.05:
        return "binary"
    return "text"


def _control_ratio(head: bytes) -> float:
    if not head:
        return 0.0
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head)
