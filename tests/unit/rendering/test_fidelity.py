"""What the drafter typed is not doubled by the layout: ``V/v``, the type name, ``;``."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from eoffice.rendering import (
    OutgoingRegisterRow,
    render_docx,
    render_outgoing_register,
    render_pdf,
)
from eoffice.rendering.register_rows import type_and_subject
from eoffice.rendering.types import clean_list_item, clean_subject


@pytest.mark.parametrize("typed", [
    "V/v tổ chức Tết Trồng cây", "v/v tổ chức Tết Trồng cây", "V/V: tổ chức Tết Trồng cây",
    "Về việc tổ chức Tết Trồng cây", "tổ chức Tết Trồng cây",
])
def test_cong_van_subject_never_gets_a_second_vv(typed, make_draft, pdf_text):
    draft = make_draft("CV", subject=typed, recipients=["Các phòng, ban"])
    assert draft.subject == "tổ chức Tết Trồng cây"
    text = pdf_text(render_pdf(draft))
    assert "V/v tổ chức Tết Trồng cây" in text
    assert "V/v V/v" not in text and "V/v Về việc" not in text
    paragraphs = [p.text for t in docx.Document(io.BytesIO(render_docx(draft))).tables
                  for row in t.rows for c in row.cells for p in c.paragraphs]
    assert "V/v tổ chức Tết Trồng cây" in paragraphs


def test_type_name_typed_in_the_subject_is_printed_once(make_draft, pdf_text):
    draft = make_draft("KH", subject="Kế hoạch tổ chức Ngày hội Văn hóa")
    assert draft.subject == "tổ chức Ngày hội Văn hóa"
    text = pdf_text(render_pdf(draft))
    assert "Kế hoạch tổ chức" not in text and "tổ chức Ngày hội Văn hóa" in text
    assert clean_subject("KH", "Kế hoạch") == "Kế hoạch"  # nothing else left: kept


@pytest.mark.parametrize(("type_name", "subject"), [
    ("Kế hoạch", "Kế hoạch tổ chức Ngày hội"), ("Kế hoạch", "tổ chức Ngày hội"),
    ("Kế hoạch", "kế hoạch tổ chức Ngày hội"),
])
def test_register_cell_names_the_type_once(type_name, subject):
    assert type_and_subject(type_name, subject) == "Kế hoạch tổ chức Ngày hội"


def test_register_row_of_a_subject_starting_with_the_type(pdf_text):
    row = OutgoingRegisterRow(
        code="01/KH-UBND", issued_date=date(2026, 3, 5), type_name="Kế hoạch",
        subject="Kế hoạch tổ chức Ngày hội", signer="Trần Văn Hùng",
        recipients="Phòng Nội vụ; Phòng Tài chính - Kế hoạch")
    text = pdf_text(render_outgoing_register([row], agency="UBND THÀNH PHỐ VĨNH YÊN",
                                             year=2026))
    assert "Kế hoạch tổ chức Ngày hội" in text and "Kế hoạch Kế hoạch" not in text


@pytest.mark.parametrize(("line", "clean"), [
    ("Sở Nội vụ;", "Sở Nội vụ"), ("- Sở Nội vụ;", "Sở Nội vụ"), ("Sở Nội vụ.", "Sở Nội vụ"),
    ("  – UBND các xã, phường ; ", "UBND các xã, phường"), ("Sở Nội vụ", "Sở Nội vụ"),
])
def test_list_item_cleaned(line, clean):
    assert clean_list_item(line) == clean


def test_recipient_lines_ending_in_semicolon_are_not_doubled(make_draft, pdf_text):
    draft = make_draft("KH", recipients=["- Phòng Văn hóa và Thông tin;", "UBND các xã;"])
    text = pdf_text(render_pdf(draft))
    assert ";;" not in text and "; ;" not in text
    assert "- Phòng Văn hóa và Thông tin;" in text and "- UBND các xã;" in text
    cv = make_draft("CV", recipients=["Sở Nội vụ;", "Sở Tài chính;"])
    assert cv.kinh_gui() == ["- Sở Nội vụ;", "- Sở Tài chính."]
