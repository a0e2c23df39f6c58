"""Decree-30 signature appearances, built once per signer/image and reused.

- official: the signature image (blue, transparent) filling ``sig_official``;
- seal: the red seal image at real size (~36 mm), overlapping a third of the official's
  signature on its left;
- copy/attachment: no image, text "code + signing time (+07:00)" top right of page 1.
"""

from __future__ import annotations

import functools
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle, StaticStampStyle

from signing.fonts import CachedFont, vietnamese_font

MM = 72 / 25.4
SEAL_SIZE = 36 * MM


class CachedImage(PdfImage):
    """A PdfImage whose XObject streams are compressed once and copied into each writer."""

    def __init__(self, image: Image.Image) -> None:
        super().__init__(image)
        rgba = image.convert("RGBA")
        self._rgb = zlib.compress(rgba.convert("RGB").tobytes(), 6)
        self._alpha = zlib.compress(rgba.split()[-1].tobytes(), 6)

    def _stream(self, data: bytes, colour: str, smask: generic.IndirectObject | None
                ) -> generic.StreamObject:
        d = {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(self.image.width),
            pdf_name("/Height"): generic.NumberObject(self.image.height),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8),
            pdf_name("/ColorSpace"): pdf_name(colour),
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        }
        if smask is not None:
            d[pdf_name("/SMask")] = smask
        return generic.StreamObject(d, encoded_data=data)

    @property
    def image_ref(self) -> generic.IndirectObject:
        assert self.writer is not None
        ref = self._image_ref
        if ref is None or ref.get_pdf_handler() is not self.writer:
            smask = self.writer.add_object(self._stream(self._alpha, "/DeviceGray", None))
            ref = self.writer.add_object(self._stream(self._rgb, "/DeviceRGB", smask))
            self._image_ref = ref
        return ref


@functools.lru_cache(maxsize=64)
def _image_style(png: Path, mtime: float) -> StaticStampStyle:
    img = Image.open(png)
    img.load()
    return StaticStampStyle(
        background=CachedImage(img),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def image_style(png: Path | str | bytes) -> StaticStampStyle:
    """A reusable stamp style showing only ``png`` (cached per file)."""
    if isinstance(png, bytes):
        return _bytes_style(png)
    path = Path(png).resolve()
    return _image_style(path, path.stat().st_mtime)


@functools.lru_cache(maxsize=16)
def _bytes_style(data: bytes) -> StaticStampStyle:
    img = Image.open(io.BytesIO(data))
    img.load()
    return StaticStampStyle(
        background=CachedImage(img), border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


@dataclass(frozen=True)
class TextLinesStampStyle(BaseStampStyle):
    """Plain text lines (``text_params['lines']``) in the cached Vietnamese font."""

    font_size: float = 9
    colour: tuple[float, float, float] = (0.0, 0.0, 0.55)
    border_width: int = 0
    background: None = None
    font: CachedFont = field(default_factory=vietnamese_font)

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints,
                     text_params: dict) -> BaseStamp:
        return _TextLinesStamp(writer, self, box, list(text_params.get("lines", [])))


class _TextLinesStamp(BaseStamp):
    def __init__(self, writer: BasePdfFileWriter, style: TextLinesStampStyle,
                 box: layout.BoxConstraints, lines: list[str]) -> None:
        super().__init__(writer=writer, style=style, box=box)
        self.lines = lines

    def _render_inner_content(self) -> list[bytes]:
        style: TextLinesStampStyle = self.style
        assert self.writer is not None
        font_ref = style.font.add_to(self.writer, "".join(self.lines))
        self.set_resource(category=ResourceType.FONT, name=pdf_name("/F1"), value=font_ref)
        size = style.font_size
        leading = size * 1.3
        cmds = [b"BT", b"%g %g %g rg" % style.colour, b"/F1 %g Tf" % size]
        y = self.box.height - size - 2
        for i, line in enumerate(self.lines):
            x = self.box.width - style.font.width(line, size) - 3  # right-aligned
            cmds.append(b"1 0 0 1 %g %g Tm %s Tj" % (x, y - i * leading, style.font.encode(line)))
        cmds.append(b"ET")
        return cmds


def seal_box(official_rect: tuple[float, float, float, float]
             ) -> tuple[int, int, int, int]:
    """Seal rectangle: real size, its right part over the left third of the official box."""
    x1, y1, x2, y2 = official_rect
    overlap_right = x1 + (x2 - x1) / 3
    cy = (y1 + y2) / 2
    left = overlap_right - SEAL_SIZE
    return (round(left), round(cy - SEAL_SIZE / 2), round(overlap_right),
            round(cy + SEAL_SIZE / 2))


def copy_stamp_box(page_width: float, page_height: float) -> tuple[int, int, int, int]:
    """Top-right rectangle on page 1 for an attachment/copy signature."""
    return (round(page_width - 95 * MM), round(page_height - 20 * MM),
            round(page_width - 8 * MM), round(page_height - 6 * MM))
