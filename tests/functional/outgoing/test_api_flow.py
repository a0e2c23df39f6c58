"""The whole outgoing flow through the API alone, exactly as SPEC §3 names it."""

from __future__ import annotations

import io
import subprocess
from datetime import date

PASSPHRASE = "eoffice-demo"


def test_api_flow_draft_to_dispatch(api, app, instance):
    resp = api.post("/api/v1/outgoing", "chuyenvien", json={
        "type_code": "KH", "subject": "Tổ chức Ngày hội Văn hóa các dân tộc năm 2026",
        "body": ["Thực hiện chỉ đạo của UBND tỉnh.", "I. MỤC ĐÍCH, YÊU CẦU"],
        "recipients": ["Các phòng, ban thuộc UBND thành phố"], "signer": "chutich",
        "authority": "TM. ỦY BAN NHÂN DÂN"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["state"] == "draft"
    doc_id = body["id"]
    preview = api.get(f"/api/v1/documents/{doc_id}/file", "chuyenvien")
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")

    steps = [("submit", "chuyenvien", {}, "content_review"),
             ("approve", "truongphong", {}, "format_review"),
             ("approve", "vanthu", {}, "ready_to_sign"),
             ("sign", "chutich", {"passphrase": PASSPHRASE}, "signed")]
    for route, user, payload, state in steps:
        resp = api.post(f"/api/v1/outgoing/{doc_id}/{route}", user, json=payload)
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json()["state"] == state

    meta = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert meta["state"] == "signed"
    assert len(meta["signatures"]) == 1 and meta["signatures"][0]["intact"]

    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu",
                    json={"passphrase": PASSPHRASE})
    assert resp.status_code == 200, resp.get_json()
    issued = resp.get_json()
    assert issued["state"] == "issued"
    assert issued["number"] == 1
    assert issued["code"] == "01/KH-UBND"
    assert date.fromisoformat(issued["issued_date"])

    resp = api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": ["TCKH", "000.00.00.H12"]})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "dispatched"

    meta = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
    assert meta["state"] == "dispatched"
    assert meta["code"] == "01/KH-UBND"
    assert meta["code_number"] == 1 and meta["code_notation"] == "KH-UBND"
    assert [s["intact"] for s in meta["signatures"]] == [True, True]
    assert meta["validation"]["verdict"] == "valid", meta["validation"]
    assert [h["action"] for h in meta["history"]] == [
        "submit", "approve", "approve", "sign", "issue", "dispatch"]

    # the department it was sent to finds it (a TCKH user sees it); the file is the issued PDF
    pdf = api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "Số: 01/KH-UBND" in text
    assert "ngày" in text and str(date.fromisoformat(issued["issued_date"]).year) in text
    assert io.BytesIO(pdf).getbuffer().nbytes > 1000


def test_reject_returns_to_draft_with_comment(api, new_draft):
    doc_id = new_draft()
    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").status_code == 200
    missing = api.post(f"/api/v1/outgoing/{doc_id}/reject", "truongphong", json={})
    assert missing.status_code == 422
    resp = api.post(f"/api/v1/outgoing/{doc_id}/reject", "truongphong",
                    json={"comment": "Bổ sung kinh phí thực hiện."})
    assert resp.status_code == 200 and resp.get_json()["state"] == "draft"
    history = api.get(f"/api/v1/documents/{doc_id}", "chuyenvien").get_json()["history"]
    assert history[-1]["action"] == "reject"
    assert history[-1]["comment"] == "Bổ sung kinh phí thực hiện."
    assert history[-1]["actor"] == "truongphong"
    # resubmitting works
    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").get_json()["state"] \
        == "content_review"


def test_multipart_upload_pdf_gets_reserved_fields(api, app):
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "Uploaded draft")
    c.save()
    resp = api.post("/api/v1/outgoing", "chuyenvien", data={
        "type_code": "TB", "subject": "Thông báo lịch trực Tết", "signer": "phochutich",
        "file": (io.BytesIO(buf.getvalue()), "draft.pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    doc_id = resp.get_json()["id"]
    pdf = api.get(f"/api/v1/documents/{doc_id}/file", "chuyenvien").data
    from pypdf import PdfReader

    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert {"doc_number", "doc_date", "sig_official"} <= set(fields)


def test_upload_of_other_type_is_refused(api):
    resp = api.post("/api/v1/outgoing", "chuyenvien", data={
        "type_code": "TB", "subject": "Ảnh", "signer": "chutich",
        "file": (io.BytesIO(b"GIF89a....."), "a.gif")}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "PDF" in resp.get_json()["error"]["message"]
