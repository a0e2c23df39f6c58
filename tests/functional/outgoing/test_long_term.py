"""Issued documents are PAdES B-LT by default (B-LTA configurable): they validate with the
CRL folder gone; a signer whose certificate is revoked cannot sign."""

from __future__ import annotations

import io
import shutil

import pytest
import sqlalchemy as sa
from pyhanko.pdf_utils.reader import PdfFileReader

import signing.validation as validation


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_issued_document_carries_its_own_revocation_data(api, app, document_at, instance,
                                                          level):
    app.config["SIGNATURE_LEVEL"] = level
    doc_id = document_at("issued")
    pdf = api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").data
    reader = PdfFileReader(io.BytesIO(pdf))
    assert "/DSS" in reader.root
    assert any(s.sig_object_type == "/DocTimeStamp"
               for s in reader.embedded_signatures) == (level == "B-LTA")
    shutil.rmtree(instance / "pki" / "crl")  # offline, and the CRL folder is gone
    report = validation.validate_pdf(pdf, trust_roots=[(instance / "pki" / "root.pem")
                                                      .read_bytes()])
    assert report.verdict == "valid", report.reasons
    meta = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
    assert meta["validation"]["verdict"] == "valid"


def test_revoked_signer_is_refused_and_nothing_changes(api, app, document_at, state_of,
                                                       instance):
    """chutich's key is swapped for the dev PKI's revoked certificate: signing is refused
    with a clear message, the draft stays ready to sign."""
    from eoffice.auth.models import User
    from eoffice.db import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "chutich"))
        user.p12_path = str(instance / "pki" / "users" / "revoked.p12")
        db.session.commit()
        db.session.remove()
    doc_id = document_at("ready_to_sign")
    before = state_of(doc_id)
    resp = api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich",
                    json={"passphrase": "eoffice-demo"})
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "signer_revoked" and "thu hồi" in error["message"]
    assert state_of(doc_id) == before and before["state"] == "ready_to_sign"
