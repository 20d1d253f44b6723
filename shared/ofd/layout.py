"""The licence face laid out on an A5 landscape page, in millimetres.

Both the OFD writer and the SVG preview draw this list of shapes. Long values shrink to
fit their line instead of running into the QR code or the seal.
"""

from __future__ import annotations

import math

from shared.ofd.shapes import (
    DARK_RED,
    GREY,
    HEI,
    NAVY,
    SEAL_RED,
    Image,
    Path,
    Text,
    circle,
    glyph_advance,
    rectangle,
    text_width,
)

__all__ = ["draw_face", "glyph_advance", "PAGE_WIDTH", "PAGE_HEIGHT"]

PAGE_WIDTH, PAGE_HEIGHT = 210, 148
TITLE = "中华人民共和国特种作业操作证"
LABEL_X, VALUE_X, VALUE_END = 18, 44, 150
FIRST_ROW_Y, ROW_STEP, ROW_SIZE = 42, 7.4, 4
QR_BOX = (158, 36, 36, 36)
SEAL_CENTRE, SEAL_RADIUS = (176, 101), 15
WATERMARK = "电子证照"
PAPER = (253, 250, 242)


def draw_face(rows, authority: str, qr_png: bytes, *, footer: str, note: str) -> list:
    """Return every shape of the licence face: frame, title, rows, QR, seal, watermark, footer."""
    shapes: list = [rectangle(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=None, fill=PAPER),
                    rectangle(6, 6, PAGE_WIDTH - 12, PAGE_HEIGHT - 12, stroke=DARK_RED,
                              line_width=0.8),
                    rectangle(8, 8, PAGE_WIDTH - 16, PAGE_HEIGHT - 16, stroke=DARK_RED)]
    shapes.append(_centred(TITLE, 22, 7, font=HEI, color=DARK_RED))
    shapes.append(_centred("（电子证照）", 30, 4, color=NAVY))
    for index, row in enumerate(rows):
        y = FIRST_ROW_Y + index * ROW_STEP
        shapes.append(Text(LABEL_X, y, row.label, 3.8, font=HEI, color=NAVY))
        size = min(ROW_SIZE, (VALUE_END - VALUE_X) / text_width(row.value, 1))
        shapes.append(Text(VALUE_X, y, row.value, round(size, 3), tag=row.code))
    shapes.append(Image(QR_BOX, qr_png))
    shapes.append(_centred("扫码核验真伪", QR_BOX[1] + QR_BOX[3] + 4, 3, centre=_qr_centre()))
    shapes.extend(_seal(authority))
    shapes.append(_watermark_line(128))
    shapes.append(Text(LABEL_X, 136, footer, 2.4, color=GREY))
    shapes.append(_right_aligned(note, 136, 2.4, PAGE_WIDTH - LABEL_X, color=GREY))
    return shapes


def _qr_centre() -> float:
    return QR_BOX[0] + QR_BOX[2] / 2


def _centred(text: str, y: float, size: float, *, centre: float = PAGE_WIDTH / 2,
             **style) -> Text:
    return Text(round(centre - text_width(text, size) / 2, 3), y, text, size, **style)


def _right_aligned(text: str, y: float, size: float, right: float, **style) -> Text:
    return Text(round(right - text_width(text, size), 3), y, text, size, **style)


def _watermark_line(y: float) -> Text:
    """A light line of repeated 电子证照 across the page, as printed e-licence copies carry."""
    unit = WATERMARK + "　"
    count = int((PAGE_WIDTH - 2 * LABEL_X) // text_width(unit, 3.2))
    return _centred((unit * count).rstrip("　"), y, 3.2, color=(215, 205, 190))


def _seal(authority: str) -> list:
    """Draw the simulated seal: a red ring, a star, the authority and 模拟电子印章."""
    cx, cy = SEAL_CENTRE
    r = SEAL_RADIUS
    ring = circle(cx, cy, r, stroke=SEAL_RED, line_width=0.8)
    name_size = round(min(2.8, (1.6 * r) / max(len(authority), 1)), 3)
    return [ring, _star(cx, cy - 1, 4.2),
            _centred(authority, cy - 6, name_size, centre=cx, color=SEAL_RED),
            _centred("模拟电子印章", cy + 8.5, 2.6, centre=cx, color=SEAL_RED)]


def _star(cx: float, cy: float, outer: float) -> Path:
    """Return a filled five-pointed star centred on (cx, cy)."""
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append((outer + radius * math.cos(angle), outer + radius * math.sin(angle)))
    ops = [("M", *points[0])] + [("L", *p) for p in points[1:]] + [("Z",)]
    return Path((cx - outer, cy - outer, 2 * outer, 2 * outer), tuple(ops),
                stroke=None, fill=SEAL_RED)
