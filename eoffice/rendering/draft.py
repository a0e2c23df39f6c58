"""Drafts of official documents (Decree 30/2020 layout) as PDF with reserved fields, or DOCX.

The PDF is the one that will be signed: it carries the reserved ``doc_number`` and
``doc_date`` text fields and the empty ``sig_official`` signature field (see
``pdfkit``). The DOCX (``render_docx``) has the same layout for editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from eoffice.rendering.dates import vn_date_text
from eoffice.rendering.fonts import register_fonts
from eoffice.rendering.pdfkit import (
    BOLD,
    BOLD_ITALIC,
    FAMILY,
    HEADER_LEFT,
    HEADER_RIGHT,
    ITALIC,
    FieldLine,
    FieldRegistry,
    HRule,
    MarkBox,
    SignatureSpace,
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
from eoffice.rendering.types import (
    DOCUMENT_TYPES,
    SECRECY_LABELS,
    URGENCY_LABELS,
    clean_list_item,
    clean_subject,
    nfc,
    reference_code,
)


@dataclass
class DraftDocument:
    """The content of an official document before issuance (no number, no date yet)."""

    agency_parent: str
    """Parent agency, e.g. ``UBND TỈNH VĨNH PHÚC`` (may be empty)."""
    agency_name: str
    """Issuing agency, e.g. ``UBND THÀNH PHỐ VĨNH YÊN``."""
    agency_abbr: str
    """Agency abbreviation in the code, e.g. ``UBND``."""
    unit_abbr: str
    """Drafting unit, e.g. ``VHTT`` (Công văn code, ``Lưu: VT, VHTT.``)."""
    place: str
    """Place before the date, e.g. ``Vĩnh Yên``."""
    type_code: str
    """``CV`` for Công văn, else an abbreviation of ``DOCUMENT_TYPES`` (``KH``, ``QĐ`` …)."""
    subject: str
    """Trích yếu (without the ``V/v`` of a Công văn)."""
    body: list[str]
    recipients: list[str]
    """Công văn: the ``Kính gửi`` lines; other types: the ``Nơi nhận`` lines."""
    signer_name: str
    signer_position: str
    """The signer's own position line, e.g. ``CHỦ TỊCH`` or ``PHÓ CHỦ TỊCH``."""
    authority: str = ""
    """Authority line(s) above the position: ``TM. ỦY BAN NHÂN DÂN``, ``KT. CHỦ TỊCH``;
    several lines separated by ``\\n``."""
    type_name: str = ""
    """Defaults to the name of ``type_code``."""
    urgency: str = "thuong"
    secrecy: str = "none"
    cc: list[str] = field(default_factory=list)
    """Extra ``Nơi nhận`` lines (after ``Như trên`` for a Công văn)."""

    def __post_init__(self) -> None:
        for name in (
            "agency_parent",
            "agency_name",
            "agency_abbr",
            "unit_abbr",
            "place",
            "type_code",
            "subject",
            "signer_name",
            "signer_position",
            "authority",
            "type_name",
        ):
            setattr(self, name, nfc(getattr(self, name)).strip())
        self.body = [nfc(p).strip() for p in self.body if p and p.strip()]
        self.recipients = [nfc(r).strip() for r in self.recipients if r and r.strip()]
        self.cc = [nfc(r).strip() for r in self.cc if r and r.strip()]
        if self.type_code not in DOCUMENT_TYPES:
            raise ValueError(f"Loại văn bản không hợp lệ: «{self.type_code}».")
        if not self.type_name:
            self.type_name = DOCUMENT_TYPES[self.type_code]
        self.subject = clean_subject(self.type_code, self.subject)
        self.recipients = [r for r in map(clean_list_item, self.recipients) if r]
        self.cc = [r for r in map(clean_list_item, self.cc) if r]
        if self.urgency not in URGENCY_LABELS or self.secrecy not in SECRECY_LABELS:
            raise ValueError("Độ khẩn hoặc độ mật không hợp lệ.")

    @property
    def is_cong_van(self) -> bool:
        return self.type_code == "CV"

    @property
    def marks(self) -> list[str]:
        """Printed priority marks, e.g. ``["KHẨN", "MẬT"]``."""
        return [m for m in (URGENCY_LABELS[self.urgency], SECRECY_LABELS[self.secrecy]) if m]

    def authority_lines(self) -> list[str]:
        lines = [s.strip().upper() for s in self.authority.split("\n") if s.strip()]
        return [*lines, self.signer_position.upper()]

    def noi_nhan(self) -> list[str]:
        """``Nơi nhận`` items, ending with ``Lưu: VT, <unit>.``, punctuated."""
        items = (["Như trên"] if self.is_cong_van else self.recipients) + self.cc
        items = [re.sub(r"^[-–•\s]+|[;.,\s]+$", "", i) for i in items]
        lines = [f"- {i};" for i in items if i]
        lines.append(f"- Lưu: VT{', ' + self.unit_abbr if self.unit_abbr else ''}.")
        return lines

    def kinh_gui(self) -> list[str]:
        """``Kính gửi`` lines of a Công văn (``- A;`` … ``- B.`` when several)."""
        items = [re.sub(r"^[-–•\s]+|[;.,\s]+$", "", r) for r in self.recipients]
        items = [i for i in items if i]
        if len(items) == 1:
            return [items[0] + "."]
        return [f"- {i};" for i in items[:-1]] + [f"- {items[-1]}."] if items else []

    def sample_code(self) -> str:
        """A wide code of this document's shape (sizes the ``doc_number`` field)."""
        return reference_code(888, self.type_code, self.agency_abbr, self.unit_abbr)


