"""Signing from the web page with the official's own USB token through the paired local
agent (SoftHSM2 token, the real agent HTTP server on 127.0.0.1, the real pages' endpoints).

The test plays the browser: it calls the agent with the page's Origin header, as Chromium
does (the browser test in tests/e2e does the same through the real page)."""

from __future__ import annotations

import requests
import sqlalchemy as sa

PIN = "4321"  # the token fixture's PIN (tests/functional/conftest.py)
ORIGIN = "http://localhost"


def _browser_sign(client, auth, agent, ids, origin=ORIGIN):
    """What token-agent.js does; returns (prepare items, agent answer)."""
    url = agent[0]
    cert = requests.get(f"{url}/certificate", headers={"Origin": origin}, timeout=30)
    assert cert.status_code == 200
    assert cert.headers["Access-Control-Allow-Origin"] == origin
    csrf = auth.csrf("/dashboard")
    prep = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf},
                       json={"kind": "outgoing-sign", "ids": ids, **cert.json()})
    assert prep.status_code == 200, prep.get_json()
    items = prep.get_json()["items"]
    answer = requests.post(f"{url}/sign", json={"items": items},
                           headers={"Origin": origin}, timeout=60)
    return items, answer


def _finish(client, auth, answer):
    csrf = auth.csrf("/dashboard")
    return client.post("/token-agent/finish", headers={"X-CSRFToken": csrf},
                       json={"signatures": answer.json()["signatures"]})


def test_sign_with_usb_token_from_the_web(app, client, auth, agent, document_at, api,
                                          state_of, instance, pair_agent):
    doc_id = document_at("ready_to_sign")
    pair_agent(client, auth, agent)
    prompt = agent[1]
    prompt.answers = [PIN]
    items, answer = _browser_sign(client, auth, agent, [doc_id])
    assert answer.status_code == 200, answer.text
    # the official saw the subject and the document hash before typing the PIN
    assert len(prompt.shown) == 1 and "Kế hoạch" in prompt.shown[0][0]["subject"]
    assert len(prompt.shown[0][0]["hash"]) == 64
    done = _finish(client, auth, answer)
    assert done.status_code == 200, done.get_json()
    meta = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert meta["state"] == "signed"
    assert meta["validation"]["verdict"] == "valid", meta["validation"]
    assert meta["signatures"][0]["signer"] == "Trần Văn Hùng"  # chutich's certificate
    # the clerk issues it: two valid signatures
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu",
                    json={"passphrase": "eoffice-demo"})
    assert resp.status_code == 200, resp.get_json()
    meta = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
    assert meta["validation"]["verdict"] == "valid"
    assert len(meta["signatures"]) == 2
    # the same answer cannot be replayed
    replay = requests.post(f"{agent[0]}/sign", json={"items": items},
                           headers={"Origin": ORIGIN}, timeout=30)
    assert replay.status_code == 400 and len(prompt.shown) == 1


def test_batch_one_pin_and_wrong_pin_signs_nothing(app, client, auth, agent, document_at,
                                                   api, state_of, pair_agent):
    ids = [document_at("ready_to_sign") for _ in range(10)]
    pair_agent(client, auth, agent)
    prompt = agent[1]
    prompt.answers = ["0000"]
    _, answer = _browser_sign(client, auth, agent, ids)
    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == "wrong_pin" and body["tries_left"] == 4
    assert "còn 4 lần thử" in body["message"] and "Chưa ký văn bản nào" in body["message"]
    assert all(state_of(i)["state"] == "ready_to_sign" for i in ids)
    prompt.answers = [PIN]
    _, answer = _browser_sign(client, auth, agent, ids)
    assert answer.status_code == 200
    assert len(prompt.shown) == 2 and len(prompt.shown[1]) == 10  # one PIN for ten
    assert prompt.warnings[1] and "còn 4 lần thử" in prompt.warnings[1]
    done = _finish(client, auth, answer)
    assert done.status_code == 200 and sorted(done.get_json()["signed"]) == sorted(ids)
    for i in ids:
        meta = api.get(f"/api/v1/documents/{i}", "chutich").get_json()
        assert meta["state"] == "signed" and meta["validation"]["verdict"] == "valid"


def test_another_origin_gets_no_signature(app, client, auth, agent, document_at, pair_agent):
    doc_id = document_at("ready_to_sign")
    pair_agent(client, auth, agent)
    url, prompt, _, _ = agent
    evil = "http://127.0.0.1:9"  # a page served from another port
    cert = requests.get(f"{url}/certificate", headers={"Origin": evil}, timeout=30)
    assert cert.status_code == 403 and "Access-Control-Allow-Origin" not in cert.headers
    pre = requests.options(f"{url}/sign", headers={
        "Origin": evil, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert pre.status_code == 403 and "Access-Control-Allow-Origin" not in pre.headers
    status = requests.get(f"{url}/status", headers={"Origin": evil}, timeout=30).json()
    assert status == {"agent": "eoffice-token-agent", "paired": False}
    # even with items the paired server prepared, another origin is refused
    prompt.answers = [PIN]
    csrf = auth.csrf("/dashboard")
    good = requests.get(f"{url}/certificate", headers={"Origin": ORIGIN}, timeout=30).json()
    items = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf},
                        json={"kind": "outgoing-sign", "ids": [doc_id], **good}
                        ).get_json()["items"]
    stolen = requests.post(f"{url}/sign", json={"items": items}, headers={"Origin": evil},
                           timeout=30)
    assert stolen.status_code == 403
    # items forged without the shared key are refused at the paired origin too
    forged = [{**items[0], "auth": "0" * 64, "request_id": "f" * 32}]
    answer = requests.post(f"{url}/sign", json={"items": forged}, headers={"Origin": ORIGIN},
                           timeout=30)
    assert answer.status_code == 403
    assert prompt.shown == []  # the PIN was never even asked


