"""The meeting flow through the API: create, materials, agenda, chair's signature,
distribution, participants' inbox, read receipts, change notifications."""

from __future__ import annotations

import subprocess

PASSPHRASE = "eoffice-demo"


def test_create_answers_id_and_draft(api, new_meeting):
    mid = new_meeting()
    meeting = api.get(f"/api/v1/meetings/{mid}", "thuky").get_json()
    assert meeting["state"] == "draft"
    assert meeting["chair"] == "chutich"
    assert {"department": "VHTT"} in meeting["participants"]
    assert {"username": "truongphong"} in meeting["participants"]


def test_create_is_for_secretaries_and_checks_fields(api, meeting_data):
    assert api.post("/api/v1/meetings", "chuyenvien", json=meeting_data).status_code == 403
    bad_chair = api.post("/api/v1/meetings", "thuky", json={**meeting_data, "chair": "chuyenvien"})
    assert bad_chair.status_code == 422
    unknown = api.post("/api/v1/meetings", "thuky",
                       json={**meeting_data, "participants": ["KHONGCO"]})
    assert unknown.status_code == 422
    assert "KHONGCO" in unknown.get_json()["error"]["message"]


def test_distribute_only_after_the_chair_signed(api, meeting_at):
    mid, _ = meeting_at("draft")
    resp = api.post(f"/api/v1/meetings/{mid}/distribute", "thuky")
    assert resp.status_code == 409
    assert "chưa được người chủ trì ký" in resp.get_json()["error"]["message"]
    # only the chair signs
    resp = api.post(f"/api/v1/meetings/{mid}/agenda/sign", "thuky",
                    json={"passphrase": PASSPHRASE})
    assert resp.status_code == 403
    wrong = api.post(f"/api/v1/meetings/{mid}/agenda/sign", "chutich",
                     json={"passphrase": "sai"})
    assert wrong.status_code == 422
    assert api.get(f"/api/v1/meetings/{mid}", "thuky").get_json()["state"] == "draft"


def test_signed_agenda_is_valid_for_pdfsig(api, meeting_at, nss_db, tmp_path):
    mid, _ = meeting_at("agenda_signed")
    meeting = api.get(f"/api/v1/meetings/{mid}", "chutich").get_json()
    assert meeting["agenda_validation"]["verdict"] == "valid"
    resp = api.get(f"/api/v1/meetings/{mid}/agenda", "chutich")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    path = tmp_path / "agenda.pdf"
    path.write_bytes(resp.data)
    out = subprocess.run(["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True,
                         text=True)
    assert "Signature is Valid." in out.stdout
    assert "Certificate is Trusted." in out.stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "GIẤY MỜI" in text and "Báo cáo kết quả công tác quý III" in text


def test_participants_find_it_in_their_inbox_and_the_secretary_sees_openings(api, meeting_at):
    mid, _ = meeting_at("agenda_signed")
    # before distribution a participant sees nothing
    assert api.get(f"/api/v1/meetings/{mid}", "chuyenvien").status_code == 404
    resp = api.post(f"/api/v1/meetings/{mid}/distribute", "thuky")
    assert resp.get_json()["notified"] >= 2  # truongphong, chuyenvien (VHTT)
    inbox = api.get("/api/v1/meetings/notifications", "chuyenvien").get_json()["notifications"]
    assert any(n["meeting_id"] == mid and not n["read"] for n in inbox)
    listed = api.get("/api/v1/meetings", "chuyenvien").get_json()["meetings"]
    assert [m["id"] for m in listed] == [mid]

    assert api.get(f"/api/v1/meetings/{mid}", "chuyenvien").status_code == 200
    openings = api.get(f"/api/v1/meetings/{mid}/openings", "thuky").get_json()["openings"]
    assert [o["username"] for o in openings] == ["chuyenvien"]
    inbox = api.get("/api/v1/meetings/notifications", "chuyenvien").get_json()["notifications"]
    assert all(n["read"] for n in inbox if n["meeting_id"] == mid)


def test_changes_after_distribution_notify_participants(api, meeting_at, make_document):
    mid, _ = meeting_at("distributed")
    resp = api.post(f"/api/v1/meetings/{mid}/update", "thuky",
                    json={"location": "Hội trường B, UBND thành phố"})
    assert resp.status_code == 200
    extra = make_document("Quyết định phê duyệt kinh phí tổ chức hội nghị", number=8)
    assert api.post(f"/api/v1/meetings/{mid}/materials", "thuky",
                    json={"document_id": extra}).status_code == 201
    messages = [n["message"] for n in api.get("/api/v1/meetings/notifications",
                                              "truongphong").get_json()["notifications"]]
    assert any("Hội trường B" in m for m in messages)
    assert any("Quyết định phê duyệt kinh phí" in m for m in messages)


def test_agenda_cannot_change_after_signing(api, meeting_at):
    mid, _ = meeting_at("agenda_signed")
    resp = api.post(f"/api/v1/meetings/{mid}/agenda", "thuky",
                    json={"items": [{"title": "Khác", "time": "", "presenter": ""}]})
    assert resp.status_code == 409


def test_only_signed_or_issued_documents(api, new_meeting, make_document):
    mid = new_meeting()
    draft = make_document("Dự thảo chưa ký", state="draft")
    resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky", json={"document_id": draft})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "not_signed"
    unsigned_in = make_document("Công văn đến không có chữ ký hợp lệ", direction="incoming",
                                state="registered", verdict="invalid")
    resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky",
                    json={"document_id": unsigned_in})
    assert resp.status_code == 422
    valid_in = make_document("Công văn đến có chữ ký hợp lệ", direction="incoming",
                             state="registered", verdict="valid")
    assert api.post(f"/api/v1/meetings/{mid}/materials", "thuky",
                    json={"document_id": valid_in}).status_code == 201


def test_working_paper_is_marked_and_type_checked(api, new_meeting):
    import io

    mid = new_meeting()
    resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky",
                    data={"file": (io.BytesIO(b"MZ not a document"), "virus.exe")},
                    content_type="multipart/form-data")
    assert resp.status_code == 422
    from docx import Document as Docx

    buf = io.BytesIO()
    Docx().save(buf)
    resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky",
                    data={"file": (io.BytesIO(buf.getvalue()), "Đề cương báo cáo.docx")},
                    content_type="multipart/form-data")
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["kind"] == "working_paper" and body["label"] == "Tài liệu tham khảo"
    assert body["filename"] == "Đề cương báo cáo.docx"


def test_repair_sets_a_tampered_meeting_state_back_from_its_history(
        new_meeting, repair, tamper_state, cached_state):
    mid = new_meeting()
    tamper_state("meetings", mid, "held")
    result = repair()
    assert result.exit_code == 1 and f"meeting:{mid}" in result.output
    repair("--fix")
    assert cached_state("meetings", mid) == "draft"
    assert repair().exit_code == 0
