"""Register fields guessed from a Decree 30 header (text as poppler extracts it)."""

from __future__ import annotations

import pytest

from eoffice.incoming.header_guess import guess_fields

KH = """UBND TỈNH VĨNH PHÚC
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
UBND THÀNH PHỐ VĨNH YÊN
Độc lập - Tự do - Hạnh phúc

Số: 82/KH-UBND

Vĩnh Yên, ngày 28 tháng 3 năm 2022

KẾ HOẠCH
Tổ chức Ngày hội Văn hóa các dân tộc thành phố năm 2022 và các hoạt động
chào mừng kỷ niệm Ngày Quốc khánh
Căn cứ Kế hoạch số 45/KH-UBND ngày 12 tháng 02 năm 2022 của UBND tỉnh;
"""

CV = """SỞ NỘI VỤ TỈNH VĨNH PHÚC
Số:15 / SNV-VP
V/v tổ chức Tết Trồng cây đời đời nhớ
ơn Bác Hồ năm 2022

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Vĩnh Phúc, ngày 05 tháng 01 năm 2022
Kính gửi: Các sở, ban, ngành
"""


def test_plan_header():
    assert guess_fields(KH) == {
        "code_number": "82", "code_notation": "KH-UBND", "issued_date": "28/03/2022",
        "issuer_name": "UBND THÀNH PHỐ VĨNH YÊN", "type_code": "KH",
        "subject": "Tổ chức Ngày hội Văn hóa các dân tộc thành phố năm 2022 và các hoạt động "
                   "chào mừng kỷ niệm Ngày Quốc khánh"}


def test_official_letter_header_in_another_order():
    found = guess_fields(CV)
    assert found["code_number"] == "15" and found["code_notation"] == "SNV-VP"
    assert found["issued_date"] == "05/01/2022" and found["type_code"] == "CV"
    assert found["subject"] == "tổ chức Tết Trồng cây đời đời nhớ ơn Bác Hồ năm 2022"
    assert found["issuer_name"] == "SỞ NỘI VỤ TỈNH VĨNH PHÚC"


@pytest.mark.parametrize(("notation", "type_code"), [("QĐ-UBND", "QĐ"), ("UBND-VP", "CV"),
                                                     ("TTr-SNV", "TTr")])
def test_type_from_the_code_when_no_title_line(notation, type_code):
    assert guess_fields(f"Số: 7/{notation}\nnội dung")["type_code"] == type_code


def test_nothing_found_guesses_nothing():
    assert guess_fields("") == {}
    assert guess_fields("một trang không theo thể thức\nngày 31 tháng 2 năm 2022") == {}
