"""QR codes the portals draw (qrcode): the face-check links and the app download link."""

from __future__ import annotations

import base64
import io

import qrcode


def qr_png(text: str, *, box_size: int = 6) -> bytes:
    """Encode `text` as a QR code PNG (error correction M, quiet zone 2)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size,
                         border=2)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").get_image().save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """Return a PNG as a data: URI for an <img src>."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
