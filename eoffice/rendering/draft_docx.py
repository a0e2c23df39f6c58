"""The editable DOCX of a draft (python-docx), in the same Decree-30 layout as the PDF.

Number and date are left blank the way paper drafts leave them (``Số:      /KH-UBND``,
``Vĩnh Yên, ngày      tháng      năm 2026``); the signature area is blank space.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from eoffice.rendering.draft import STRONG_RE, DraftDocument
from eoffice.rendering.pdfkit import QUOC_HIEU, TIEU_NGU

FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def _set_font(run_or_style: Run | CharacterStyle, size: float, bold: bool = False,
              italic: bool = False) -> None:
    font = run_or_style.font
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, italic
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _para(
    container: DocumentObject | _Cell,
    value: str,
    size: float = 14,
    *,
    bold: bool = False,
    italic: bool = False,
    align: object = CENTER,
    space_after: float = 0,
) -> Paragraph:
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if value:
        _set_font(p.add_run(value), size, bold, italic)
    return p


def _rule(container: DocumentObject | _Cell, width_mm: float, cell_mm: float) -> None:
    """A short centred horizontal rule: an empty paragraph with a bottom border."""
    p = _para(container, "", 4)
    indent = max((cell_mm - width_mm) / 2, 0)
    p.paragraph_format.left_indent = Mm(indent)
    p.paragraph_format.right_indent = Mm(indent)
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "000000"}.items():
        bottom.set(qn(k), v)
    pbdr.append(bottom)
    p._p.get_or_add_pPr().append(pbdr)


def _first_cell_paragraph(cell: _Cell) -> _Cell:
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return cell


def _page_number_header(section: Section) -> None:
    """Page numbers at the top centre from page 2 (``PAGE`` field)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    run = p.add_run()
    _set_font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def render_docx(d: DraftDocument, *, year: int | None = None) -> bytes:
    """The draft as DOCX bytes (A4, Decree-30 margins, Times New Roman)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    if not isinstance(normal, CharacterStyle):  # pragma: no cover - python-docx's default
        raise TypeError("the Normal style has no font")
    _set_font(normal, 14)
    _page_number_header(section)

    header = doc.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    widths = (70, 95)
    for col, w in zip(header.columns, widths, strict=True):
        col.width = Mm(w)
    for row in header.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Mm(w)
    left, right = (_first_cell_paragraph(c) for c in header.rows[0].cells)
    if d.agency_parent:
        _para(left, d.agency_parent.upper(), 13)
    _para(left, d.agency_name.upper(), 13, bold=True)
    _rule(left, 25, widths[0])
    _para(right, QUOC_HIEU, 12, bold=True)
    _para(right, TIEU_NGU, 13.5, bold=True)
    _rule(right, 62, widths[1])
    left2, right2 = (_first_cell_paragraph(c) for c in header.rows[1].cells)
    suffix = d.sample_code().split("/", 1)[1]
    _para(left2, f"Số:      /{suffix}", 13)
    if d.is_cong_van:
        _para(left2, f"V/v {d.subject}", 12)
    for mark in d.marks:
        p = _para(left2, mark, 13, bold=True)
        p.runs[0].font.color.rgb = RGBColor(0xD9, 0x0D, 0x0D)
    year = year or date.today().year
    _para(right2, f"{d.place}, ngày      tháng      năm {year}", 14, italic=True)

    if d.is_cong_van:
        lines = d.kinh_gui()
        _para(doc, "", 8)
        for i, line in enumerate(lines):
            p = _para(
                doc, ("Kính gửi: " if i == 0 else "") + line, 14, align=WD_ALIGN_PARAGRAPH.LEFT
            )
            p.paragraph_format.left_indent = Mm(40 if i == 0 else 62)
    else:
        _para(doc, "", 8)
        _para(doc, d.type_name.upper(), 14, bold=True)
        _para(doc, d.subject, 14, bold=True)
        _rule(doc, 40, 165)
    _para(doc, "", 6)

    for text in d.body:
        if text.upper() == text and len(text) < 120 and any(ch.isalpha() for ch in text):
            _para(doc, text, 14, bold=True, space_after=6)
            continue
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = p.paragraph_format
        fmt.first_line_indent, fmt.space_after, fmt.line_spacing = Mm(10), Pt(6), 1.15
        m = STRONG_RE.match(text)
        if m:
            _set_font(p.add_run(m.group(0)), 14, bold=True)
            text = text[m.end() :]
        _set_font(p.add_run(text), 14, italic=text.startswith("Căn cứ"))

    closing = doc.add_table(rows=1, cols=2)
    closing.autofit = False
    noi_nhan, signer = closing.rows[0].cells
    noi_nhan.width, signer.width = Mm(75), Mm(90)
    closing.columns[0].width, closing.columns[1].width = Mm(75), Mm(90)
    _first_cell_paragraph(noi_nhan)
    _first_cell_paragraph(signer)
    _para(noi_nhan, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in d.noi_nhan():
        _para(noi_nhan, line, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in d.authority_lines():
        _para(signer, line, 14, bold=True)
    for _ in range(4):
        _para(signer, "", 14)
    _para(signer, d.signer_name, 14, bold=True)

    core = doc.core_properties
    core.title, core.author, core.language = (
        f"{d.type_name} {d.subject}"[:250],
        d.agency_name,
        "vi-VN",
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
