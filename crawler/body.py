"""Read a response body within bounds: every byte decoded (Content-Encoding, stacked ones too) is
counted against the size cap as it streams, so 32 KB of `gzip, gzip` that would inflate to 20 GB
stops at the cap instead of exhausting memory.

httpx would inflate a whole chunk at once; here the raw bytes are inflated with a length limit per
step (zlib's `max_length`), layer by layer, so no step ever holds more than the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from nianbao.core.errors import FetchError

CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    """More than the cap, decoded."""


class BadEncoding(FetchError):
    """A Content-Encoding nianbao does not accept, or a body that does not decode."""

    kind = "bad_encoding"


def _inflater(encoding: str, url: str) -> zlib._Decompress | None:
    if encoding in ("identity", ""):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise BadEncoding(f"{url}: Content-Encoding {encoding!r} is not accepted", url=url)


class Decoder:
    """The Content-Encoding layers of one response, undone in order, each step bounded."""

    def __init__(self, content_encoding: str | None, *, url: str, limit: int) -> None:
        names = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        # the header lists encodings in the order they were applied: undo them last first
        self.layers = [d for d in (_inflater(name, url) for name in reversed(names)) if d is not None]
        self.url, self.limit, self.size = url, limit, 0

    def feed(self, data: bytes) -> list[bytes]:
        """Decoded pieces of `data`; raises BodyTooLarge past the limit."""
        pieces = [data]
        for layer in self.layers:
            pieces = [out for piece in pieces for out in self._inflate(layer, piece)]
        for piece in pieces:
            self.size += len(piece)
            if self.size > self.limit:
                raise BodyTooLarge
        return pieces

    def _inflate(self, layer: zlib._Decompress, data: bytes) -> list[bytes]:
        out = []
        budget = self.limit - self.size + 1
        try:
            chunk = layer.decompress(data, min(CHUNK, budget))
            total = len(chunk)
            out.append(chunk)
            while layer.unconsumed_tail:
                if total > budget:
                    raise BodyTooLarge
                chunk = layer.decompress(layer.unconsumed_tail, min(CHUNK, budget))
                total += len(chunk)
                out.append(chunk)
        except zlib.error as exc:
            raise BadEncoding(f"{self.url}: the body does not decode ({exc})", url=self.url) from None
        if total > budget:
            raise BodyTooLarge
        return out


async def read_bounded(raw: AsyncIterator[bytes], decoder: Decoder) -> bytes:
    """The decoded body, or BodyTooLarge as soon as the decoded size passes the limit."""
    parts: list[bytes] = []
    async for data in raw:
        parts.extend(decoder.feed(data))
    return b"".join(parts)
