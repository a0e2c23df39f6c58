"""Vietnamese-capable fonts for reportlab: Liberation Serif (Times metrics) preferred."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SERIF_DIRS = [
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
]
STYLES = {"": "Regular", "-Bold": "Bold", "-Italic": "Italic", "-BoldItalic": "BoldItalic"}
FAMILY = "VNSerif"
"""The family name the renderers use; bold/italic faces are ``VNSerif-Bold`` etc."""


class FontUnavailable(RuntimeError):  # noqa: N818
    """No font with Vietnamese coverage was found."""


def _candidates() -> list[tuple[str, dict[str, Path]]]:
    found = []
    for d in SERIF_DIRS:
        faces = {s: d / f"LiberationSerif-{n}.ttf" for s, n in STYLES.items()}
        found.append(("Liberation Serif", faces))
    try:  # fallback: a sans serif, but with complete Vietnamese coverage
        import fontpkg_be_vietnam_pro as bvp

        base = Path(bvp.__file__).parent / "files"
        faces = {s: base / f"BeVietnamPro-{n}.ttf" for s, n in STYLES.items()}
        found.append(("Be Vietnam Pro", faces))
    except ImportError:
        pass
    return found


@cache
def register_fonts() -> str:
    """Register the ``VNSerif`` family once; return the name of the font file family used.

    Raises :class:`FontUnavailable` (Vietnamese message) when no candidate is installed.
    """
    for label, faces in _candidates():
        if all(p.is_file() for p in faces.values()):
            for suffix, path in faces.items():
                pdfmetrics.registerFont(TTFont(FAMILY + suffix, str(path)))
            addMapping(FAMILY, 0, 0, FAMILY)
            addMapping(FAMILY, 1, 0, FAMILY + "-Bold")
            addMapping(FAMILY, 0, 1, FAMILY + "-Italic")
            addMapping(FAMILY, 1, 1, FAMILY + "-BoldItalic")
            return label
    raise FontUnavailable(
        "Không tìm thấy phông chữ hỗ trợ tiếng Việt: hãy cài gói fonts-liberation2 "
        "(Liberation Serif, tương thích Times New Roman)."
    )


def serif_file(style: str = "Regular") -> Path:
    """Path of a Liberation Serif face (for other libraries, e.g. filling form fields)."""
    for d in SERIF_DIRS:
        p = d / f"LiberationSerif-{style}.ttf"
        if p.is_file():
            return p
    raise FontUnavailable("Không tìm thấy phông chữ Liberation Serif (gói fonts-liberation2).")
