"""The verification QR code as a small, deterministic PNG (qrcode for the modules)."""

from __future__ import annotations

import base64
import struct
import zlib
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import optimal_data_chunks

MODULE_PX = 4   # pixels per module: crisp when the reader scales the image
QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)
# Trying all eight masks and scoring them is 80% of the cost of a whole licence file. On our
# verification URLs mask 4 scores on average 3% (at worst 21%) above the best mask, and any
# mask decodes the same, so we fix it (measured over 60 licence URLs; see docs/licence-files.md).
MASK_PATTERN = 4


# The smallest version that holds the data depends only on its chunks' modes and lengths
# (not on the characters), so it is found once per shape: verification URLs share one or two.
_FITTED_VERSIONS: dict[tuple[tuple[int, int], ...], int] = {}


def qr_matrix(text: str) -> list[list[bool]]:
    """Return the QR modules for `text`, quiet zone included (True = dark)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE,
                         mask_pattern=MASK_PATTERN)
    chunks = list(optimal_data_chunks(text.encode("utf-8"), minimum=20))  # as add_data does
    for chunk in chunks:
        code.add_data(chunk)
    shape = tuple((chunk.mode, len(chunk)) for chunk in chunks)
    if shape not in _FITTED_VERSIONS:
        _FITTED_VERSIONS[shape] = code.best_fit()
    code.version = _FITTED_VERSIONS[shape]
    code.make(fit=False)
    return code.get_matrix()


@lru_cache(maxsize=256)
def qr_png(text: str) -> bytes:
    """Return a 1-bit greyscale PNG of the QR code for `text`."""
    matrix = qr_matrix(text)
    side = len(matrix) * MODULE_PX
    rows = [_png_row(row) for row in matrix]
    raw = b"".join(b"\x00" + row for row in rows for _ in range(MODULE_PX))
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def qr_data_uri(text: str) -> str:
    """Return the QR PNG as a data URI for HTML and SVG."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")


_MODULE_BITS = {True: "0" * MODULE_PX, False: "1" * MODULE_PX}  # dark is black (0)


def _png_row(modules: list[bool]) -> bytes:
    """Pack one module row into 1-bit pixels (1 = white), each module MODULE_PX wide."""
    bits = "".join(map(_MODULE_BITS.__getitem__, modules))
    bits += "1" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
