"""Registration of received documents: arrival numbers, signature verdicts, refusals."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa


def _count(app, model) -> int:
    from eoffice.db import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_signed_pdf_registers_valid_and_file_is_kept_unmodified(app, api, register, signed_pdf):
    resp = register(signed_pdf, code_number="12", code_notation="KH-SVHTTDL", urgency="khan")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["arrival_number"], body["duplicates"]) == (1, [])
    assert body["validation"]["verdict"] == "valid"
    assert body["validation"]["signatures"][0]["signer"] == "Trần Văn Hùng"
    doc = api.get(f"/api/v1/documents/{body['id']}", "chutich").get_json()
    assert doc["validation"]["label"] == "hợp lệ"
    assert doc["arrival_number"] == 1 and doc["urgency"] == "khan"
    assert doc["history"][0]["action"] == "register"
    served = api.get(f"/api/v1/documents/{body['id']}/file", "vanthu")
    assert served.data == signed_pdf  # the arrival stamp is never written into the file


def test_arrival_numbers_follow_arrival_and_duplicates_are_reported(scan, register):
    secret = register(None, secrecy="mat", code_number="7", code_notation="CV-CA")
    one = register(scan, code_number="5", code_notation="QĐ-UBND")
    two = register(scan, code_number="5", code_notation="QĐ-UBND")
    assert one.get_json()["arrival_number"] == 1
    assert two.get_json()["arrival_number"] == 2
    assert two.get_json()["duplicates"] == [one.get_json()["id"]]
    # the classified register has its own series
    assert secret.status_code == 201
    assert (secret.get_json()["register"], secret.get_json()["arrival_number"]) == ("mat", 1)
    third = register(None, secrecy="mat")
    assert third.get_json()["arrival_number"] == 2


def test_unsigned_scan_is_unsigned_with_page_count(scan, api, register):
    resp = register(scan)
    body = resp.get_json()
    assert resp.status_code == 201
    assert body["validation"]["verdict"] == "unsigned"
    assert body["validation"]["signatures"] == []
    doc = api.get(f"/api/v1/documents/{body['id']}", "vanthu").get_json()
    assert doc["page_count"] == 3


def test_tampered_pdf_is_invalid_with_vietnamese_reason(register, tampered_pdf):
    resp = register(tampered_pdf)
    assert resp.status_code == 201, resp.get_json()
    validation = resp.get_json()["validation"]
    assert validation["verdict"] == "invalid"
    reasons = " ".join(validation["reasons"])
    assert reasons and any(ch in reasons for ch in "ịạểđơư")


def test_deflate_bomb_is_refused_and_nothing_is_written(app, register, deflate_bomb):
    from eoffice.documents.models import Counter, Document, StoredFile

    resp = register(deflate_bomb)
    if resp.status_code == 201:  # accepted only as an invalid document, never half-written
        assert resp.get_json()["validation"]["verdict"] == "invalid"
        return
    assert resp.status_code == 422
    assert "cấu trúc bất thường" in resp.get_json()["error"]["message"]
    assert _count(app, Document) == 0
    assert _count(app, StoredFile) == 0
    assert _count(app, Counter) == 0
    files = Path(app.instance_path) / "files"
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]


def test_normal_document_needs_a_file_and_metadata(scan, register):
    resp = register(None)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "missing_file"
    resp = register(scan, subject="")
    assert resp.status_code == 422
    assert "Trích yếu" in resp.get_json()["error"]["message"]


def test_only_clerks_register(scan, register):
    assert register(scan, username="chuyenvien").status_code == 403


def test_classified_file_refused_unless_deployment_allows_it(scan, app, register):
    resp = register(scan, secrecy="mat")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "classified_file"
    assert "văn bản mật" in resp.get_json()["error"]["message"]
    assert register(None, secrecy="mat").status_code == 201
    app.config["CLASSIFIED_FILES"] = True
    assert register(scan, secrecy="mat").status_code == 201


def test_clerk_cannot_register_above_own_clearance(register):
    resp = register(None, secrecy="toi_mat")
    assert resp.status_code == 422


def test_return_to_sender_needs_a_reason(api, register, tampered_pdf):
    doc_id = register(tampered_pdf).get_json()["id"]
    assert api.post(f"/api/v1/incoming/{doc_id}/return", "vanthu", json={}).status_code == 403
    resp = api.post(f"/api/v1/incoming/{doc_id}/return", "vanthu",
                    json={"reason": "Chữ ký số không hợp lệ"})
    assert resp.get_json()["state"] == "returned"
    history = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()["history"]
    assert history[-1]["comment"] == "Chữ ký số không hợp lệ"


def test_a_registration_undone_after_its_number_gives_the_number_back(app, scan, register,
                                                                       monkeypatch):
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db
    from eoffice.documents.models import Document, DocumentEvent
    from eoffice.errors import Invalid
    from eoffice.incoming import registration_rows

    assert register(scan).get_json()["arrival_number"] == 1
    insert = registration_rows.insert

    def number_then_fail(*args, **kwargs):
        insert(*args, **kwargs)  # the number is taken and written by now
        raise Invalid("Lỗi thử.", code="test_failure")

    monkeypatch.setattr(registration_rows, "insert", number_then_fail)
    assert register(scan).status_code == 422
    monkeypatch.undo()
    body = register(scan).get_json()
    assert body["arrival_number"] == 2  # no gap
    with app.app_context():
        assert db.session.scalars(sa.select(Document.arrival_number).where(
            Document.arrival_number.is_not(None)).order_by(Document.id)).all() == [1, 2]
        event = db.session.scalars(sa.select(DocumentEvent).where(
            DocumentEvent.document_id == body["id"])).one()
        assert event.comment == "Số đến 2"
        details = db.session.scalars(sa.select(AuditEntry.details).where(
            AuditEntry.action == "incoming.register",
            AuditEntry.object_id == str(body["id"]))).one()
        assert details["arrival_number"] == 2
