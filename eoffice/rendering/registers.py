"""Printable registers (A4 landscape PDF): outgoing, incoming, tracking of incoming work."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from eoffice.rendering.fonts import FAMILY, register_fonts
from eoffice.rendering.pdfkit import BOLD, FieldRegistry, build_pdf, style, text
from eoffice.rendering.register_rows import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    TRACKING_COLUMNS,
    IncomingRegisterRow,
    OutgoingRegisterRow,
    TrackingRegisterRow,
    _Row,
)

PAGE = landscape(A4)
MARGIN = 15 * mm


def _page_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(FAMILY, 10)
    canvas.drawCentredString(PAGE[0] / 2, 8 * mm, f"Trang {canvas.getPageNumber()}")
    canvas.restoreState()


def _cell(value: str, st: ParagraphStyle, room: float) -> Paragraph:
    """A wrapped cell; a single long token (a code) shrinks to fit instead of breaking."""
    width = stringWidth(value, st.fontName, st.fontSize)
    if " " not in value.strip() and width > room:
        size = max(7.0, st.fontSize * room / width)
        st = ParagraphStyle(st.name + "-fit", parent=st, fontSize=size, leading=size * 1.2)
    return Paragraph(text(value), st)


def _register(
    rows: Sequence[_Row],
    columns: list[tuple[str, float]],
    *,
    title: str,
    agency: str,
    year: int,
    register_name: str,
) -> bytes:
    register_fonts()
    head = style("th", 10.5, font=BOLD, leading=12.5)
    num = style("tn", 9, leading=11)
    cell_l = style("tdl", 10.5, align=TA_LEFT, leading=12.5)
    cell_c = style("tdc", 10.5, align=TA_CENTER, leading=12.5)
    wide = {i for i, (_, w) in enumerate(columns) if w >= 28}
    data: list[list[object]] = [
        [Paragraph(text(h), head) for h, _ in columns],
        [Paragraph(f"({i})", num) for i in range(1, len(columns) + 1)],
    ]
    for row in rows:
        data.append(
            [
                _cell(value, cell_l if i in wide else cell_c, columns[i][1] * mm - 6)
                for i, value in enumerate(row.cells())
            ]
        )
    extra = []
    if not rows:
        data.append(
            [Paragraph("Chưa có văn bản nào trong sổ.", cell_c)] + [""] * (len(columns) - 1)
        )
        extra.append(("SPAN", (0, 2), (-1, 2)))
    table = Table(data, colWidths=[w * mm for _, w in columns], repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 1), colors.Color(0.93, 0.93, 0.93)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    story: list[Flowable] = [
        Paragraph(text(agency.upper()), style("ag", 12, font=BOLD, align=TA_LEFT)),
        Spacer(1, 4 * mm),
        Paragraph(text(title), style("rt", 16, font=BOLD, leading=20)),
        Paragraph(text(f"Năm {year}"), style("ry", 13, leading=16)),
    ]
    if register_name:
        story.append(Paragraph(text(register_name), style("rn", 12, font=FAMILY + "-Italic")))
    story += [Spacer(1, 5 * mm), table]
    return build_pdf(
        story,
        FieldRegistry(),
        title=f"{title} năm {year}",
        author=agency,
        pagesize=PAGE,
        first_page=_page_footer,
        later_pages=_page_footer,
        margins=(MARGIN, MARGIN, MARGIN, MARGIN),
    )


def render_outgoing_register(
    rows: Sequence[OutgoingRegisterRow], *, agency: str, year: int, register_name: str = ""
) -> bytes:
    """Sổ đăng ký văn bản đi, with the ten columns of SPEC §2."""
    return _register(
        rows,
        OUTGOING_COLUMNS,
        title="SỔ ĐĂNG KÝ VĂN BẢN ĐI",
        agency=agency,
        year=year,
        register_name=register_name,
    )


def render_incoming_register(
    rows: Sequence[IncomingRegisterRow], *, agency: str, year: int, register_name: str = ""
) -> bytes:
    """Sổ đăng ký văn bản đến, with the ten columns of SPEC §2."""
    return _register(
        rows,
        INCOMING_COLUMNS,
        title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        agency=agency,
        year=year,
        register_name=register_name,
    )


def render_tracking_register(
    rows: Sequence[TrackingRegisterRow], *, agency: str, year: int, register_name: str = ""
) -> bytes:
    """Sổ theo dõi giải quyết văn bản đến."""
    return _register(
        rows,
        TRACKING_COLUMNS,
        title="SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
        agency=agency,
        year=year,
        register_name=register_name,
    )
