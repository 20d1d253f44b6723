"""Drawing primitives of the licence face, in millimetres (origin top-left, y downwards).

The face is laid out once as a list of these; the OFD writer and the SVG preview each
serialise the same list, so the download and the browser preview cannot drift apart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby

SONG = "宋体"
HEI = "黑体"
BLACK = (0, 0, 0)
DARK_RED = (164, 22, 26)
SEAL_RED = (220, 30, 30)
NAVY = (22, 54, 112)
GREY = (150, 150, 150)


@cache  # one entry per distinct character: a few hundred at most
def is_wide(char: str) -> bool:
    """Tell whether a character takes a full em (CJK and full-width forms)."""
    return unicodedata.east_asian_width(char) in ("W", "F", "A")


def glyph_advance(char: str, size: float) -> float:
    """Return the advance of one character: a full em for CJK, about half an em otherwise."""
    return size if is_wide(char) else size / 2


def advances(text: str, size: float) -> list[float]:
    """Return the n-1 gaps between the n characters of `text` (the OFD DeltaX)."""
    return [glyph_advance(ch, size) for ch in text[:-1]]


@dataclass(frozen=True)
class Run:
    """A stretch of one line that is all wide or all narrow, `offset` from the line's start."""

    offset: float
    text: str
    wide: bool


def runs(text: str, size: float) -> list[Run]:
    """Split a line into wide and narrow runs, each placed where the layout expects it.

    Wide characters are placed one by one (every CJK font gives them a full em); a narrow run
    is left to the reader's font, whose digits, dots and dashes have widths of their own:
    forcing each to half an em drew "2026- 09- 30" in proportional fonts.
    """
    found: list[Run] = []
    offset = 0.0
    for wide, group in groupby(text, key=is_wide):
        chars = "".join(group)
        found.append(Run(round(offset, 3), chars, wide))
        advance = glyph_advance(chars[0], size)
        for _ in chars:  # added one by one, as text_width does, to round the same way
            offset += advance
    return found


@lru_cache(maxsize=1024, typed=True)  # labels, titles and many values recur licence to licence
def text_width(text: str, size: float) -> float:
    """Return the width the text takes on the page."""
    return sum(glyph_advance(ch, size) for ch in text)


@lru_cache(maxsize=4096)  # a page repeats the same few lengths (sizes, offsets, gaps)
def mm(value: float) -> str:
    """Format a length the way OFD files do: at most three decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True)
class Text:
    """One line of text whose first baseline origin is (x, y)."""

    x: float
    y: float
    text: str
    size: float
    font: str = SONG
    color: tuple[int, int, int] = BLACK
    tag: str | None = None  # the metadata field this run carries, if any

    @property
    def width(self) -> float:
        return text_width(self.text, self.size)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Return the Boundary: a little room above the em box and below the baseline."""
        return (self.x, self.y - self.size, self.width, self.size * 1.3)


@dataclass(frozen=True)
class Path:
    """A path placed at `box`; `ops` are (operator, numbers...) relative to the box corner.

    Operators: M (move), L (line), B (cubic Bézier: x1 y1 x2 y2 x y), Z (close). Circles are
    written as Béziers because several readers draw OFD arcs wrongly.
    """

    box: tuple[float, float, float, float]
    ops: tuple[tuple, ...]
    stroke: tuple[int, int, int] | None = BLACK
    fill: tuple[int, int, int] | None = None
    line_width: float = 0.3


@dataclass(frozen=True)
class Image:
    """A PNG painted into `box` (the QR code)."""

    box: tuple[float, float, float, float]
    png: bytes
    name: str = "qrcode.png"


OFD_OPERATORS = {"M": "M", "L": "L", "B": "B", "Z": "C"}
SVG_OPERATORS = {"M": "M", "L": "L", "B": "C", "Z": "Z"}


def path_data(ops: tuple[tuple, ...], operators: dict[str, str]) -> str:
    """Write path operators as text in OFD's (B, C) or SVG's (C, Z) vocabulary."""
    words = []
    for op, *numbers in ops:
        words.append(operators[op])
        words.extend(mm(n) for n in numbers)
    return " ".join(words)


def rectangle(x: float, y: float, w: float, h: float, **style) -> Path:
    """Return a rectangle path."""
    return Path((x, y, w, h), (("M", 0, 0), ("L", w, 0), ("L", w, h), ("L", 0, h), ("Z",)),
                **style)


def circle(cx: float, cy: float, r: float, **style) -> Path:
    """Return a circle as four cubic Béziers (k = 0.5523 of the radius per control arm)."""
    k = 0.5523 * r
    ops = (("M", 2 * r, r), ("B", 2 * r, r + k, r + k, 2 * r, r, 2 * r),
           ("B", r - k, 2 * r, 0, r + k, 0, r), ("B", 0, r - k, r - k, 0, r, 0),
           ("B", r + k, 0, 2 * r, r - k, 2 * r, r), ("Z",))
    return Path((cx - r, cy - r, 2 * r, 2 * r), ops, **style)
