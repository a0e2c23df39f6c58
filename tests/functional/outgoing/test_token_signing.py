"""Signing with a PKCS#11 token (SoftHSM2) and a PIN instead of a PKCS#12 passphrase."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

PIN = "1234"


@pytest.fixture
def chutich_on_token(app, instance, tmp_path):
    """chutich's key imported into a fresh SoftHSM2 token; the user record points at it."""
    import signing
    from eoffice.auth.models import User
    from eoffice.db import db
    from signing.tokens import SOFTHSM_MODULE, import_p12_to_token, init_softhsm

    conf = init_softhsm(tmp_path / "softhsm", token_label="eoffice-outgoing", pin=PIN)
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    import_p12_to_token(instance / "pki" / "users" / "chutich.p12", "eoffice-demo",
                        module=SOFTHSM_MODULE, token_label="eoffice-outgoing", pin=PIN,
                        key_label="chutich")
    app.config["PKCS11_MODULE"] = SOFTHSM_MODULE
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "chutich"))
        user.pkcs11_token_label, user.pkcs11_key_label = "eoffice-outgoing", "chutich"
        db.session.commit()
        db.session.remove()
    yield
    signing.close_pkcs11_sessions()
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


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
