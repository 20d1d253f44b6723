"""XML helpers in the OFD namespace, and the page content written from the face shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from lxml import etree

from shared.ofd.shapes import OFD_OPERATORS, Image, Path, Text, advances, mm, path_data, runs

OFD_NS = "http://www.ofdspec.org/2016"
NSMAP = {"ofd": OFD_NS}


def q(tag: str) -> str:
    """Return the qualified name of an OFD element."""
    return f"{{{OFD_NS}}}{tag}"


def root(tag: str, **attrs: str) -> etree._Element:
    """Create an `ofd:` root element."""
    return etree.Element(q(tag), attrs, nsmap=NSMAP)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    """Append an `ofd:` child with attributes (in the given order) and optional text."""
    child = etree.SubElement(parent, q(tag), attrs)
    if text is not None:
        child.text = text
    return child


def xml_bytes(element: etree._Element) -> bytes:
    """Serialise a part: UTF-8 without BOM, declared, indented for people reading it."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def box(values) -> str:
    return " ".join(map(mm, values))


@cache  # a handful of colours
def colour(rgb) -> str:
    return " ".join(str(v) for v in rgb)


def delta_x(gaps: list[float]) -> str:
    """Write DeltaX, folding runs of equal gaps into the `g count value` shorthand."""
    words, i = [], 0
    while i < len(gaps):
        run = 1
        while i + run < len(gaps) and gaps[i + run] == gaps[i]:
            run += 1
        words.extend(["g", str(run), mm(gaps[i])] if run > 1 else [mm(gaps[i])])
        i += run
    return " ".join(words)


@dataclass
class UnitIds:
    """Hand out the document's IDs: one number space for every kind of object."""

    last: int = 0
    tagged: dict[str, int] = field(default_factory=dict)

    def next(self) -> int:
        self.last += 1
        return self.last


@dataclass(frozen=True)
class PageResources:
    fonts: dict[str, int]  # font name -> Font ID
    image_id: int          # the QR MultiMedia ID


def page_content(shapes: list, ids: UnitIds, res: PageResources) -> etree._Element:
    """Return `<ofd:Page>` with one body layer holding every shape, in drawing order."""
    page = root("Page")
    layer = sub(sub(page, "Content"), "Layer", ID=str(ids.next()), Type="Body")
    for shape in shapes:
        object_id = ids.next()
        if isinstance(shape, Text):
            _text_object(layer, object_id, shape, res)
            if shape.tag:
                ids.tagged[shape.tag] = object_id
        elif isinstance(shape, Image):
            x, y, w, h = shape.box
            sub(layer, "ImageObject", ID=str(object_id), Boundary=box(shape.box),
                CTM=f"{mm(w)} 0 0 {mm(h)} 0 0", ResourceID=str(res.image_id))
        else:
            _path_object(layer, object_id, shape)
    return page


def _text_object(layer, object_id: int, text: Text, res: PageResources) -> None:
    """TextObject: FillColor, then the line's TextCodes (see text_codes)."""
    obj = sub(layer, "TextObject", ID=str(object_id), Boundary=box(text.box),
              Font=str(res.fonts[text.font]), Size=mm(text.size))
    sub(obj, "FillColor", Value=colour(text.color))
    for chars, attrs in text_codes(text.text, text.size):
        sub(obj, "TextCode", chars, **dict(attrs))


@lru_cache(maxsize=1024, typed=True)  # labels, titles and many values recur licence to licence
def text_codes(line: str, size: float) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Return (text, attributes) of each TextCode of a line: one a run (shapes.runs), each at its
    own X on the baseline; wide runs carry DeltaX, narrow ones take their advances from the
    reader's font."""
    codes = []
    for run in runs(line, size):
        attrs = {"X": mm(run.offset), "Y": mm(size)}
        if run.wide and len(run.text) > 1:
            attrs["DeltaX"] = delta_x(advances(run.text, size))
        codes.append((run.text, tuple(attrs.items())))
    return tuple(codes)


def _path_object(layer, object_id: int, path: Path) -> None:
    """PathObject: StrokeColor before FillColor (the reverse of text), then the data."""
    obj = sub(layer, "PathObject", ID=str(object_id), Boundary=box(path.box),
              LineWidth=mm(path.line_width), Stroke=str(path.stroke is not None).lower(),
              Fill=str(path.fill is not None).lower())
    if path.stroke:
        sub(obj, "StrokeColor", Value=colour(path.stroke))
    if path.fill or path.stroke:  # a stroke-only path repeats its colour: some readers
        sub(obj, "FillColor", Value=colour(path.fill or path.stroke))  # stroke in FillColor
    sub(obj, "AbbreviatedData", path_data(path.ops, OFD_OPERATORS))