SAMPLE_DATE = vn_date_text(date(2026, 12, 28))
STRONG_RE = re.compile(r"^(Điều \d+[a-z]?\.|Chương [IVXLC]+\b|Mục \d+\.)")


def body_flowables(paragraphs: list[str]) -> list[Flowable]:
    """Body paragraphs; ``Căn cứ …`` in italics, all-caps lines centred bold, ``Điều n.`` bold."""
    body = body_style()
    out: list[Flowable] = []
    for p in paragraphs:
        if p.upper() == p and len(p) < 120 and any(ch.isalpha() for ch in p):
            out.append(
                Paragraph(text(p), style("caps", 14, font=BOLD, spaceBefore=6, spaceAfter=6))
            )
        elif p.startswith("Căn cứ"):
            out.append(Paragraph(f"<i>{text(p)}</i>", body))
        elif m := STRONG_RE.match(p):
            out.append(Paragraph(f"<b>{text(m.group(0))}</b>{text(p[m.end() :])}", body))
        else:
            out.append(Paragraph(text(p), body))
    return out


def header_flowables(d: DraftDocument) -> list[Flowable]:
    """Agency and national header, ``Số:``/date row, ``V/v`` and priority marks."""
    number_w = stringWidth(d.sample_code(), FAMILY, 13) + 4 * mm
    date_w = stringWidth(SAMPLE_DATE, ITALIC, 14) + 4 * mm
    left2: list[Flowable] = [FieldLine("Số: ", "doc_number", number_w, size=13)]
    if d.is_cong_van:
        left2.append(Paragraph("V/v " + text(d.subject), style("vv", 12, leading=14)))
    left2 += [x for m in d.marks for x in (Spacer(1, 4), MarkBox(m))]
    right2: list[Flowable] = [FieldLine(d.place + ", ", "doc_date", date_w, font=ITALIC, size=14)]
    rows = [[agency_block(d.agency_parent, d.agency_name), national_block()], [left2, right2]]
    return [grid(rows, [HEADER_LEFT, HEADER_RIGHT])]


def title_flowables(d: DraftDocument) -> list[Flowable]:
    """Type name and trích yếu (not for a Công văn, whose trích yếu is the ``V/v``)."""
    if d.is_cong_van:
        lines = d.kinh_gui()
        if not lines:
            return [Spacer(1, 8 * mm)]
        label = Paragraph("Kính gửi:", style("kg", 14, align=TA_RIGHT))
        recip = [Paragraph(text(line), left_style(14, leading=18)) for line in lines]
        if len(lines) == 1:
            cells = [[label, recip[0]]]
        else:
            cells = [[label, recip[0]], *[["", r] for r in recip[1:]]]
        t = grid(cells, [55 * mm, 100 * mm], extra=[("LEFTPADDING", (1, 0), (1, -1), 4)])
        return [Spacer(1, 8 * mm), t, Spacer(1, 6 * mm)]
    title = style("title", 14, font=BOLD, leading=17)
    out: list[Flowable] = [Spacer(1, 10 * mm), para(d.type_name.upper(), title)]
    if d.subject:
        out.append(para(d.subject, title))
        out.append(HRule(min(stringWidth(d.subject, BOLD, 14), 150 * mm) * 0.4))
    out.append(Spacer(1, 6 * mm))
    return out


def signer_block(
    lines: list[str], name: str, field: str, registry: FieldRegistry, *, width: float = 60 * mm
) -> list[Flowable]:
    """Authority/position lines (bold caps), the reserved signature area, the name (bold)."""
    st = style("auth", 14, font=BOLD, leading=17)
    return [
        *[para(line, st) for line in lines],
        SignatureSpace(field, registry, width=width, height=30 * mm),
        para(name, style("signer", 14, font=BOLD, leading=17)),
    ]


def closing_flowables(d: DraftDocument, registry: FieldRegistry) -> list[Flowable]:
    """``Nơi nhận`` on the left, the signer block on the right, kept on one page."""
    noi_nhan: list[Flowable] = [Paragraph("Nơi nhận:", left_style(12, BOLD_ITALIC))]
    noi_nhan += [Paragraph(text(line), left_style(11, leading=13)) for line in d.noi_nhan()]
    signer = signer_block(d.authority_lines(), d.signer_name, "sig_official", registry)
    t = grid(
        [[noi_nhan, signer]],
        [75 * mm, 90 * mm],
        extra=[("ALIGN", (0, 0), (0, 0), "LEFT"), ("TOPPADDING", (0, 0), (0, 0), 4)],
    )
    return [KeepTogether([Spacer(1, 4 * mm), t])]


def render_pdf(draft: DraftDocument) -> bytes:
    """The A4 PDF of ``draft`` with the reserved fields ``doc_number``, ``doc_date`` and
    ``sig_official``; page numbers from page 2."""
    register_fonts()
    registry = FieldRegistry()
    story = [
        *header_flowables(draft),
        *title_flowables(draft),
        *body_flowables(draft.body),
        *closing_flowables(draft, registry),
    ]
    title = f"{draft.type_name} {draft.subject}".strip()
    return build_pdf(story, registry, title=title, author=draft.agency_name)


def render_docx(draft: DraftDocument) -> bytes:
    """The same draft as an editable DOCX (see ``draft_docx``)."""
    from eoffice.rendering.draft_docx import render_docx as _render

    return _render(draft)


__all__ = ["DraftDocument", "render_docx", "render_pdf"]
