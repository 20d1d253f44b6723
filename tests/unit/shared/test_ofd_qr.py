"""The verification QR code image."""

from __future__ import annotations

import io

from PIL import Image

from shared.ofd.qr import MODULE_PX, QUIET_ZONE, qr_matrix, qr_png

URL = "http://127.0.0.1:5000/verify/1.2.156.3005.2.11100000MB0143553R001.11100000MB0143553R.20230000000001.001.E"


def test_the_png_draws_exactly_the_qr_modules_with_a_quiet_zone():
    matrix = qr_matrix(URL)
    image = Image.open(io.BytesIO(qr_png(URL)))
    assert image.size == (len(matrix) * MODULE_PX,) * 2
    pixels = image.convert("L").load()
    for row, modules in enumerate(matrix):
        for col, dark in enumerate(modules):
            assert (pixels[col * MODULE_PX + 1, row * MODULE_PX + 1] == 0) == dark
    assert not any(matrix[0]) and not any(row[QUIET_ZONE - 1] for row in matrix)

