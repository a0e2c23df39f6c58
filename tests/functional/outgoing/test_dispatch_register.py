"""Dispatch, recall, batch signing and the outgoing register (screen and PDF)."""

from __future__ import annotations

import subprocess
from datetime import date

SECRET = {"passphrase": "eoffice-demo"}


def test_dispatch_reaches_department_inbox_and_recall_notifies(api, app, document_at, auth):
    doc_id = document_at("issued")
    # a TCKH user does not exist in the demo: check access keys on the record instead
    assert api.get(f"/api/v1/documents/{doc_id}", "phochutich").status_code == 404
    resp = api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": ["NV", "VP", "000.00.00.H12"]})
    assert resp.status_code == 200 and resp.get_json()["state"] == "dispatched"
    kinds = {(r["kind"], r["recipient"]) for r in resp.get_json()["recipients"]}
    assert kinds == {("department", "NV"), ("department", "VP"), ("external", "000.00.00.H12")}
    # VP was a recipient: phochutich (VP) now finds it
    assert api.get(f"/api/v1/documents/{doc_id}", "phochutich").status_code == 200

    bad = document_at("issued")
    resp = api.post(f"/api/v1/outgoing/{bad}/dispatch", "vanthu",
                    json={"recipients": ["KHONGCO"]})
    assert resp.status_code == 422 and "KHONGCO" in resp.get_json()["error"]["message"]

    auth.login("phochutich")
    assert f"/outgoing/{doc_id}" in auth.client.get("/outgoing/received").get_data(as_text=True)
    resp = api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"comment": "Sai số liệu"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "recalled"
    # frozen: nothing more can happen to it
    assert api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": ["NV"]}).status_code == 409
    from eoffice.db import db
    from eoffice.outgoing.models import OutgoingNotification

    with app.app_context():
        keys = {n.recipient_key for n in db.session.query(OutgoingNotification)}
        assert {"dept:NV", "dept:VP", "external:000.00.00.H12", "user:chuyenvien"} <= keys
        db.session.remove()
    notices = auth.client.get("/outgoing/received").get_data(as_text=True)
    assert "đã bị thu hồi" in notices and "Sai số liệu" in notices


def test_batch_signing_with_one_passphrase(api, document_at):
    ids = [document_at("ready_to_sign") for _ in range(3)]
    resp = api.post("/api/v1/outgoing/sign-batch", "chutich",
                    json={"ids": ids, "passphrase": "wrong"})
    assert resp.status_code == 422
    assert all(api.get(f"/api/v1/documents/{i}", "chutich").get_json()["state"]
               == "ready_to_sign" for i in ids)
    resp = api.post("/api/v1/outgoing/sign-batch", "chutich", json={"ids": ids, **SECRET})
    assert resp.status_code == 200, resp.get_json()
    assert [d["state"] for d in resp.get_json()["signed"]] == ["signed"] * 3
    # another leader cannot batch-sign documents named for chutich
    other = document_at("ready_to_sign")
    resp = api.post("/api/v1/outgoing/sign-batch", "phochutich", json={"ids": [other], **SECRET})
    assert resp.status_code == 404


def test_register_pdf_lists_issued_documents(api, app, auth, document_at):
    app.config["TODAY"] = date(2026, 4, 9)
    first = document_at("dispatched")
    document_at("issued", type_code="TTr", subject="Đề nghị phê duyệt dự toán kinh phí")
    document_at("signed")  # not issued: not in the register
    auth.login("vanthu")
    page = auth.client.get("/outgoing/register?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "01/KH-UBND" in html and "02/TTr-UBND" in html
    pdf = auth.client.get("/outgoing/register.pdf?year=2026")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    raw = subprocess.run(["pdftotext", "-", "-"], input=pdf.data,
                         capture_output=True, check=True).stdout.decode()
    text = " ".join(raw.split())  # cells wrap inside narrow columns
    for column in ["Số ký hiệu", "Ngày văn bản", "Tên loại và trích yếu", "Người ký",
                   "Nơi nhận", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"]:
        assert column in text, column
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text
    assert "01/KH-UBND" in text and "02/TTr-UBND" in text and "09/04/2026" in text
    assert "Tờ trình" in text and "Trần Văn Hùng" in text
    assert text.count("/KH-UBND") + text.count("/TTr-UBND") == 2
    assert api.get(f"/api/v1/documents/{first}", "vanthu").get_json()["state"] == "dispatched"
    empty = auth.client.get("/outgoing/register.pdf?year=2020")
    assert "Chưa có văn bản nào" in subprocess.run(
        ["pdftotext", "-", "-"], input=empty.data, capture_output=True).stdout.decode()
