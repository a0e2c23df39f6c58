"""Drafts rendered as PDF (with the reserved fields) and DOCX."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata

import pytest
from docx import Document
from pypdf import PdfReader

from eoffice.rendering import render_docx, render_pdf

TYPES = ["CV", "QĐ", "KH", "TB", "TTr", "BC", "GM", "QyĐ", "CTr"]
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


def fields_by_page(pdf: bytes) -> dict[str, tuple[int, str, list[float]]]:
    reader = PdfReader(io.BytesIO(pdf))
    found = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            ft = a.get("/FT") or a.get("/Parent", {}).get("/FT")
            found[str(a["/T"])] = (index, str(ft), [float(v) for v in a["/Rect"]])
    return found


def word_boxes(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """(word, yMin, yMax) in PDF points from the top, via ``pdftotext -bbox``."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page + 1), "-l", str(page + 1), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [
        (w, float(y1), float(y2))
        for y1, y2, w in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', out)
    ]


@pytest.mark.parametrize("type_code", TYPES)
def test_pdf_of_every_type(type_code, make_draft, pdf_text, page_images, ink):
    draft = make_draft(type_code)
    pdf = render_pdf(draft)
    text = pdf_text(pdf)
    for expected in (
        QUOC_HIEU,
        TIEU_NGU,
        "UBND THÀNH PHỐ VĨNH YÊN",
        "UBND TỈNH VĨNH PHÚC",
        "Số:",
        "Vĩnh Yên,",
        draft.subject,
        "Nguyễn Văn An",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nơi nhận:",
        "- Lưu: VT, VHTT.",
        "Điều 1. Giao Phòng",
    ):
        assert expected in text, expected
    if type_code == "CV":
        assert "V/v " + draft.subject in text
        assert "Kính gửi: - Phòng Văn hóa và Thông tin; - UBND các xã, phường." in text
        assert "- Như trên;" in text
    else:
        assert draft.type_name.upper() in text
    fields = fields_by_page(pdf)
    assert fields["doc_number"][:2] == (0, "/Tx")
    assert fields["doc_date"][:2] == (0, "/Tx")
    pages = page_images(pdf)
    assert fields["sig_official"][:2] == (len(pages) - 1, "/Sig")
    assert all(ink(p) > 0.002 for p in pages)


def test_reserved_fields_sit_where_the_contract_says(make_draft):
    pdf = render_pdf(make_draft("KH", body=["Nội dung kế hoạch."] * 30))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    fields = fields_by_page(pdf)
    height = float(reader.pages[0].mediabox.height)
    words0 = word_boxes(pdf, 0)
    so = next(w for w in words0 if w[0] == "Số:")
    x1, y1, x2, y2 = fields["doc_number"][2]
    assert height - y2 <= so[1] + 2 and height - y1 >= so[2] - 2  # same line as "Số:"
    place = next(w for w in words0 if w[0] == "Yên,")
    _, dy1, _, dy2 = fields["doc_date"][2]
    assert height - dy2 <= place[1] + 2 and height - dy1 >= place[2] - 2
    last, _, (sx1, sy1, sx2, sy2) = fields["sig_official"]
    words = word_boxes(pdf, last)
    position_bottom = max(y2 for w, _, y2 in words if w == "TỊCH")
    name_top = next(y1 for w, y1, _ in words if w == "Nguyễn")
    assert position_bottom <= height - sy2 + 1 and height - sy1 <= name_top + 1
    assert 150 < sx2 - sx1 < 200 and 70 < sy2 - sy1 < 100  # about 60 × 30 mm
    assert sx1 > float(reader.pages[last].mediabox.width) / 2  # right half


def test_fields_are_empty_borderless_and_unsigned(make_draft):
    reader = PdfReader(io.BytesIO(render_pdf(make_draft("QĐ"))))
    fields = reader.get_fields()
    assert fields["doc_number"].get("/V") in (None, "")
    assert fields["doc_date"].get("/V") in (None, "")
    assert fields["sig_official"].get("/V") is None
    for annot in reader.pages[0]["/Annots"]:
        a = annot.get_object()
        assert "/BG" not in a.get("/MK", {})
        assert float(a.get("/BS", {}).get("/W", 0)) == 0


def test_page_numbers_from_page_two(make_draft, pdf_text):
    pdf = render_pdf(make_draft("BC", body=[f"Đoạn thứ {i} của báo cáo." for i in range(60)]))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text().split()
    second = reader.pages[1].extract_text().split()
    assert second[0] == "2"
    assert first[0] != "1"


@pytest.mark.parametrize(
    ("urgency", "secrecy", "marks"),
    [("khan", "none", ["KHẨN"]), ("hoa_toc", "mat", ["HỎA TỐC", "MẬT"]), ("thuong", "none", [])],
)
def test_priority_marks(urgency, secrecy, marks, make_draft, pdf_text):
    text = pdf_text(render_pdf(make_draft("CV", urgency=urgency, secrecy=secrecy)))
    for mark in marks:
        assert mark in text
    if not marks:
        assert "KHẨN" not in text and "MẬT" not in text


def test_authority_lines_kt(make_draft, pdf_text):
    draft = make_draft("QĐ", authority="KT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH")
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in pdf_text(render_pdf(draft))


def test_nfd_input_is_rendered_as_nfc(make_draft, pdf_text):
    subject = "Tăng cường công tác phòng, chống dịch bệnh"
    draft = make_draft("TB", subject=unicodedata.normalize("NFD", subject))
    assert subject in pdf_text(render_pdf(draft))


def test_bad_type_is_refused(make_draft):
    with pytest.raises(ValueError, match="Loại văn bản không hợp lệ"):
        make_draft("XX")


@pytest.mark.parametrize("type_code", ["CV", "KH", "QĐ"])
def test_docx_contains_the_texts(type_code, make_draft):
    draft = make_draft(type_code, urgency="khan")
    doc = Document(io.BytesIO(render_docx(draft)))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for cell in table._cells:
            texts += [p.text for p in cell.paragraphs]
    joined = "\n".join(texts)
    for expected in (
        QUOC_HIEU,
        TIEU_NGU,
        "UBND THÀNH PHỐ VĨNH YÊN",
        "Nguyễn Văn An",
        "TM. ỦY BAN NHÂN DÂN",
        "Nơi nhận:",
        "- Lưu: VT, VHTT.",
        "KHẨN",
        draft.body[0],
    ):
        assert expected in joined, expected
    if type_code == "CV":
        assert "Số:      /UBND-VHTT" in joined
        assert "V/v " + draft.subject in joined
    else:
        assert f"Số:      /{type_code}-UBND" in joined
        assert draft.type_name.upper() in joined
    section = doc.sections[0]
    assert round(section.left_margin.mm) == 30 and round(section.page_width.mm) == 210
    assert section.different_first_page_header_footer
