"""Signing with a PKCS#11 token (SoftHSM2) and a PIN instead of a PKCS#12 passphrase."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

PIN = "4321"  # the session token's PIN (tests/functional/conftest.py)


@pytest.fixture
def chutich_on_token(app, token):
    """chutich's key on the session's SoftHSM2 token (tests/functional/conftest.py: the
    PKCS#11 library reads its token folder once per process); the user record points at it."""
    from eoffice.auth.models import User
    from eoffice.db import db

    app.config["PKCS11_MODULE"] = token
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "chutich"))
        user.pkcs11_token_label, user.pkcs11_key_label = "usb-chutich", "chutich"
        db.session.commit()
        db.session.remove()
    return token


def test_sign_with_token_pin(api, document_at, chutich_on_token):
    doc_id = document_at("ready_to_sign")
    resp = api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich", json={"pin": "0000"})
    assert resp.status_code == 422
    assert "PIN" in resp.get_json()["error"]["message"]
    assert api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()["state"] \
        == "ready_to_sign"
    resp = api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich", json={"pin": PIN})
    assert resp.status_code == 200, resp.get_json()
    meta = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert meta["state"] == "signed"
    assert meta["signatures"][0]["intact"] and meta["signatures"][0]["trusted"]
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu",
                    json={"passphrase": "eoffice-demo"})
    assert resp.get_json()["code"] == "01/KH-UBND"
