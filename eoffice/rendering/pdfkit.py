"""Shared reportlab pieces of the official layouts: styles, flowables, reserved fields.

Reserved fields (the renderer ↔ signing contract): text fields ``doc_number`` and
``doc_date`` (no border, transparent, font size 13) are created with ``canvas.acroForm``
while drawing; empty signature fields (``sig_official`` …) are recorded while drawing and
added afterwards with pyHanko, in the same single-revision file.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from eoffice.rendering.fonts import FAMILY, register_fonts
from eoffice.rendering.types import nfc

# Decree 30/2020, Appendix I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
FIELD_FONT_SIZE = 13
RED = colors.Color(0.85, 0.05, 0.05)

BOLD = FAMILY + "-Bold"
ITALIC = FAMILY + "-Italic"
BOLD_ITALIC = FAMILY + "-BoldItalic"


def text(value: str) -> str:
    """NFC-normalised, XML-escaped text for Paragraph markup."""
    return escape(nfc(value))


def style(
    name: str,
    size: float = 14,
    *,
    font: str = FAMILY,
    align: int = TA_CENTER,
    leading: float | None = None,
    **kw: object,
) -> ParagraphStyle:
    """A paragraph style in the Vietnamese serif family."""
    register_fonts()
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or size * 1.2, alignment=align, **kw
    )


def body_style(size: float = 14) -> ParagraphStyle:
    """Body text: justified, first-line indent 1 cm, 6 pt between paragraphs."""
    return style(
        "body", size, align=TA_JUSTIFY, leading=size * 1.3, firstLineIndent=10 * mm, spaceAfter=6
    )


def para(value: str, st: ParagraphStyle) -> Paragraph:
    return Paragraph(text(value), st)


def left_style(size: float, font: str = FAMILY, **kw: Any) -> ParagraphStyle:
    return style("left", size, font=font, align=TA_LEFT, **kw)


@dataclass
class SignatureSpot:
    """Where a signature field was drawn: 0-based page index and box in points."""

    name: str
    page: int = -1
    box: tuple[float, float, float, float] = (0, 0, 0, 0)


@dataclass
class FieldRegistry:
    """Collects the signature fields drawn by :class:`SignatureSpace` flowables."""

    spots: list[SignatureSpot] = field(default_factory=list)


class HRule(Flowable):
    """A short horizontal line (under the agency name, the Tiêu ngữ, the trích yếu)."""

    def __init__(self, width: float, thickness: float = 0.6, space: float = 3) -> None:
        super().__init__()
        self.width, self.thickness, self.space = width, thickness, space
        self.hAlign = "CENTER"

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.space * 2

    def draw(self) -> None:
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.space, self.width, self.space)


class FieldLine(Flowable):
    """A printed label followed by a reserved text field (``Số: [doc_number]``)."""

    def __init__(
        self,
        label: str,
        field_name: str,
        field_width: float,
        *,
        font: str = FAMILY,
        size: float = 13,
        value: str = "",
    ) -> None:
        super().__init__()
        self.label, self.field_name, self.field_width = nfc(label), field_name, field_width
        self.font, self.size, self.value = font, size, nfc(value)
        self.hAlign = "CENTER"
        self.label_width = stringWidth(self.label, font, size)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.label_width + self.field_width, self.size * 1.5

    def draw(self) -> None:
        c = self.canv
        baseline = self.size * 0.4
        c.setFont(self.font, self.size)
        c.drawString(0, baseline, self.label)
        c.acroForm.textfield(
            name=self.field_name,
            value=self.value,
            x=self.label_width,
            y=baseline - 4,
            width=self.field_width,
            height=FIELD_FONT_SIZE + 6,
            relative=True,
            borderWidth=0,
            borderColor=None,
            fillColor=None,
            textColor=colors.black,
            fontName="Times-Roman",
            fontSize=FIELD_FONT_SIZE,
            forceBorder=False,
            tooltip=self.field_name,
            maxlen=200,
        )


class SignatureSpace(Flowable):
    """Blank space reserved for a signature; records its position for the field."""

    def __init__(
        self, name: str, registry: FieldRegistry, width: float = 60 * mm, height: float = 30 * mm
    ) -> None:
        super().__init__()
        self.name, self.registry = name, registry
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.registry.spots.append(
            SignatureSpot(
                self.name, self.canv.getPageNumber() - 1, (x, y, x + self.width, y + self.height)
            )
        )


class MarkBox(Flowable):
    """A red boxed priority mark (``KHẨN``, ``MẬT`` …)."""

    def __init__(self, label: str, size: float = 13) -> None:
        super().__init__()
        self.label, self.size = nfc(label), size
        self.hAlign = "CENTER"
        self.w = stringWidth(self.label, BOLD, size) + 10

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.w, self.size + 8

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(RED)
        c.setFillColor(RED)
        c.setLineWidth(1)
        c.rect(0, 1, self.w, self.size + 6)
        c.setFont(BOLD, self.size)
        c.drawCentredString(self.w / 2, 5, self.label)
        c.setFillColor(colors.black)
        c.setStrokeColor(colors.black)


def grid(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    valign: str = "TOP",
    extra: Sequence[tuple] = (),
) -> Table:
    """A borderless layout table with centred cells and no padding."""
    t = Table(rows, colWidths=list(widths))
    t.setStyle(
        TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), valign),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                *extra,
            ]
        )
    )
    return t


QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
HEADER_LEFT = 72 * mm
HEADER_RIGHT = 93 * mm


def agency_block(parent: str, name: str) -> list[Flowable]:
    """Left header: parent agency (upright), issuing agency (bold) and its short rule."""
    out: list[Flowable] = []
    if parent:
        out.append(para(parent.upper(), style("ap", 13)))
    out.append(para(name.upper(), style("an", 13, font=BOLD)))
    longest = max(stringWidth(line, BOLD, 13) for line in nfc(name.upper()).split("\n"))
    out.append(HRule(min(longest, HEADER_LEFT) * 0.4))
    return out


def national_block() -> list[Flowable]:
    """Right header: Quốc hiệu (bold caps) and Tiêu ngữ (bold, ruled its full length)."""
    return [
        para(QUOC_HIEU, style("qh", 12.5, font=BOLD)),
        para(TIEU_NGU, style("tn", 13.5, font=BOLD)),
        HRule(stringWidth(TIEU_NGU, BOLD, 13.5)),
    ]


def page_number_on_later_pages(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    """Page number at the top centre, from page 2 (Decree 30)."""
    canvas.saveState()
    canvas.setFont(FAMILY, 13)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(canvas.getPageNumber()))
    canvas.restoreState()


def _nothing(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    pass


def build_pdf(
    story: list[Flowable],
    registry: FieldRegistry,
    *,
    title: str,
    author: str,
    pagesize: tuple[float, float] = A4,
    later_pages: Callable[[Canvas, SimpleDocTemplate], None] = page_number_on_later_pages,
    first_page: Callable[[Canvas, SimpleDocTemplate], None] = _nothing,
    margins: tuple[float, float, float, float] | None = None,
) -> bytes:
    """Lay out ``story`` and add the recorded empty signature fields; return the PDF bytes."""
    register_fonts()
    top, bottom, left, right = margins or (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        topMargin=top,
        bottomMargin=bottom,
        leftMargin=left,
        rightMargin=right,
        title=nfc(title),
        author=nfc(author),
        creator="eoffice",
        lang="vi",
    )
    doc.build(story, onFirstPage=first_page, onLaterPages=later_pages)
    data = buf.getvalue()
    if registry.spots:
        data = add_signature_fields(data, registry.spots)
    return data


def add_signature_fields(pdf: bytes, spots: Sequence[SignatureSpot]) -> bytes:
    """Add empty signature fields at the recorded spots, rewriting into one revision."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    for spot in spots:
        x1, y1, x2, y2 = (int(round(v)) for v in spot.box)
        append_signature_field(
            writer,
            SigFieldSpec(sig_field_name=spot.name, on_page=spot.page, box=(x1, y1, x2, y2)),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
