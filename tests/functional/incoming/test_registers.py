"""Registers on screen, as PDF (checked with pdftotext) and as XLSX with the same rows."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest

INCOMING_HEADERS = ["Ngày đến", "Số đến", "Tác giả", "Số ký hiệu", "Ngày văn bản",
                    "Tên loại và trích yếu", "Đơn vị hoặc người nhận", "Ngày chuyển",
                    "Ký nhận", "Ghi chú"]


@pytest.fixture
def two_documents(app, api, register, scan, signed_pdf) -> list[int]:
    app.config["TODAY"] = date(2026, 4, 6)
    one = register(signed_pdf, issuer_name="Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Phúc",
                   subject="Hướng dẫn tổ chức Lễ hội Tây Thiên", type_code="HD",
                   code_number="15", code_notation="HD-SVHTTDL", issued_date="2026-04-01",
                   urgency="thuong_khan").get_json()["id"]
    two = register(scan, issuer_name="Ủy ban nhân dân tỉnh Vĩnh Phúc",
                   subject="Về việc rà soát đường giao thông nông thôn",
                   code_number="203", code_notation="UBND-KT",
                   issued_date="2026-04-02").get_json()["id"]
    resp = api.post(f"/api/v1/incoming/{one}/direction", "chutich",
                    json={"lead": "VHTT", "coordinators": ["TCKH"], "deadline": "2026-04-20"})
    assert resp.status_code == 200
    return [one, two]


def _pdftotext(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_incoming_register_pdf_has_all_columns_in_vietnamese(auth, two_documents):
    auth.login("vanthu")
    resp = auth.client.get("/incoming/registers?kind=incoming&year=2026&format=pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = _pdftotext(resp.data)
    for header in ["SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm 2026", *INCOMING_HEADERS]:
        for word in header.split():
            assert word in text, word
    for value in ["Tây Thiên", "Vĩnh Phúc", "15/HD-SVHTTDL", "203/UBND-KT", "06/04/2026",
                  "Thượng khẩn", "Phòng Văn hóa và Thông tin"]:
        for word in value.split():
            assert word in text, word


def test_tracking_register_pdf_and_screen(auth, two_documents):
    auth.login("chutich")
    text = _pdftotext(auth.client.get(
        "/incoming/registers?kind=tracking&year=2026&format=pdf").data)
    for value in ["SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN", "Đơn vị chủ trì", "Đơn vị phối hợp",
                  "Thời hạn giải quyết", "Tiến độ giải quyết", "20/04/2026",
                  "Phòng Tài chính - Kế hoạch"]:
        for word in value.split():
            assert word in text, word
    page = auth.client.get("/incoming/registers?kind=tracking&year=2026").get_data(as_text=True)
    assert "Đã có ý kiến chỉ đạo" in page


@pytest.mark.parametrize("kind", ["incoming", "tracking"])
def test_xlsx_has_the_same_rows(app, auth, two_documents, kind):
    from openpyxl import load_workbook

    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.incoming import registers

    auth.login("vanthu")
    resp = auth.client.get(f"/incoming/registers?kind={kind}&year=2026&format=xlsx")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    with app.app_context():
        import sqlalchemy as sa

        clerk = db.session.scalar(sa.select(User).where(User.username == "vanthu"))
        expected = (registers.incoming_rows(db.session, clerk, 2026) if kind == "incoming"
                    else registers.tracking_rows(db.session, clerk, 2026, date(2026, 4, 6)))
    assert len(rows) == 1 + len(expected) == 3
    if kind == "incoming":
        assert list(rows[0]) == INCOMING_HEADERS
    for got, want in zip(rows[1:], expected, strict=True):
        cells = ["" if v is None else (v.strftime("%d/%m/%Y") if hasattr(v, "strftime")
                                       else str(v)) for v in got]
        assert cells == want.cells()


def test_classified_register_is_printed_never_exported(auth):
    auth.login("vanthu")
    resp = auth.client.get("/incoming/registers?kind=incoming&year=2026&register=mat&format=xlsx")
    assert resp.status_code == 422
    assert "không được xuất ra tệp bảng tính" in resp.get_data(as_text=True)
    pdf = auth.client.get("/incoming/registers?kind=incoming&year=2026&register=mat&format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
