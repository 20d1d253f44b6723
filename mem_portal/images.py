"""The captcha picture the ministry portal draws itself (Pillow); QR codes are shared.web.images."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

CAPTCHA_SIZE = (120, 44)


def captcha_png(answer: str, token: str) -> bytes:
    """Draw the captcha answer as a distorted PNG; the same token always draws the same image."""
    rng = random.Random(token)
    width, height = CAPTCHA_SIZE
    image = Image.new("RGB", CAPTCHA_SIZE, (rng.randint(225, 245), rng.randint(235, 250), 250))
    draw = ImageDraw.Draw(image)
    for _ in range(120):
        draw.point((rng.randrange(width), rng.randrange(height)), fill=_colour(rng, 120, 200))
    step = width // (len(answer) + 1)
    for index, char in enumerate(answer):
        image.paste(*_glyph(char, rng, (step // 2 + index * step + rng.randint(-2, 2),
                                        rng.randint(0, 6))))
    for _ in range(4):
        points = [(rng.randrange(width), rng.randrange(height)) for _ in range(2)]
        draw.line(points, fill=_colour(rng, 60, 160), width=1)
    return _png(image.filter(ImageFilter.SMOOTH))


def _glyph(char: str, rng: random.Random, at: tuple[int, int]):
    """Return (image, position, mask) for one rotated, coloured character."""
    font = ImageFont.load_default(size=rng.randint(26, 30))
    tile = Image.new("L", (36, 40), 0)
    ImageDraw.Draw(tile).text((5, 2), char, font=font, fill=255)
    tile = tile.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    colour = Image.new("RGB", tile.size, _colour(rng, 20, 120))
    return colour, at, tile


def _colour(rng: random.Random, low: int, high: int) -> tuple[int, int, int]:
    return rng.randint(low, high), rng.randint(low, high), rng.randint(low, high)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
