"""Images drawn with PIL for the dev PKI: red agency seal, blue handwritten signature."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import fontpkg_be_vietnam_pro
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(fontpkg_be_vietnam_pro.__file__).parent / "files"
SEAL_RED = (218, 30, 40, 255)
INK_BLUE = (20, 40, 170, 255)
SEAL_PX = 425  # 36 mm at 300 dpi


def font_path(style: str = "Regular") -> Path:
    """Path of a Be Vietnam Pro TTF (full Vietnamese coverage)."""
    return FONT_DIR / f"BeVietnamPro-{style}.ttf"


def _font(style: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(style)), size)


def draw_seal(agency_name: str, agency_abbr: str) -> Image.Image:
    """A red round seal with the agency name around the rim and a star in the centre."""
    size = SEAL_PX
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2
    draw.ellipse((6, 6, size - 6, size - 6), outline=SEAL_RED, width=10)
    draw.ellipse((58, 58, size - 58, size - 58), outline=SEAL_RED, width=4)
    text = unicodedata.normalize("NFC", agency_name.upper())
    font = _font("Bold", 30)
    radius = c - 36
    span = min(300.0, 11.5 * len(text))
    start = -90 - span / 2
    for i, ch in enumerate(text):
        angle = start + span * (i + 0.5) / max(len(text), 1)
        rad = math.radians(angle)
        glyph = Image.new("RGBA", (48, 48), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((24, 24), ch, font=font, fill=SEAL_RED, anchor="mm")
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC)
        x = c + radius * math.cos(rad) - 24
        y = c + radius * math.sin(rad) - 24
        img.alpha_composite(glyph, (int(x), int(y)))
    # five-pointed star
    points = []
    for k in range(10):
        r = 52 if k % 2 == 0 else 21
        a = math.radians(-90 + 36 * k)
        points.append((c + r * math.cos(a), c - 30 + r * math.sin(a)))
    draw.polygon(points, fill=SEAL_RED)
    draw.text(
        (c, c + 62), unicodedata.normalize("NFC", agency_abbr), font=_font("Bold", 40),
        fill=SEAL_RED, anchor="mm",
    )
    return img


def draw_signature(full_name: str) -> Image.Image:
    """A blue handwritten-looking signature on a transparent background."""
    name = unicodedata.normalize("NFC", full_name)
    short = name.split()[-1] if name.split() else name
    img = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.text((300, 105), short, font=_font("ThinItalic", 110), fill=INK_BLUE, anchor="mm")
    draw.text((300, 105), short, font=_font("LightItalic", 108), fill=INK_BLUE, anchor="mm")
    pts = [
        (60 + t * 4.8, 175 + 22 * math.sin(t / 9.0) - t * 0.25) for t in range(0, 100)
    ]
    draw.line(pts, fill=INK_BLUE, width=5, joint="curve")
    return img
