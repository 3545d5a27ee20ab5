"""What a PDF page holds for the reader, read with PDFium (C, fast): each character with its box,
and the ruling lines the page draws.

The boxes are the ones pdfplumber (pdfminer, pure Python) gives, so that the words, lines and
table cells built from them are the same as before (`pdf_geometry`):
- x: from the character's origin and advance (PDFium's loose box);
- y: the baseline plus the font's descent as its descriptor states it, and the font size above
  it.  PDFium replaces a descriptor's zero Descent with the font file's own, pdfminer keeps the
  zero; PDFium has no call that gives the descriptor's number, so the descriptors are read from
  the PDF's objects (`font_descents`, with pdfminer's object parser: no page is interpreted).
- a space character PDFium folds into a generated space (inside one text run) still parts two
  words, as the space did for pdfminer; a generated space over a gap wider than pdfplumber's
  tolerance is no character (PDFium generates them for the gaps a run leaves for another's
  characters, which pdfminer does not).

The ruling lines are the page's path objects (and those inside forms), classified as pdfminer
does: one segment is a line, an axis-aligned closed four-point path a rectangle (four edges),
anything else a curve (its axis-aligned segments).

PDFium keeps coordinates as 32-bit floats; they are rounded to 4 decimals, which gives back the
content stream's numbers (a page is under 10,000 pt).  The ctypes calls go through prototypes on
plain addresses: pypdfium2's own argument checks cost more than the calls.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS as _STANDARD

from parsers.guard import PAGE_OBJECTS, check_page_chars, check_page_objects

_PATH, _TEXT, _IMAGE, _FORM = (
    pdfium_c.FPDF_PAGEOBJ_PATH,
    pdfium_c.FPDF_PAGEOBJ_TEXT,
    pdfium_c.FPDF_PAGEOBJ_IMAGE,
    pdfium_c.FPDF_PAGEOBJ_FORM,
)
_P = ctypes.c_void_p


def _proto(function: Any, result: Any, *args: Any) -> Any:
    return ctypes.CFUNCTYPE(result, *args)(ctypes.cast(function, ctypes.c_void_p).value or 0)


_count_chars = _proto(pdfium_c.FPDFText_CountChars, ctypes.c_int, _P)
_loose_box = _proto(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int, _P, ctypes.c_int, _P)
_origin = _proto(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int, _P, ctypes.c_int, _P, _P)
_text_object = _proto(pdfium_c.FPDFText_GetTextObject, _P, _P, ctypes.c_int)
_is_generated = _proto(pdfium_c.FPDFText_IsGenerated, ctypes.c_int, _P, ctypes.c_int)
_font_size = _proto(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, _P, ctypes.c_int)
_char_matrix = _proto(pdfium_c.FPDFText_GetMatrix, ctypes.c_int, _P, ctypes.c_int, _P)
_get_text = _proto(pdfium_c.FPDFText_GetText, ctypes.c_int, _P, ctypes.c_int, ctypes.c_int, _P)
_count_objects = _proto(pdfium_c.FPDFPage_CountObjects, ctypes.c_int, _P)
_get_object = _proto(pdfium_c.FPDFPage_GetObject, _P, _P, ctypes.c_int)
_form_count = _proto(pdfium_c.FPDFFormObj_CountObjects, ctypes.c_int, _P)
_form_object = _proto(pdfium_c.FPDFFormObj_GetObject, _P, _P, ctypes.c_ulong)
_object_type = _proto(pdfium_c.FPDFPageObj_GetType, ctypes.c_int, _P)
_object_matrix = _proto(pdfium_c.FPDFPageObj_GetMatrix, ctypes.c_int, _P, _P)
_segments = _proto(pdfium_c.FPDFPath_CountSegments, ctypes.c_int, _P)
_segment = _proto(pdfium_c.FPDFPath_GetPathSegment, _P, _P, ctypes.c_int)
_segment_point = _proto(pdfium_c.FPDFPathSegment_GetPoint, ctypes.c_int, _P, _P, _P)
_segment_type = _proto(pdfium_c.FPDFPathSegment_GetType, ctypes.c_int, _P)
_segment_close = _proto(pdfium_c.FPDFPathSegment_GetClose, ctypes.c_int, _P)
_object_font = _proto(pdfium_c.FPDFTextObj_GetFont, _P, _P)
_font_name = _proto(pdfium_c.FPDFFont_GetBaseFontName, ctypes.c_size_t, _P, _P, ctypes.c_size_t)
_font_descent = _proto(pdfium_c.FPDFFont_GetDescent, ctypes.c_int, _P, ctypes.c_float, _P)
_SPACE_GAP = 3.0  # pdfplumber's x_tolerance: a wider gap parts two words with or without a space
_MOVE, _LINE = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO


def _address(handle: Any) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


@dataclass(slots=True)
class PageContent:
    """One page as pdfplumber shaped it: characters (dicts with text, x0, x1, top, bottom, doctop,
    upright, size), edges (the ruling lines, as pdfplumber's edge dicts), and the page's box."""

    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    images: int
    width: float
    height: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)


class Unsupported(Exception):
    """A page this reader does not read as pdfplumber would (rotated page or text, a crop box off
    the media box): the caller reads the document with pdfplumber."""


def read_page(
    page: pdfium.PdfPage, descents: dict[str, Any], doctop: float, *, number: int = 1, source: str = "<input>"
) -> PageContent:
    """The characters and ruling lines of one page; a page drawing more objects or holding more
    characters than any report page is refused before they are read (`guard`)."""
    if page.get_rotation() % 360:
        raise Unsupported("a rotated page")
    left, bottom, right, top = page.get_mediabox()
    if left or bottom:
        raise Unsupported("a media box off the origin")
    width, height = right - left, top - bottom
    handle = _address(page.raw)
    check_page_objects(min(_count_objects(handle), PAGE_OBJECTS + 1), number, source)
    textpage = page.get_textpage()
    try:
        check_page_chars(_count_chars(_address(textpage.raw)), number, source)
        chars = _chars(_address(textpage.raw), height, descents, doctop)
    finally:
        textpage.close()
    lines: list[dict[str, Any]] = []
    rects: list[dict[str, Any]] = []
    curves: list[dict[str, Any]] = []
    images = 0
    for kind, obj, matrix in _objects(handle):
        if kind == _PATH:
            _path(obj, matrix, height, doctop, lines, rects, curves)
        elif kind == _IMAGE:
            images += 1
    edges = [_line_edge(e) for e in lines] + [e for r in rects for e in _rect_edges(r)]
    edges += [e for c in curves for e in _curve_edges(c)]
    return PageContent(chars, edges, images, width, height)


def _r(value: float) -> float:
    return round(value, 4) + 0.0


def _chars(textpage: int, height: float, descents: dict[str, Any], doctop: float) -> list[dict[str, Any]]:
    count = _count_chars(textpage)
    if count <= 0:
        return []
    text_buffer = ctypes.create_string_buffer(2 * (count + 1))
    written = _get_text(textpage, 0, count, ctypes.addressof(text_buffer))
    text = text_buffer.raw[: 2 * max(written - 1, 0)].decode("utf-16-le", "replace")
    if len(text) != count:  # characters outside the BMP: one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(ctypes.c_void_p(textpage), i)) for i in range(count))
    boxes = (ctypes.c_float * (4 * count))()
    box_base = ctypes.addressof(boxes)
    objects = [0] * count
    for i in range(count):
        _loose_box(textpage, i, box_base + 16 * i)
        objects[i] = _text_object(textpage, i) or 0
    # per text run (one show-text operator): size, upright, descent, baseline, and the loose box's
    # bottom of its first character (a character whose bottom differs has its own baseline)
    runs: dict[int, tuple[float, bool, float, float, float]] = {}
    fonts: dict[int, float] = {}
    matrix = (ctypes.c_float * 6)()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    origin_x, origin_y = ctypes.addressof(ox), ctypes.addressof(oy)
    out: list[dict[str, Any]] = []
    pending_space = False
    previous_object = -1
    for i in range(count):
        glyph = text[i]
        obj = objects[i]
        if glyph in "\r\n" or not obj:
            pending_space = False
            continue
        if glyph == " " and _is_generated(textpage, i):
            # a real space PDFium folded into a generated one, inside one text run: it parts words
            pending_space = obj == previous_object
            continue
        space_before = pending_space and obj == previous_object and bool(out)
        pending_space = False
        previous_object = obj
        low = boxes[4 * i + 3]
        run = runs.get(obj)
        if run is None:
            size = _font_size(textpage, i)
            _char_matrix(textpage, i, ctypes.addressof(matrix))
            a, b, c, d = matrix[0], matrix[1], matrix[2], matrix[3]
            if not (a * d > 0 and b * c <= 0):
                raise Unsupported("rotated text")
            _origin(textpage, i, origin_x, origin_y)
            run = runs[obj] = (size, True, _descent(obj, size, descents, fonts), round(oy.value, 4), low)
        size, upright, descent, baseline, first_low = run
        if low != first_low:  # the run's characters do not share one baseline: this one's own
            _origin(textpage, i, origin_x, origin_y)
            baseline = round(oy.value, 4)
        x0 = round(boxes[4 * i], 4)
        x1 = round(x0 + (boxes[4 * i + 2] - boxes[4 * i]), 4)
        y0 = baseline + descent * size
        top = height - (y0 + size)
        if space_before and -1 <= x0 - out[-1]["x1"] <= _SPACE_GAP:
            out.append(_space_after(out[-1]))
        out.append(
            {
                "text": glyph,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": height - y0,
                "doctop": doctop + top,
                "upright": upright,
                "size": size,
                "width": x1 - x0,
                "height": size,
            }
        )
    return out


def _space_after(char: dict[str, Any]) -> dict[str, Any]:
    return {**char, "text": " ", "x0": char["x1"], "width": 0.0}


def _descent(obj: int, size: float, descents: dict[str, Any], fonts: dict[int, float]) -> float:
    """The font's descent per unit of size, as pdfminer takes it (its descriptor's Descent)."""
    font = _object_font(obj) or 0
    if not font:
        return 0.0
    if font not in fonts:
        fonts[font] = _font_descent_of(font, size, descents)
    return fonts[font]


def _font_descent_of(font: int, size: float, descents: dict[str, Any]) -> float:
    buffer = ctypes.create_string_buffer(256)
    length = _font_name(font, ctypes.addressof(buffer), 256)
    name = buffer.raw[: max(length - 1, 0)].decode("utf-8", "replace")
    if name not in descents and name in _STANDARD:
        descents[name] = -abs(float(_STANDARD[name][0].get("Descent", 0) or 0)) * 0.001 + 0.0  # type: ignore[arg-type]
    if name not in descents and _FULL not in descents:
        descents[_FULL] = None  # a font the quick scan missed (in an object stream, a Type 3 font)
        data = descents.pop(_DATA, None)
        if isinstance(data, bytes):
            descents.update(font_descents(data) or {})
    known = descents.get(name)
    if known is not None:
        return float(known)
    value = ctypes.c_float()
    if size and _font_descent(font, ctypes.c_float(size), ctypes.addressof(value)):
        return value.value / size
    return 0.0


def _objects(
    owner: int, *, form: bool = False, outer: tuple[float, ...] | None = None, depth: int = 0
) -> Iterator[tuple[int, int, tuple[float, ...]]]:
    """(type, handle, matrix to page space) of each object, forms entered (pdfminer's figures)."""
    matrix = (ctypes.c_float * 6)()
    count = _form_count(owner) if form else _count_objects(owner)
    for index in range(count):
        obj = _form_object(owner, index) if form else _get_object(owner, index)
        if not obj:
            continue
        kind = _object_type(obj)
        if kind not in (_PATH, _FORM):
            yield kind, obj, ()
            continue
        _object_matrix(obj, ctypes.addressof(matrix))
        own = tuple(_r(v) for v in matrix)
        combined = own if outer is None else _multiply(own, outer)
        if kind == _FORM:
            if depth < 8:
                yield from _objects(obj, form=True, outer=combined, depth=depth + 1)
            continue
        yield kind, obj, combined


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a0, b0, c0, d0, e0, f0 = m
    a1, b1, c1, d1, e1, f1 = n
    return (
        a0 * a1 + b0 * c1,
        a0 * b1 + b0 * d1,
        c0 * a1 + d0 * c1,
        c0 * b1 + d0 * d1,
        e0 * a1 + f0 * c1 + e1,
        e0 * b1 + f0 * d1 + f1,
    )


def _path(
    obj: int,
    matrix: tuple[float, ...],
    height: float,
    doctop: float,
    lines: list[dict[str, Any]],
    rects: list[dict[str, Any]],
    curves: list[dict[str, Any]],
) -> None:
    """The path's subpaths as pdfminer paints them: lines, rectangles, curves."""
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.addressof(x), ctypes.addressof(y)
    a, b, c, d, e, f = matrix
    subpath: list[tuple[str, tuple[float, float]]] = []
    subpaths = [subpath]
    for index in range(_segments(obj)):
        segment = _segment(obj, index)
        _segment_point(segment, px, py)
        sx, sy = _r(x.value), _r(y.value)
        point = (a * sx + c * sy + e, b * sx + d * sy + f)
        kind = _segment_type(segment)
        if kind == _MOVE:
            subpath = [("m", point)]
            subpaths.append(subpath)
        else:
            subpath.append(("l" if kind == _LINE else "c", point))
        if _segment_close(segment) and subpath:
            subpath.append(("h", subpath[0][1]))
    for path in subpaths:
        _paint(path, height, doctop, lines, rects, curves)


def _paint(
    path: list[tuple[str, tuple[float, float]]],
    height: float,
    doctop: float,
    lines: list[dict[str, Any]],
    rects: list[dict[str, Any]],
    curves: list[dict[str, Any]],
) -> None:
    if not path or path[0][0] != "m":
        return
    shape = "".join(op for op, _ in path)
    pts = [p for _, p in path]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        lines.append(_box(pts[:2], height, doctop))
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            rects.append(_box([pts[0], pts[2]], height, doctop))
        else:
            curves.append(_curve(pts, height, doctop))
    else:
        curves.append(_curve(pts, height, doctop))


def _box(pts: list[tuple[float, float]], height: float, doctop: float) -> dict[str, Any]:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    top = height - y1
    return {
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "top": top,
        "bottom": height - y0,
        "doctop": doctop + top,
        "width": x1 - x0,
        "height": y1 - y0,
    }


def _curve(pts: list[tuple[float, float]], height: float, doctop: float) -> dict[str, Any]:
    box = _box(pts, height, doctop)
    box["pts"] = [(x, height - y) for x, y in pts]
    return box


def _line_edge(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "object_type": "line", "orientation": "h" if line["top"] == line["bottom"] else "v"}


def _rect_edges(rect: dict[str, Any]) -> list[dict[str, Any]]:
    """pdfplumber's rect_to_edges."""
    kind = {"object_type": "rect_edge"}
    top = {**rect, **kind, "height": 0, "y0": rect["y1"], "bottom": rect["top"], "orientation": "h"}
    bottom = {
        **rect,
        **kind,
        "height": 0,
        "y1": rect["y0"],
        "top": rect["top"] + rect["height"],
        "doctop": rect["doctop"] + rect["height"],
        "orientation": "h",
    }
    left = {**rect, **kind, "width": 0, "x1": rect["x0"], "orientation": "v"}
    right = {**rect, **kind, "width": 0, "x0": rect["x1"], "orientation": "v"}
    return [top, bottom, left, right]


def _curve_edges(curve: dict[str, Any]) -> list[dict[str, Any]]:
    """pdfplumber's curve_to_edges."""
    pts = curve["pts"]
    shift = curve["doctop"] - curve["top"]
    return [
        {
            "object_type": "curve_edge",
            "x0": min(p0[0], p1[0]),
            "x1": max(p0[0], p1[0]),
            "top": min(p0[1], p1[1]),
            "doctop": min(p0[1], p1[1]) + shift,
            "bottom": max(p0[1], p1[1]),
            "width": abs(p0[0] - p1[0]),
            "height": abs(p0[1] - p1[1]),
            "orientation": "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None),
        }
        for p0, p1 in zip(pts, pts[1:], strict=False)
    ]


_FULL, _DATA = "\0pdfminer", "\0data"
_DESCRIPTOR = re.compile(rb"/Type\s*/FontDescriptor\b")
_FONT_NAME = re.compile(rb"/FontName\s*/([^\s/<>\[\]()]+)")
_DESCENT = re.compile(rb"/Descent\s+(-?[\d.]+)")


def quick_descents(data: bytes) -> dict[str, Any]:
    """The descriptors' descents found in the file's plain objects (a regular expression over the
    bytes: pdfminer takes 15 ms a document to find them); a font it misses sends `_descent` to
    `font_descents` once.  The standard fonts without a descriptor take pdfminer's metrics."""
    out: dict[str, Any] = {_DATA: data}
    for match in _DESCRIPTOR.finditer(data):
        start = data.rfind(b" obj", 0, match.start())
        end = data.find(b"endobj", match.end())
        body = data[start if start >= 0 else match.start() : end if end >= 0 else match.end() + 2000]
        name, descent = _FONT_NAME.search(body), _DESCENT.search(body)
        if name is None:
            continue
        key = name.group(1).decode("latin-1").split("+", 1)[-1]
        if key in _STANDARD:
            continue  # pdfminer takes a standard font's metrics over its descriptor
        try:
            value = -abs(float(descent.group(1))) * 0.001 + 0.0 if descent else 0.0
        except ValueError:
            continue
        if key in out and out[key] != value:
            out[key] = None
        else:
            out.setdefault(key, value)
    return out


def font_descents(data: bytes) -> dict[str, float | None] | None:
    """Each font's descent per unit of size, by BaseFont name, as pdfminer reads it from the
    font's descriptor (None where two fonts of one name disagree).  Objects only: no page is
    interpreted.  None when pdfminer cannot parse the document (pdfplumber then names why)."""
    import io

    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    out: dict[str, float | None] = {}
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        seen: set[int] = set()
        for page in PDFPage.create_pages(document):
            _resources_fonts(page.resources, out, seen, 0)
    except Exception:  # damaged or encrypted for pdfminer: the reader before PDFium says which
        return None
    return out


def _resources_fonts(resources: Any, out: dict[str, float | None], seen: set[int], depth: int) -> None:
    from pdfminer.pdftypes import resolve1

    resources = resolve1(resources)
    if not isinstance(resources, dict) or depth > 8:
        return
    for spec in _unseen(resources.get("Font"), seen):
        if isinstance(spec, dict):
            _font(spec, out)
    for stream in _unseen(resources.get("XObject"), seen):
        attrs = getattr(stream, "attrs", None)
        if isinstance(attrs, dict) and _name(attrs.get("Subtype")) == "Form":
            _resources_fonts(attrs.get("Resources"), out, seen, depth + 1)


def _unseen(entries: Any, seen: set[int]) -> Iterator[Any]:
    """The objects a resource dictionary names, each object once (a shared font or form is read
    once, and a form that contains itself does not loop)."""
    from pdfminer.pdftypes import PDFObjRef, resolve1

    entries = resolve1(entries)
    if not isinstance(entries, dict):
        return
    for ref in entries.values():
        if isinstance(ref, PDFObjRef):
            if ref.objid in seen:
                continue
            seen.add(ref.objid)
        yield resolve1(ref)


def _name(value: Any) -> str:
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import literal_name

    value = resolve1(value)
    if value is None:
        return ""
    try:
        name = literal_name(value)
    except Exception:
        return ""
    return name.decode("latin-1") if isinstance(name, bytes) else str(name)


def _font(spec: dict[str, Any], out: dict[str, float | None]) -> None:
    """pdfminer's descent of one font (PDFFont, PDFType1Font, PDFType3Font, PDFCIDFont)."""
    from pdfminer.fontmetrics import FONT_METRICS
    from pdfminer.pdftypes import resolve1

    names = [_name(spec.get("BaseFont"))]
    subtype = _name(spec.get("Subtype"))
    if subtype == "Type0":
        descendants = resolve1(spec.get("DescendantFonts"))
        if not isinstance(descendants, list) or not descendants:
            return
        spec = resolve1(descendants[0])
        if not isinstance(spec, dict):
            return
        names.append(_name(spec.get("BaseFont")))
        subtype = _name(spec.get("Subtype"))
    descriptor = resolve1(spec.get("FontDescriptor"))
    if subtype == "Type3":
        if not isinstance(descriptor, dict):
            descriptor = {"FontBBox": spec.get("FontBBox")}
        bbox = resolve1(descriptor.get("FontBBox"))
        matrix = resolve1(spec.get("FontMatrix"))
        try:
            a, b, c, d = (float(resolve1(v)) for v in list(matrix)[:4])
            value: float = float(resolve1(list(bbox)[1])) * (b + d)
        except Exception:
            return
    else:
        if subtype not in ("CIDFontType0", "CIDFontType2") and names[0] in FONT_METRICS:
            descriptor = FONT_METRICS[names[0]][0]
        if not isinstance(descriptor, dict):
            descriptor = {}
        try:
            descent = float(resolve1(descriptor.get("Descent", 0)) or 0)
        except (TypeError, ValueError):
            descent = 0.0
        value = -abs(descent) * 0.001
    value += 0.0
    for name in {n.split("+", 1)[-1] for n in names}:  # PDFium names a font without its subset tag
        if not name:
            continue
        if name in out and out[name] != value:
            out[name] = None
        elif name not in out:
            out[name] = value
