"""A DOCX being checked or converted never blocks other users (SPEC §9): the pipeline and
LibreOffice run before the request's transaction, holding no database lock."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from hostile_files import docx_zip_bomb, plain_pdf


def _docx() -> bytes:
    from docx import Document

    doc = Document()
    for i in range(200):
        doc.add_paragraph(f"Đoạn {i}: Về việc tổ chức Ngày hội Văn hóa các dân tộc năm 2026.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _in_parallel(app, api, upload: bytes):
    """Post ``upload`` as an outgoing draft while vanthu registers an incoming PDF."""
    tokens = {u: api.token(u) for u in ("chuyenvien", "vanthu")}
    draft = {"type_code": "CV", "subject": "Về việc phòng, chống dịch", "signer": "phochutich"}

    def post_draft():
        return app.test_client().post(
            "/api/v1/outgoing", headers={"Authorization": f"Bearer {tokens['chuyenvien']}"},
            content_type="multipart/form-data",
            data={**draft, "file": (io.BytesIO(upload), "du-thao.docx")})

    def register():
        return app.test_client().post(
            "/api/v1/incoming", headers={"Authorization": f"Bearer {tokens['vanthu']}"},
            content_type="multipart/form-data",
            data={"issuer_name": "Sở Y tế", "subject": "Về việc tiêm chủng",
                  "file": (io.BytesIO(plain_pdf()), "den.pdf")})

    with ThreadPoolExecutor(2) as pool:
        drafted = pool.submit(post_draft)
        registered = pool.submit(register)
        return drafted.result(), registered.result()


def test_docx_bomb_upload_does_not_block_a_registration(app, api):
    drafted, registered = _in_parallel(app, api, docx_zip_bomb(300))
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["arrival_number"] == 1
    assert drafted.status_code == 422
    assert "bom giải nén" in drafted.get_json()["error"]["message"]


def test_docx_conversion_runs_beside_a_registration(app, api):
    drafted, registered = _in_parallel(app, api, _docx())
    assert registered.status_code == 201, registered.get_json()
    assert drafted.status_code == 201, drafted.get_json()
    pdf = api.get(f"/api/v1/documents/{drafted.get_json()['id']}/file", "chuyenvien").data
    assert pdf.startswith(b"%PDF")
