"""Editing a draft by its drafter: API (PUT) and web form, file history, audit, access."""

from __future__ import annotations

import io
import re
import subprocess

SECRET = {"passphrase": "eoffice-demo"}


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _reject(api, doc_id: int, comment: str) -> None:
    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").status_code == 200
    resp = api.post(f"/api/v1/outgoing/{doc_id}/reject", "truongphong", json={"comment": comment})
    assert resp.get_json()["state"] == "draft"


def _records(app, doc_id: int) -> dict[str, object]:
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db
    from eoffice.documents.models import Document, SearchOutbox

    db.session.remove()
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        out = {"files": [(f.kind, f.sha256) for f in sorted(doc.files, key=lambda f: f.id)],
               "current": doc.current_file_sha,
               "edits": [e.details for e in db.session.query(AuditEntry).filter_by(
                   action="outgoing.edit", object_id=str(doc_id))],
               "outbox": db.session.query(SearchOutbox).filter_by(document_id=doc_id).count()}
        db.session.remove()
        return out


def test_drafter_edits_rejected_draft_through_the_api(api, app, new_draft):
    doc_id = new_draft()
    _reject(api, doc_id, "Đổi người ký, bổ sung kinh phí.")
    before = _records(app, doc_id)
    # phochutich (VP) does not see the draft yet
    assert api.get(f"/api/v1/documents/{doc_id}", "phochutich").status_code == 404

    resp = api.call("PUT", f"/api/v1/outgoing/{doc_id}", "chuyenvien", json={
        "type_code": "TB", "subject": "Thông báo lịch tổ chức Ngày hội Văn hóa năm 2026",
        "body": ["Kinh phí thực hiện: 120 triệu đồng từ ngân sách thành phố."],
        "recipients": ["Các phòng, ban thuộc UBND thành phố"],
        "signer": "phochutich", "authority": "KT. CHỦ TỊCH", "urgency": "khan"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"id": doc_id, "state": "draft"}

    after = _records(app, doc_id)
    assert after["current"] != before["current"]
    # the old files stay in the history; new DOCX + PDF added
    assert after["files"][:len(before["files"])] == before["files"]
    assert [k for k, _ in after["files"][len(before["files"]):]] == ["draft_docx", "draft_pdf"]
    assert len(after["edits"]) == 1
    changed = set(after["edits"][0]["changed"])
    assert {"type_code", "subject", "signer", "body", "urgency"} <= changed
    assert after["outbox"] > before["outbox"]

    meta = api.get(f"/api/v1/documents/{doc_id}", "phochutich").get_json()
    assert meta["subject"] == "lịch tổ chức Ngày hội Văn hóa năm 2026"
    assert meta["type_code"] == "TB" and meta["urgency"] == "khan"
    text = _text(api.get(f"/api/v1/documents/{doc_id}/file", "chuyenvien").data)
    assert "THÔNG BÁO" in text and "120 triệu đồng" in text and "KT. CHỦ TỊCH" in text

    # the new signer is the one who signs now
    for route, user in [("submit", "chuyenvien"), ("approve", "truongphong"),
                        ("approve", "vanthu")]:
        assert api.post(f"/api/v1/outgoing/{doc_id}/{route}", user).status_code == 200
    assert api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich", json=SECRET).status_code \
        == 403
    resp = api.post(f"/api/v1/outgoing/{doc_id}/sign", "phochutich", json=SECRET)
    assert resp.status_code == 200 and resp.get_json()["state"] == "signed"


def test_edit_outside_draft_is_a_conflict_and_invalid_edit_changes_nothing(
        api, app, new_draft):
    doc_id = new_draft()
    bad = api.call("PUT", f"/api/v1/outgoing/{doc_id}", "chuyenvien",
                   json={"type_code": "KH", "subject": "", "signer": "chutich"})
    assert bad.status_code == 422 and bad.get_json()["error"]["message"]
    unchanged = _records(app, doc_id)
    assert unchanged["edits"] == [] and len(unchanged["files"]) == 2

    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").status_code == 200
    resp = api.call("PUT", f"/api/v1/outgoing/{doc_id}", "chuyenvien",
                    json={"type_code": "KH", "subject": "Sửa khi đang duyệt", "signer": "chutich"})
    assert resp.status_code == 409
    assert "dự thảo" in resp.get_json()["error"]["message"]
    meta = api.get(f"/api/v1/documents/{doc_id}", "chuyenvien").get_json()
    assert meta["state"] == "content_review" and meta["subject"] != "Sửa khi đang duyệt"
    assert _records(app, doc_id)["edits"] == []


def test_replace_upload_with_a_new_pdf(api, app):
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    def pdf(text: str) -> bytes:
        buf = io.BytesIO()
        c = canvas.Canvas(buf)
        c.drawString(100, 700, text)
        c.save()
        return buf.getvalue()

    fields = {"type_code": "TB", "subject": "Thông báo lịch trực", "signer": "phochutich"}
    resp = api.post("/api/v1/outgoing", "chuyenvien", content_type="multipart/form-data",
                    data={**fields, "file": (io.BytesIO(pdf("First version")), "v1.pdf")})
    doc_id = resp.get_json()["id"]
    resp = api.call("PUT", f"/api/v1/outgoing/{doc_id}", "chuyenvien",
                    content_type="multipart/form-data",
                    data={**fields, "file": (io.BytesIO(pdf("Second version")), "v2.pdf")})
    assert resp.status_code == 200, resp.get_json()
    current = api.get(f"/api/v1/documents/{doc_id}/file", "chuyenvien").data
    assert "Second version" in _text(current)
    assert {"doc_number", "doc_date", "sig_official"} <= set(
        PdfReader(io.BytesIO(current)).get_fields() or {})
    records = _records(app, doc_id)
    assert [k for k, _ in records["files"]] == ["draft_pdf", "draft_pdf"]
    assert records["edits"][0]["upload"] is True
    # a metadata-only edit of an uploaded draft keeps the uploaded PDF
    resp = api.call("PUT", f"/api/v1/outgoing/{doc_id}", "chuyenvien",
                    json={**fields, "subject": "Thông báo lịch trực (sửa)"})
    assert resp.status_code == 200
    assert api.get(f"/api/v1/documents/{doc_id}/file", "chuyenvien").data == current
    assert api.get(f"/api/v1/documents/{doc_id}", "chuyenvien").get_json()["subject"] \
        == "lịch trực (sửa)"  # the type name is printed above it


def test_web_edit_form_prefilled_with_rejection_comment(client, auth, api, new_draft,
                                                         switch_user):
    doc_id = new_draft(urgency="thuong_khan")
    _reject(api, doc_id, "Trích yếu chưa rõ, hãy viết lại.")

    auth.login("chuyenvien")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert "Sửa dự thảo" in page and f"/outgoing/{doc_id}/edit" in page
    form = client.get(f"/outgoing/{doc_id}/edit").get_data(as_text=True)
    assert "Trích yếu chưa rõ, hãy viết lại." in form
    assert 'value="Tổ chức Ngày hội Văn hóa các dân tộc năm 2026"' in form
    assert "I. MỤC ĐÍCH, YÊU CẦU" in form
    assert re.search(r'<option value="thuong_khan"\s+selected', form)
    assert re.search(r'<option value="KH"\s+selected', form)
    resp = auth.post(f"/outgoing/{doc_id}/edit", data={
        "type_code": "KH", "subject": "Kế hoạch tổ chức Ngày hội Văn hóa (đã sửa)",
        "body": "Đoạn sửa một.\nĐoạn sửa hai.", "recipients": "Các phòng, ban",
        "signer": "chutich", "authority": "TM. ỦY BAN NHÂN DÂN", "urgency": "khan"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/outgoing/{doc_id}")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert "tổ chức Ngày hội Văn hóa (đã sửa)" in page
    assert "Đoạn sửa hai." in _text(client.get(f"/documents/{doc_id}/file").data)
    # without CSRF the edit is refused
    assert client.post(f"/outgoing/{doc_id}/edit", data={"subject": "x"}).status_code == 400
    # an invalid edit shows the message and keeps what was typed
    resp = auth.post(f"/outgoing/{doc_id}/edit", data={
        "type_code": "KH", "subject": "", "signer": "chutich", "body": "Giữ lại nội dung"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Hãy nhập trích yếu" in html and "Giữ lại nội dung" in html

    switch_user("truongphong")  # sees the draft (same department) but is not its drafter
    assert "Sửa dự thảo" not in client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert client.get(f"/outgoing/{doc_id}/edit").status_code == 403
    switch_user("phochutich")
    assert client.get(f"/outgoing/{doc_id}/edit").status_code == 404

    switch_user("chuyenvien")
    auth.post(f"/outgoing/{doc_id}/submit")
    assert "Sửa dự thảo" not in client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert client.get(f"/outgoing/{doc_id}/edit").status_code == 409


def test_edit_route_is_in_the_openapi_description(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    put = paths["/api/v1/outgoing/{document_id}"]["put"]
    assert {"200", "403", "404", "409", "422"} <= set(put["responses"])
    assert "multipart/form-data" in put["requestBody"]["content"]
    assert "get" in paths["/api/v1/outgoing/register"]
