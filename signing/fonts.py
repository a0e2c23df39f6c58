"""A Vietnamese-capable embedded font, subset ONCE per process and reused in every PDF.

The face is Liberation Serif (Times New Roman metrics, the typeface Decree 30 asks for) when
installed (Debian ``fonts-liberation2``), so the number and date written at issuance match
the body of the page; Be Vietnam Pro (a pip package) is the fallback.

pyHanko's font engine subsets the font at each write (tens of ms); here a fixed character
set (ASCII + all Vietnamese letters) is subset once, and each document just gets the
cached, compressed font program plus small dictionaries (Type0 / Identity-H, ToUnicode).
"""

from __future__ import annotations

import functools
import io
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from signing.images import font_path as sans_font_path

SERIF_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


def serif_font_path(style: str = "Regular") -> tuple[str, Path]:
    """(PostScript family, file) of the document face: Liberation Serif, else Be Vietnam Pro."""
    for d in SERIF_DIRS:
        path = d / f"LiberationSerif-{style}.ttf"
        if path.is_file():
            return "LiberationSerif", path
    return "BeVietnamPro", sans_font_path(style)

_VI_LOWER = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)
CHARSET = "".join(chr(c) for c in range(32, 127)) + _VI_LOWER + _VI_LOWER.upper() + "–—“”’…°"


@dataclass(frozen=True)
class CachedFont:
    """Font program and metrics of the fixed subset."""

    program: bytes  # zlib-compressed TrueType
    program_len: int
    gids: dict[str, int]
    widths: dict[int, int]  # per gid, 1000 units/em
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]
    tounicode: bytes
    name: str

    def encode(self, text: str) -> bytes:
        """Text as a hex string of glyph ids for ``Tj`` (unknown characters are dropped)."""
        text = unicodedata.normalize("NFC", text)
        return b"<" + b"".join(b"%04X" % self.gids[ch] for ch in text if ch in self.gids) + b">"

    def width(self, text: str, size: float) -> float:
        text = unicodedata.normalize("NFC", text)
        return sum(self.widths[self.gids[ch]] for ch in text if ch in self.gids) * size / 1000

    def add_to(self, writer: BasePdfFileWriter, text: str | None = None
               ) -> generic.IndirectObject:
        """Add the font objects to ``writer``; return the Type0 font reference.

        ``text``: everything the document will draw with this font object; the ``/W``
        widths then list only its glyphs (fewer objects for every PDF reader to parse).
        """
        program = generic.StreamObject(
            {pdf_name("/Length1"): generic.NumberObject(self.program_len),
             pdf_name("/Filter"): pdf_name("/FlateDecode")},
            encoded_data=self.program,
        )
        descriptor = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/FontDescriptor"),
            pdf_name("/FontName"): pdf_name("/" + self.name),
            pdf_name("/Flags"): generic.NumberObject(32),
            pdf_name("/FontBBox"): generic.ArrayObject(
                generic.NumberObject(v) for v in self.bbox),
            pdf_name("/ItalicAngle"): generic.NumberObject(0),
            pdf_name("/Ascent"): generic.NumberObject(self.ascent),
            pdf_name("/Descent"): generic.NumberObject(self.descent),
            pdf_name("/CapHeight"): generic.NumberObject(self.ascent),
            pdf_name("/StemV"): generic.NumberObject(80),
            pdf_name("/FontFile2"): writer.add_object(program),
        })
        w_array = self._w_array(text)
        cid_font = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
            pdf_name("/BaseFont"): pdf_name("/" + self.name),
            pdf_name("/CIDSystemInfo"): generic.DictionaryObject({
                pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                pdf_name("/Supplement"): generic.NumberObject(0),
            }),
            pdf_name("/FontDescriptor"): writer.add_object(descriptor),
            pdf_name("/W"): w_array,
            pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
        })
        tounicode = generic.StreamObject(stream_data=self.tounicode)
        tounicode.compress()
        font = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type0"),
            pdf_name("/BaseFont"): pdf_name("/" + self.name),
            pdf_name("/Encoding"): pdf_name("/Identity-H"),
            pdf_name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
            pdf_name("/ToUnicode"): writer.add_object(tounicode),
        })
        return writer.add_object(font)


    def _w_array(self, text: str | None) -> generic.ArrayObject:
        """Compact ``/W``: ``first [w1 w2 …]`` per run of consecutive glyph ids."""
        if text is None:
            gids = sorted(self.widths)
        else:
            text = unicodedata.normalize("NFC", text)
            gids = sorted({self.gids[ch] for ch in text if ch in self.gids})
        w_array = generic.ArrayObject()
        run: generic.ArrayObject | None = None
        previous = -2
        for gid in gids:
            if gid != previous + 1 or run is None:
                run = generic.ArrayObject()
                w_array.extend([generic.NumberObject(gid), run])
            run.append(generic.NumberObject(self.widths[gid]))
            previous = gid
        return w_array


def _tounicode(gids: dict[str, int]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    items = sorted(gids.items(), key=lambda kv: kv[1])
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines.extend(b"<%04X> <%04X>" % (gid, ord(ch)) for ch, gid in chunk)
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


@functools.cache
def vietnamese_font(style: str = "Regular") -> CachedFont:
    """The cached subset of the document face in ``style`` (Regular, Italic, Bold …),
    computed on first use (~0.1 s)."""
    family, path = serif_font_path(style)
    font = TTFont(str(path))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["FFTM"]  # FontForge timestamp: not needed, and noisy to subset
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARSET)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    raw = buf.getvalue()
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    gids = {chr(cp): font.getGlyphID(name) for cp, name in cmap.items()}
    widths = {gid: round(font["hmtx"][font.getGlyphName(gid)][0] * scale)
              for gid in gids.values()}
    head, hhea = font["head"], font["hhea"]
    bbox = tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    return CachedFont(
        program=zlib.compress(raw, 6), program_len=len(raw), gids=gids, widths=widths,
        ascent=round(hhea.ascent * scale), descent=round(hhea.descent * scale),
        bbox=bbox,
        tounicode=_tounicode(gids), name=f"EOVNFT+{family}-{style}",
    )
