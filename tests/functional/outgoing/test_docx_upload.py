"""A DOCX draft uploaded through the API is converted with LibreOffice (SPEC §3 drafting);
``libreoffice-writer-nogui`` is in the Makefile's SYSTEM_PACKAGES."""

from __future__ import annotations

import io
import subprocess
import unicodedata

LINES = ["ỦY BAN NHÂN DÂN THÀNH PHỐ VĨNH YÊN",
         "Về việc tăng cường phòng, chống dịch sốt xuất huyết",
         "Đề nghị các phường, xã triển khai ngay chiến dịch diệt lăng quăng, bọ gậy."]


def _docx() -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    for line in LINES:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_docx_upload_is_converted_with_reserved_fields(api, app, client, auth):
    from pypdf import PdfReader

    original = _docx()
    resp = api.post("/api/v1/outgoing", "chuyenvien", content_type="multipart/form-data", data={
        "type_code": "CV", "subject": "Về việc phòng, chống dịch sốt xuất huyết",
        "signer": "phochutich", "authority": "KT. CHỦ TỊCH",
        "file": (io.BytesIO(original), "cong-van.docx")})
    assert resp.status_code == 201, resp.get_json()
    doc_id = resp.get_json()["id"]

    pdf = api.get(f"/api/v1/documents/{doc_id}/file", "chuyenvien").data
    assert pdf.startswith(b"%PDF")
    raw = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    for line in LINES:
        assert line in text, (line, text)
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert {"doc_number", "doc_date", "sig_official"} <= set(fields)

    # the uploaded DOCX is kept and offered for download on the document page
    auth.login("chuyenvien")
    assert "Tải bản DOCX" in client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert client.get(f"/outgoing/{doc_id}/docx").data == original
