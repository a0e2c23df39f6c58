"""Meeting documents: the invitation with its agenda (Giấy mời) and the minutes (Biên bản).

The agenda PDF reserves ``sig_official`` for the chair; the minutes reserve
``sig_secretary`` (left, THƯ KÝ) and ``sig_chair`` (right, CHỦ TRÌ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from eoffice.rendering.dates import vn_date_text, vn_datetime_text, vn_time
from eoffice.rendering.draft import signer_block
from eoffice.rendering.fonts import register_fonts
from eoffice.rendering.pdfkit import (
    BOLD,
    BOLD_ITALIC,
    HEADER_LEFT,
    HEADER_RIGHT,
    ITALIC,
    FieldRegistry,
    HRule,
    agency_block,
    body_style,
    build_pdf,
    grid,
    left_style,
    national_block,
    para,
    style,
    text,
)
from eoffice.rendering.types import nfc


@dataclass
class Meeting:
    """What the invitation says about the meeting."""

    agency_parent: str
    agency_name: str
    agency_abbr: str
    place: str
    """City before the date, e.g. ``Vĩnh Yên``."""
    title: str
    starts_at: datetime
    location: str
    chair_name: str
    chair_position: str
    participants: list[str]
    ends_at: datetime | None = None
    authority: str = ""
    """e.g. ``TM. ỦY BAN NHÂN DÂN`` above the chair's position."""
    kind: str = ""
    number: str = ""
    """Printed after ``Số:`` when known; else ``Số:      /GM-<agency>``."""
    issued_on: date | None = None
    unit_abbr: str = "VP"


@dataclass
class AgendaItem:
    time: str
    """e.g. ``08:00 - 08:15`` or ``08 giờ 00``."""
    title: str
    presenter: str = ""


@dataclass
class Minutes:
    """The content of the minutes (biên bản) of a meeting."""

    agency_parent: str
    agency_name: str
    place: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    chair_name: str
    secretary_name: str
    attendees: list[str]
    absentees: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    conclusions: list[str] = field(default_factory=list)
    chair_position: str = ""


def _header(parent: str, name: str, number_line: str, place_date: str) -> Flowable:
    rows = [
        [agency_block(parent, name), national_block()],
        [
            Paragraph(text(number_line).replace("  ", "&nbsp; "), style("no", 13)),
            para(place_date, style("pd", 14, font=ITALIC)),
        ],
    ]
    return grid(rows, [HEADER_LEFT, HEADER_RIGHT])


def _title(kind: str, subject: str) -> list[Flowable]:
    st = style("title", 14, font=BOLD, leading=17)
    return [
        Spacer(1, 10 * mm),
        para(kind, st),
        para(subject, st),
        HRule(45 * mm),
        Spacer(1, 5 * mm),
    ]


def _lines(items: list[str], st: object) -> list[Flowable]:
    return [
        Paragraph(text(f"- {nfc(i).strip()};" if n < len(items) - 1 else f"- {i}."), st)
        for n, i in enumerate(items)
    ]


