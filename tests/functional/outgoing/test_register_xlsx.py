"""The outgoing register as XLSX: the same header and rows as the screen and the PDF."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

HEADERS = ["Số ký hiệu", "Ngày văn bản", "Tên loại và trích yếu", "Người ký", "Nơi nhận",
           "Đơn vị/người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"]


def _sheet_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if v is None else (v.strftime("%d/%m/%Y") if hasattr(v, "strftime")
                                   else str(v)) for v in row]
            for row in sheet.iter_rows(values_only=True)]


def _screen_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells])
    return rows


def test_register_xlsx_rows_equal_screen_and_pdf_rows(api, app, auth, document_at):
    app.config["TODAY"] = date(2026, 4, 9)
    document_at("dispatched")
    document_at("issued", type_code="TTr", subject="Đề nghị phê duyệt dự toán kinh phí")
    document_at("signed")  # not issued: not in the register

    auth.login("vanthu")
    html = auth.client.get("/outgoing/register?year=2026").get_data(as_text=True)
    assert "/outgoing/register.xlsx?year=2026" in html
    screen = _screen_rows(html)
    assert len(screen) == 2

    resp = auth.client.get("/outgoing/register.xlsx?year=2026&register=di")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    assert "so-van-ban-di-2026.xlsx" in resp.headers["Content-Disposition"]
    rows = _sheet_rows(resp.data)
    assert rows[0] == HEADERS
    assert rows[1:] == screen
    assert [r[0] for r in rows[1:]] == ["01/KH-UBND", "02/TTr-UBND"]
    assert rows[1][1] == "09/04/2026" and rows[1][7]  # dispatched: a transfer date
    assert rows[2][7] == ""  # issued, not dispatched
    assert rows[2][2] == "Tờ trình Đề nghị phê duyệt dự toán kinh phí"

    # the API gives the same workbook rows and the same JSON rows
    api_xlsx = api.get("/api/v1/outgoing/register?year=2026&format=xlsx", "vanthu")
    assert api_xlsx.status_code == 200 and _sheet_rows(api_xlsx.data) == rows
    json_rows = api.get("/api/v1/outgoing/register?year=2026", "vanthu").get_json()["rows"]
    keys = ["code", "issued_date", "type_and_subject", "signer", "recipients", "archive_holder",
            "copies", "transfer_date", "receiver_signature", "note"]  # JSON keys come sorted
    assert [[r[k] for k in keys] for r in json_rows] == rows[1:]

    # every non-empty cell of the XLSX is printed in the PDF too
    pdf = auth.client.get("/outgoing/register.pdf?year=2026").data
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    for row in rows[1:]:
        for cell in row:
            for word in cell.split():
                assert word in text, (cell, word)

    empty = _sheet_rows(auth.client.get("/outgoing/register.xlsx?year=2020").data)
    assert empty == [HEADERS]
    assert auth.client.get("/outgoing/register.xlsx?year=2026&register=khong").status_code == 404