def test_clear_messages_not_paired_and_wrong_certificate(app, client, auth, agent,
                                                         document_at, instance):
    from eoffice.db import db
    from eoffice.token_agent.models import AgentPairing

    doc_id = document_at("ready_to_sign")
    url = agent[0]
    auth.login("chutich")
    cert = requests.get(f"{url}/certificate", headers={"Origin": ORIGIN}, timeout=30)
    assert cert.status_code == 403 and cert.json()["error"] == "not_paired"
    csrf = auth.csrf("/dashboard")
    from signing.agent import TokenAccess

    der, chain = TokenAccess(agent[2].module, "usb-chutich", "chutich").certificate()
    import base64

    body = {"kind": "outgoing-sign", "ids": [doc_id],
            "certificate": base64.b64encode(der).decode(), "chain": []}
    resp = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf}, json=body)
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "not_paired"
    # paired with another certificate (e.g. a colleague's token plugged in)
    with app.app_context():
        user_id = db.session.execute(sa.text("select id from users where username='chutich'")
                                     ).scalar()
        db.session.add(AgentPairing(user_id=user_id, key_hex="00" * 32, cert_sha256="ab" * 32,
                                    cert_subject="Người Khác", agent_url=url))
        db.session.commit()
        db.session.remove()
    resp = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf}, json=body)
    error = resp.get_json()["error"]
    assert resp.status_code == 422 and error["code"] == "wrong_certificate"
    assert "không phải chứng thư đã ghép nối" in error["message"]


def test_pairing_refuses_a_certificate_of_someone_else(app, client, auth, instance, tmp_path):
    """chuyenvien cannot pair a token holding chutich's certificate."""
    import base64
    import re

    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    auth.login("chuyenvien")
    page = auth.post("/account/token-agent").get_data(as_text=True)
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', page).group(1)
    _, cert, chain = pkcs12.load_key_and_certificates(
        (instance / "pki" / "users" / "chutich.p12").read_bytes(), b"eoffice-demo")
    resp = client.post("/api/v1/token-agent/pair", json={
        "code": code, "certificate": base64.b64encode(cert.public_bytes(Encoding.DER)).decode(),
        "chain": [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in chain],
        "agent_url": "http://127.0.0.1:8765"})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "wrong_certificate"


def test_clerk_issues_with_the_seal_on_a_token(app, client, auth, api, token, start_agent,
                                               document_at, state_of, instance, pair_agent):
    """vanthu's PC holds the agency seal on a token: number and date are filled, the seal
    is signed by the token; the number is taken only when the signature comes back."""
    seal_agent = start_agent("seal")
    doc_id = document_at("signed")
    pair_agent(client, auth, seal_agent, "vanthu")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert 'id="token-issue"' in page
    url, prompt = seal_agent[0], seal_agent[1]
    cert = requests.get(f"{url}/certificate", headers={"Origin": ORIGIN}, timeout=30).json()
    csrf = auth.csrf("/dashboard")
    body = {"kind": "outgoing-issue", "ids": [doc_id], **cert}
    prep = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf}, json=body)
    assert prep.status_code == 200, prep.get_json()
    # the official cancels in the agent: nothing issued, no number taken
    prompt.answers = [None]
    cancelled = requests.post(f"{url}/sign", json={"items": prep.get_json()["items"]},
                              headers={"Origin": ORIGIN}, timeout=60)
    assert cancelled.status_code == 400 and cancelled.json()["error"] == "cancelled"
    assert state_of(doc_id)["state"] == "signed" and state_of(doc_id)["number"] is None
    prep = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf}, json=body)
    items = prep.get_json()["items"]
    assert items[0]["subject"].startswith("Phát hành 01/KH-UBND")
    prompt.answers = [PIN]
    answer = requests.post(f"{url}/sign", json={"items": items}, headers={"Origin": ORIGIN},
                           timeout=60)
    assert answer.status_code == 200, answer.text
    done = client.post("/token-agent/finish", headers={"X-CSRFToken": csrf},
                       json={"signatures": answer.json()["signatures"]})
    assert done.status_code == 200, done.get_json()
    meta = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
    assert meta["state"] == "issued" and meta["validation"]["verdict"] == "valid"
    assert len(meta["signatures"]) == 2
    assert state_of(doc_id)["number"] == 1
