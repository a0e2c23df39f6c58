"""Web pages: the registration form (check, pre-fill, duplicate warning), the document page
with the arrival stamp and the signature panel, inbox tabs."""

from __future__ import annotations

import io
import re


def _form(pdf: bytes | None = None, **fields: str) -> dict[str, object]:
    data: dict[str, object] = {"issuer_name": "", "subject": "", "type_code": "CV",
                               "urgency": "thuong", "secrecy": "none", **fields}
    if pdf is not None:
        data["file"] = (io.BytesIO(pdf), "den.pdf", "application/pdf")
    return data


def test_register_through_the_form_with_prefill(auth, signed_pdf):
    auth.login("vanthu")
    page = auth.post("/incoming/new", data=_form(signed_pdf, action="analyse"),
                     content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-verdict="valid"' in page and "hợp lệ" in page
    assert re.search(r'name="signer_name" class=guessed value="Trần Văn Hùng"', page)
    assert re.search(r'name="page_count" class=guessed value="2"', page)
    assert 'id="guessed"' in page  # the clerk is told what was read from the file
    sha = re.search(r'name="file_sha" value="([0-9a-f]{64})"', page).group(1)
    resp = auth.post("/incoming/new", data=_form(
        None, action="register", file_sha=sha, issuer_name="UBND tỉnh Vĩnh Phúc",
        subject="Về việc tổ chức lễ hội", code_number="9", code_notation="UBND-VX",
        signer_name="Trần Văn Hùng"), content_type="multipart/form-data")
    assert resp.status_code == 302
    show = auth.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "ĐẾN — Số: 1" in show
    assert 'data-verdict="valid"' in show
    # the same issuer, number and code again: warned before saving
    again = auth.post("/incoming/new", data=_form(
        None, action="register", file_sha=sha, issuer_name="UBND tỉnh Vĩnh Phúc",
        subject="Về việc tổ chức lễ hội", code_number="9", code_notation="UBND-VX"),
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Có thể trùng" in again and 'name="confirm_duplicate"' in again
    saved = auth.post("/incoming/new", data=_form(
        None, action="register", file_sha=sha, issuer_name="UBND tỉnh Vĩnh Phúc",
        subject="Về việc tổ chức lễ hội", code_number="9", code_notation="UBND-VX",
        confirm_duplicate="1"), content_type="multipart/form-data")
    assert saved.status_code == 302


def test_form_errors_are_shown_in_vietnamese(auth, scan):
    auth.login("vanthu")
    resp = auth.post("/incoming/new", data=_form(scan, action="register", subject="X",
                                                 secrecy="mat", issuer_name="Công an tỉnh"),
                     content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "không được phép lưu tệp của văn bản mật" in resp.get_data(as_text=True)


def test_tampered_panel_is_red_and_return_to_sender(auth, tampered_pdf):
    auth.login("vanthu")
    resp = auth.post("/incoming/new", data=_form(tampered_pdf, action="register",
                                                 issuer_name="Sở Tài chính", subject="Báo cáo"),
                     content_type="multipart/form-data")
    show_url = resp.headers["Location"]
    page = auth.client.get(show_url).get_data(as_text=True)
    assert 'data-verdict="invalid"' in page and "không hợp lệ" in page
    assert 'id="return-form"' in page
    doc_id = show_url.rstrip("/").split("/")[-1]
    auth.post(f"/incoming/{doc_id}/return", data={"reason": "Chữ ký số không hợp lệ"})
    page = auth.client.get(show_url).get_data(as_text=True)
    assert 'data-state="returned"' in page and "Chữ ký số không hợp lệ" in page


def test_leader_directs_from_the_page(auth, register, scan):
    doc_id = register(scan).get_json()["id"]
    auth.login("chutich")
    page = auth.client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert 'id="direct-form"' in page
    resp = auth.post(f"/incoming/{doc_id}/direct", data={
        "instruction": "Giao VHTT chủ trì", "lead": "VHTT", "deadline": "2099-01-10",
        "coordinators": ["TCKH"], "deadline_TCKH": "2099-01-05"})
    assert resp.status_code == 302
    page = auth.client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert 'data-role="lead" data-department="VHTT"' in page
    assert 'data-role="coordinator" data-department="TCKH"' in page
    assert "05/01/2099" in page
    assert auth.client.get("/incoming?tab=to_direct").status_code == 200


def test_missing_and_wrong_fields_are_named_and_the_file_kept(auth, signed_pdf):
    """The form never blocks silently: each problem next to its field and in a summary
    (the same names the browser's check uses), the chosen file kept for the next try."""
    auth.login("vanthu")
    resp = auth.post("/incoming/new", data=_form(
        signed_pdf, action="register", issued_date="31/02/2026", page_count="hai"),
        content_type="multipart/form-data")
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    summary = re.search(r'id="form-summary">(.*?)</div>', page, re.S).group(1)
    names = re.findall(r'<a href="#field-(\w+)">([^<]+)</a>', summary)
    assert names == [("issuer_name", "Cơ quan ban hành"), ("issued_date", "Ngày văn bản"),
                     ("subject", "Trích yếu"), ("page_count", "Số trang")]
    errors = dict(re.findall(r'<span class="field-error" id="error-(\w+)">([^<]+)</span>', page))
    assert errors["issuer_name"] == "Chưa nhập Cơ quan ban hành."
    assert errors["subject"] == "Chưa nhập Trích yếu."
    assert errors["issued_date"].startswith("Ngày văn bản: ngày không hợp lệ")
    assert errors["page_count"] == "Số trang: phải là số nguyên."
    # each message sits right after its field
    assert re.search(r'id="field-subject"[^>]*>[^<]*</textarea><span class="field-error" '
                     r'id="error-subject">', page)
    sha = re.search(r'name="file_sha" value="([0-9a-f]{64})"', page).group(1)
    done = auth.post("/incoming/new", data=_form(
        None, action="register", file_sha=sha, issuer_name="UBND tỉnh Vĩnh Phúc",
        subject="Về việc tổ chức lễ hội", issued_date="28/02/2026", page_count="2"),
        content_type="multipart/form-data")
    assert done.status_code == 302  # registered with the file chosen the first time
    show = auth.client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="valid"' in show
