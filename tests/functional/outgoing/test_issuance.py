"""Issuance: the reference code and date in the PDF, two valid signatures, all or nothing,
abbreviation case, yearly reset, the classified series."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

SECRET = {"passphrase": "eoffice-demo"}
WRONG = {"passphrase": "not-the-passphrase"}


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def test_issued_pdf_has_two_valid_signatures(api, app, document_at, nss_db, instance):
    app.config["TODAY"] = date(2026, 3, 5)
    doc_id = document_at("issued")
    pdf = api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").data
    path = instance / "issued.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True,
                         text=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out

    import signing.validation as validation

    report = validation.validate_pdf(pdf, trust_roots=[(instance / "pki" / "root.pem")
                                                      .read_bytes()],
                                     crls=[p.read_bytes() for p in
                                           sorted((instance / "pki" / "crl").glob("*.crl"))])
    assert report.verdict == "valid", report.reasons
    official = next(s for s in report.signatures if s.field_name == "sig_official")
    assert official.modification_level in ("none", "form_filling")
    text = _text(pdf)
    assert "Số: 01/KH-UBND" in text
    assert "ngày 05 tháng 3 năm 2026" in text


def test_wrong_passphrase_when_signing_changes_nothing(api, document_at, state_of):
    doc_id = document_at("ready_to_sign")
    before = state_of(doc_id)
    resp = api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich", json=WRONG)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "wrong_passphrase"
    assert "Mật khẩu" in resp.get_json()["error"]["message"]
    assert state_of(doc_id) == before
    assert api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich", json={}).status_code == 422
    assert state_of(doc_id) == before


def test_wrong_seal_passphrase_consumes_no_number(api, document_at, state_of):
    doc_id = document_at("signed")
    before = state_of(doc_id)
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu", json=WRONG)
    assert resp.status_code == 422
    assert "Mật khẩu" in resp.get_json()["error"]["message"]
    after = state_of(doc_id)
    assert after == before and after["number"] is None and "issued" not in after["files"]
    assert not any(key.startswith("outgoing:") for key in after["counters"])
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu", json=SECRET)
    assert resp.get_json()["code"] == "01/KH-UBND"


def test_signing_failure_after_number_rolls_back(api, app, document_at, state_of, instance):
    """The seal key opens and the number is taken, then the timestamp authority fails:
    a clear 422, and the rollback gives the number back (the next issue gets 01)."""
    doc_id = document_at("signed")
    app.config["SEAL_PNG"] = str(instance / "missing.png")
    app.config["TSA_URL"] = "http://127.0.0.1:9/tsa"  # nothing listens: B-T signing fails
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu", json=SECRET)
    assert resp.status_code == 422, resp.get_json()
    after = state_of(doc_id)
    assert after["state"] == "signed" and after["number"] is None
    assert all(v == 0 for k, v in after["counters"].items() if k.startswith("outgoing:"))
    del app.config["TSA_URL"]
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu", json=SECRET)
    assert resp.get_json()["number"] == 1


@pytest.mark.parametrize("type_code", ["QyĐ", "CTr", "TTr", "QĐ", "TB"])
def test_abbreviation_case_in_issued_code(api, document_at, type_code):
    doc_id = document_at("issued", type_code=type_code)
    meta = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
    assert meta["code"] == f"01/{type_code}-UBND"
    assert f"Số: 01/{type_code}-UBND" in _text(
        api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").data)


def test_cong_van_code_uses_agency_and_unit(api, document_at):
    doc_id = document_at("issued", type_code="CV", recipients=["Phòng Nội vụ"])
    assert api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()["code"] \
        == "01/UBND-VHTT"


def test_reference_code_for_every_type(app):
    import sqlalchemy as sa

    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.documents.models import Direction, Document
    from eoffice.outgoing.issuance import code_for
    from eoffice.rendering import DOCUMENT_TYPES

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "chuyenvien"))
        for code in DOCUMENT_TYPES:
            doc = Document(direction=Direction.OUTGOING, state="draft", type_code=code,
                           subject="x", department=user.department, created_by=user)
            expected = "05/UBND-VHTT" if code == "CV" else f"05/{code}-UBND"
            assert code_for(doc, 5) == expected
        db.session.rollback()


def test_numbers_restart_in_a_new_year(api, app, document_at):
    app.config["TODAY"] = date(2026, 12, 31)
    first = document_at("signed")
    second = document_at("signed")
    codes = [api.post(f"/api/v1/outgoing/{d}/issue", "vanthu", json=SECRET).get_json()
             for d in (first, second)]
    assert [(c["code"], c["issued_date"]) for c in codes] == [
        ("01/KH-UBND", "2026-12-31"), ("02/KH-UBND", "2026-12-31")]
    app.config["TODAY"] = date(2027, 1, 2)
    third = document_at("signed")
    resp = api.post(f"/api/v1/outgoing/{third}/issue", "vanthu", json=SECRET).get_json()
    assert (resp["code"], resp["issued_date"]) == ("01/KH-UBND", "2027-01-02")
    assert "ngày 02 tháng 01 năm 2027" in _text(
        api.get(f"/api/v1/documents/{third}/file", "vanthu").data)


def test_classified_documents_have_their_own_series(api, app, document_at):
    import sqlalchemy as sa

    from eoffice.auth.models import Clearance, User
    from eoffice.db import db

    app.config["CLASSIFIED_FILES"] = True
    with app.app_context():
        for user in db.session.scalars(sa.select(User).where(
                User.username.in_(["chuyenvien", "truongphong"]))):
            user.clearance = Clearance.MAT
        db.session.commit()
        db.session.remove()
    normal = document_at("issued")
    secret = document_at("issued", secrecy="mat")
    assert api.get(f"/api/v1/documents/{normal}", "vanthu").get_json()["code"] == "01/KH-UBND"
    meta = api.get(f"/api/v1/documents/{secret}", "vanthu").get_json()
    assert meta["code"] == "01/KH-UBND" and meta["secrecy"] == "mat"
    assert api.get(f"/api/v1/documents/{secret}", "phochutich").status_code == 404


def test_classified_draft_refused_without_classified_files(api):
    resp = api.post("/api/v1/outgoing", "chutich", json={
        "type_code": "KH", "subject": "Mật", "signer": "chutich", "secrecy": "mat"})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "classified"


def _fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font ``pdffonts`` lists (pages and form fields)."""
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    rows = out.stdout.decode().splitlines()[2:]
    return [(row.split()[0], " yes " in row) for row in rows if row.strip()]


def test_number_and_date_are_in_the_serif_of_the_page(api, app, document_at):
    """Decree 30 wants one Times-metric face: the number and date written at issuance are in
    Liberation Serif like the body, not a sans serif that looks pasted in."""
    app.config["TODAY"] = date(2026, 11, 29)
    doc_id = document_at("issued")
    issued = api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").data
    fonts = _fonts(issued)
    # every embedded face (the ones text is drawn with) is Liberation Serif; reportlab only
    # lists unused standard fonts (page default /F1, empty form-field defaults) unembedded
    names = {name.split("+", 1)[-1] for name, embedded in fonts if embedded}
    assert names and all(name.startswith("LiberationSerif") for name in names), fonts
    # the issuance update added Liberation Serif Regular (number) and Italic (date)
    assert {"LiberationSerif-Regular", "LiberationSerif-Italic"} <= names, names
    text = _text(issued)
    assert "Số: 01/KH-UBND" in text and "ngày 29 tháng 11 năm 2026" in text
