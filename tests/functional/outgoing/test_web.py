"""The web pages: lists, new draft form, document page with preview and buttons, actions
with CSRF, wrong passphrase message, dashboard panels, nav entry."""

from __future__ import annotations

import re

SECRET = {"passphrase": "eoffice-demo"}


def _doc_id(location: str) -> int:
    match = re.search(r"/outgoing/(\d+)", location)
    assert match, location
    return int(match.group(1))


def test_web_flow_with_buttons(client, auth, switch_user):
    auth.login("chuyenvien")
    dash = client.get("/dashboard").get_data(as_text=True)
    assert "Văn bản đi" in dash and 'data-panel="my_drafts"' in dash
    form = client.get("/outgoing/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.get_data(as_text=True)
    resp = auth.post("/outgoing/new", data={
        "type_code": "KH", "subject": "Kế hoạch trực Tết Nguyên đán",  # type name: dropped
        "body": "Đoạn một.\nĐoạn hai.", "recipients": "Các phòng, ban",
        "signer": "chutich", "authority": "TM. ỦY BAN NHÂN DÂN", "urgency": "khan",
        "secrecy": "none"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    doc_id = _doc_id(resp.headers["Location"])
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert "<iframe" in page and f"/documents/{doc_id}/file" in page
    assert "action-submit" in page and "action-approve" not in page
    assert "Tải bản DOCX" in page
    docx = client.get(f"/outgoing/{doc_id}/docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    assert "trực Tết Nguyên đán" in client.get("/outgoing/?view=mine").get_data(as_text=True)
    # without CSRF the action is refused
    assert client.post(f"/outgoing/{doc_id}/submit").status_code == 400
    assert auth.post(f"/outgoing/{doc_id}/submit").status_code == 302

    switch_user("truongphong")
    assert "trực Tết Nguyên đán" in client.get("/dashboard").get_data(as_text=True)
    assert "action-approve" in client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    auth.post(f"/outgoing/{doc_id}/approve")
    switch_user("vanthu")
    assert "trực Tết Nguyên đán" in client.get("/dashboard").get_data(as_text=True)
    auth.post(f"/outgoing/{doc_id}/approve")

    switch_user("chutich")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert "action-sign" in page
    resp = auth.post(f"/outgoing/{doc_id}/sign", data={"passphrase": "sai"},
                     follow_redirects=True)
    assert "Mật khẩu khóa ký số không đúng" in resp.get_data(as_text=True)
    resp = auth.post(f"/outgoing/{doc_id}/sign", data=SECRET, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert 'data-state="signed"' in html and "Chữ ký số" in html

    switch_user("vanthu")
    resp = auth.post(f"/outgoing/{doc_id}/issue", data=SECRET, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert 'data-state="issued"' in html and "01/KH-UBND" in html and "hợp lệ" in html
    resp = auth.post(f"/outgoing/{doc_id}/dispatch", data={"departments": ["NV"]},
                     follow_redirects=True)
    assert 'data-state="dispatched"' in resp.get_data(as_text=True)
    download = client.get(f"/documents/{doc_id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_hidden_document_page_is_404(client, auth, new_draft):
    doc_id = new_draft()
    auth.login("phochutich")
    assert client.get(f"/outgoing/{doc_id}").status_code == 404
    assert auth.post(f"/outgoing/{doc_id}/submit").status_code == 404


def test_batch_sign_page(client, auth, document_at):
    ids = [document_at("ready_to_sign") for _ in range(2)]
    auth.login("chutich")
    page = client.get("/outgoing/sign-batch").get_data(as_text=True)
    assert all(f'value="{i}"' in page for i in ids)
    resp = auth.post("/outgoing/sign-batch", data={"ids": [str(i) for i in ids], **SECRET},
                     follow_redirects=True)
    assert "Đã ký 2 văn bản" in resp.get_data(as_text=True)


def test_demo_hook_adds_sample_drafts(app):
    import sqlalchemy as sa

    from eoffice import hooks
    from eoffice.db import db
    from eoffice.documents.models import Direction, Document

    hooks.demo_prepared.send(app)
    with app.app_context():
        states = sorted(db.session.scalars(sa.select(Document.state).where(
            Document.direction == Direction.OUTGOING)))
        db.session.remove()
    assert states == ["content_review", "draft"]


def test_signing_authority_is_a_choice_defaulting_by_signer(client, auth):
    """No placeholder that looks filled in: a select of Decree 30 prefixes with the agency's
    names, the signer's usual authority preselected (chairman TM., deputy KT.)."""
    auth.login("chuyenvien")
    page = client.get("/outgoing/new").get_data(as_text=True)
    assert 'placeholder="TM. ỦY BAN NHÂN DÂN"' not in page
    assert '<select name="authority" id="authority">' in page
    for value in ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Q. CHỦ TỊCH", "TL. CHỦ TỊCH",
                  "TUQ. CHỦ TỊCH"):
        assert f'<option value="{value}"' in page, value
    assert re.search(r'value="phochutich" data-authority="KT\. CHỦ TỊCH"', page)
    assert re.search(r'value="chutich" data-authority="TM\. ỦY BAN NHÂN DÂN"', page)
    chosen = re.search(r'<option value="([^"]*)" selected>', page.split('id="authority"')[1])
    first_signer = re.search(r'<option value="(\w+)" data-authority="([^"]*)"', page)
    assert chosen and first_signer and chosen.group(1) == first_signer.group(2)

    resp = auth.post("/outgoing/new", data={
        "type_code": "CV", "subject": "V/v trực Tết", "recipients": "Các phòng, ban;",
        "signer": "chutich", "authority": "CHỦ TỊCH", "urgency": "thuong", "secrecy": "none"})
    assert resp.status_code == 422  # form shown again, nothing created
    text = resp.get_data(as_text=True)
    assert "Thẩm quyền ký “CHỦ TỊCH” không hợp lệ" in text
    assert '<option value="CHỦ TỊCH" selected>' in text  # what was typed is kept visible


def test_api_draft_subject_and_recipients_are_cleaned(api):
    resp = api.post("/api/v1/outgoing", "chuyenvien", json={
        "type_code": "CV", "subject": "V/v V/v trực Tết", "signer": "phochutich",
        "authority": "kt. chủ tịch", "recipients": ["- Phòng Nội vụ;", "Phòng Tài chính;"]})
    assert resp.status_code == 201, resp.get_json()
    doc = api.get(f"/api/v1/documents/{resp.get_json()['id']}", "chuyenvien").get_json()
    assert doc["subject"] == "trực Tết"  # the layout prints V/v itself
    assert doc["recipients"] == ["Phòng Nội vụ", "Phòng Tài chính"]
    bad = api.post("/api/v1/outgoing", "chuyenvien", json={
        "type_code": "CV", "subject": "Trực Tết", "signer": "chutich", "authority": "CHỦ TỊCH"})
    assert bad.status_code == 422 and "TM., KT., Q., TL." in bad.get_json()["error"]["message"]