def render_agenda_pdf(meeting: Meeting, items: list[AgendaItem]) -> bytes:
    """The Giấy mời with the agenda table; ``sig_official`` reserved for the chair."""
    register_fonts()
    m = meeting
    registry = FieldRegistry()
    body = body_style()
    indented = left_style(14, leading=18, leftIndent=10 * mm)
    issued = m.issued_on or m.starts_at.date()
    number = f"Số: {m.number}" if m.number else f"Số:      /GM-{m.agency_abbr}"
    story: list[Flowable] = [
        _header(m.agency_parent, m.agency_name, number, f"{m.place}, {vn_date_text(issued)}"),
        *_title("GIẤY MỜI", m.title),
        Paragraph(text(f"{m.agency_name} trân trọng kính mời:"), body),
        *_lines(m.participants or ["Các thành phần theo danh sách"], indented),
        Spacer(1, 3 * mm),
        Paragraph(f"<b>Tham dự:</b> {text(m.title)}.", body),
    ]
    when = vn_datetime_text(m.starts_at)
    if m.ends_at:
        when = f"{when} (dự kiến kết thúc lúc {vn_time(m.ends_at)})"
    story += [
        Paragraph(f"<b>Thời gian:</b> {text(when)}.", body),
        Paragraph(f"<b>Địa điểm:</b> {text(m.location)}.", body),
    ]
    if items:
        head = style("th", 12, font=BOLD)
        cell = left_style(12, leading=14)
        rows: list[list[object]] = [
            [Paragraph(h, head) for h in ("STT", "Thời gian", "Nội dung", "Người trình bày")]
        ]
        for i, it in enumerate(items, start=1):
            rows.append(
                [
                    Paragraph(str(i), style("c", 12)),
                    Paragraph(text(it.time), cell),
                    Paragraph(text(it.title), cell),
                    Paragraph(text(it.presenter), cell),
                ]
            )
        table = Table(rows, colWidths=[14 * mm, 30 * mm, 81 * mm, 40 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
        )
        story += [
            Spacer(1, 3 * mm),
            para("CHƯƠNG TRÌNH CUỘC HỌP", style("ct", 14, font=BOLD)),
            Spacer(1, 2 * mm),
            table,
        ]
    story.append(Paragraph("Rất mong các đại biểu tham dự đầy đủ, đúng giờ./.", body))
    noi_nhan: list[Flowable] = [
        Paragraph("Nơi nhận:", left_style(12, BOLD_ITALIC)),
        Paragraph("- Như trên;", left_style(11, leading=13)),
        Paragraph(text(f"- Lưu: VT, {m.unit_abbr}."), left_style(11, leading=13)),
    ]
    lines = [s.strip().upper() for s in m.authority.split("\n") if s.strip()]
    lines.append(m.chair_position.upper())
    signer = signer_block(lines, m.chair_name, "sig_official", registry)
    closing = grid(
        [[noi_nhan, signer]], [75 * mm, 90 * mm], extra=[("ALIGN", (0, 0), (0, 0), "LEFT")]
    )
    story.append(KeepTogether([Spacer(1, 4 * mm), closing]))
    return build_pdf(story, registry, title=f"Giấy mời {m.title}", author=m.agency_name)


def render_minutes_pdf(minutes: Minutes) -> bytes:
    """The Biên bản; ``sig_secretary`` (left, THƯ KÝ) and ``sig_chair`` (right, CHỦ TRÌ)."""
    register_fonts()
    mn = minutes
    registry = FieldRegistry()
    body = body_style()
    heading = left_style(14, BOLD, spaceBefore=6, spaceAfter=3)
    indented = left_style(14, leading=18, leftIndent=10 * mm)
    start = vn_datetime_text(mn.starts_at)
    story: list[Flowable] = [
        _header(
            mn.agency_parent, mn.agency_name, "", f"{mn.place}, {vn_date_text(mn.starts_at.date())}"
        ),
        *_title("BIÊN BẢN", mn.title),
        Paragraph("I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", heading),
        Paragraph(f"1. Thời gian: bắt đầu lúc {text(start)}.", body),
        Paragraph(f"2. Địa điểm: {text(mn.location)}.", body),
        Paragraph("3. Thành phần tham dự:", body),
        *_lines(mn.attendees or ["(không có)"], indented),
        Paragraph("4. Vắng mặt:" + ("" if mn.absentees else " không."), body),
        *(_lines(mn.absentees, indented) if mn.absentees else []),
        Paragraph(
            f"5. Chủ trì: {text(mn.chair_name)}"
            + (f", {text(mn.chair_position)}" if mn.chair_position else "")
            + ".",
            body,
        ),
        Paragraph(f"6. Thư ký (người ghi biên bản): {text(mn.secretary_name)}.", body),
        Paragraph("II. NỘI DUNG CUỘC HỌP", heading),
        *[Paragraph(text(p), body) for p in mn.content if p.strip()],
        Paragraph("III. KẾT LUẬN", heading),
        *[Paragraph(text(p), body) for p in mn.conclusions if p.strip()],
        Paragraph(
            text(
                f"Cuộc họp kết thúc vào lúc {vn_time(mn.ends_at)} cùng ngày, nội dung "
                "cuộc họp đã được các thành viên dự họp thông qua./."
            ),
            body,
        ),
    ]
    left = signer_block(["THƯ KÝ"], mn.secretary_name, "sig_secretary", registry)
    right = signer_block(["CHỦ TRÌ"], mn.chair_name, "sig_chair", registry)
    story.append(KeepTogether([Spacer(1, 6 * mm), grid([[left, right]], [80 * mm, 85 * mm])]))
    return build_pdf(story, registry, title=f"Biên bản {mn.title}", author=mn.agency_name)


__all__ = ["AgendaItem", "Meeting", "Minutes", "render_agenda_pdf", "render_minutes_pdf"]
