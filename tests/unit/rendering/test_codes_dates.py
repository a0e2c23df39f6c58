"""Reference codes, type names and Vietnamese dates (Decree 30/2020, SPEC §2)."""

from __future__ import annotations

from datetime import date

import pytest

from eoffice.rendering import DOCUMENT_TYPES, reference_code, type_name, vn_date_text


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
        (date(2026, 1, 9), "ngày 09 tháng 01 năm 2026"),
        (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
    ],
)
def test_vn_date_text(d, expected):
    assert vn_date_text(d) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, "QĐ", "UBND"), "05/QĐ-UBND"),
        ((82, "KH", "UBND"), "82/KH-UBND"),
        ((12, "CV", "UBND", "VP"), "12/UBND-VP"),
        ((1, "CV", "UBND", "VHTT"), "01/UBND-VHTT"),
        ((3, "QyĐ", "UBND"), "03/QyĐ-UBND"),
        ((10, "CTr", "UBND"), "10/CTr-UBND"),
        ((101, "TTr", "UBND"), "101/TTr-UBND"),
    ],
)
def test_reference_code(args, expected):
    assert reference_code(*args) == expected


@pytest.mark.parametrize("code", sorted(DOCUMENT_TYPES))
def test_every_type_keeps_its_case(code):
    result = reference_code(7, code, "UBND", "VP")
    assert result == ("07/UBND-VP" if code == "CV" else f"07/{code}-UBND")
    assert type_name(code) == DOCUMENT_TYPES[code]


def test_spec_types_present():
    spec = "NQ QĐ CT QC QyĐ TC TB HD CTr KH PA ĐA DA BC BB TTr HĐ CĐ BGN BTT GUQ GM GGT GNP PG"
    for code in (spec + " PC PB SY TrS SL").split():
        assert code in DOCUMENT_TYPES
    assert DOCUMENT_TYPES["CV"] == "Công văn"


def test_unknown_type_and_bad_number_are_refused_in_vietnamese():
    with pytest.raises(ValueError, match="Loại văn bản không hợp lệ"):
        reference_code(1, "XYZ", "UBND")
    with pytest.raises(ValueError, match="Số văn bản không hợp lệ"):
        reference_code(0, "KH", "UBND")


@pytest.mark.parametrize("code", ["CV", "QĐ", "KH", "TB", "TTr", "BC", "GM", "NQ"])
def test_starters_prefill_drafts_that_render(code, make_draft, pdf_text):
    from eoffice.rendering import render_pdf
    from eoffice.rendering.starters import starter

    s = starter(code)
    assert s["type_name"] == DOCUMENT_TYPES[code]
    draft = make_draft(code, body=s["body"] or ["..."], recipients=s["recipients"] or ["..."])
    assert DOCUMENT_TYPES[code].upper() in pdf_text(render_pdf(draft)) or code == "CV"
