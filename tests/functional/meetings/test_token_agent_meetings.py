"""The agenda and the minutes signed with the official's USB token through the paired agent
(the chair signs the agenda and, after the secretary, the minutes)."""

from __future__ import annotations

import requests

ORIGIN = "http://localhost"
PIN = "4321"  # the token fixture's PIN (tests/functional/conftest.py)
MINUTES = {"attendees": ["Trần Văn Hùng - Chủ tịch UBND"], "content": ["Thảo luận."],
           "conclusions": ["Thống nhất kế hoạch."]}


def _token_sign(client, auth, agent, kind: str, meeting_id: int) -> dict:
    url, prompt = agent[0], agent[1]
    prompt.answers.append(PIN)
    cert = requests.get(f"{url}/certificate", headers={"Origin": ORIGIN}, timeout=30).json()
    csrf = auth.csrf("/dashboard")
    prep = client.post("/token-agent/prepare", headers={"X-CSRFToken": csrf},
                       json={"kind": kind, "ids": [meeting_id], **cert})
    assert prep.status_code == 200, prep.get_json()
    answer = requests.post(f"{url}/sign", json={"items": prep.get_json()["items"]},
                           headers={"Origin": ORIGIN}, timeout=60)
    assert answer.status_code == 200, answer.text
    done = client.post("/token-agent/finish", headers={"X-CSRFToken": csrf},
                       json={"signatures": answer.json()["signatures"]})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_agenda_and_minutes_signed_with_the_usb_token(app, client, auth, api, agent,
                                                      pair_agent, meeting_at):
    from signing.validation import validate_pdf

    mid, _ = meeting_at("draft")
    pair_agent(client, auth, agent)
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'id="token-sign-agenda"' in page
    done = _token_sign(client, auth, agent, "meeting-agenda", mid)
    assert done["next"] == f"/meetings/{mid}"
    assert "Chương trình cuộc họp" in agent[1].shown[-1][0]["subject"]
    meeting = api.get(f"/api/v1/meetings/{mid}", "chutich").get_json()
    assert meeting["state"] == "agenda_signed"
    # the minutes: the secretary signs with a soft key, then the chair with the token
    assert api.post(f"/api/v1/meetings/{mid}/distribute", "thuky").status_code == 200
    resp = api.post(f"/api/v1/meetings/{mid}/minutes", "thuky", json=MINUTES)
    assert resp.status_code == 201, resp.get_json()
    # the chair may not go first, with the token either
    cert = requests.get(f"{agent[0]}/certificate", headers={"Origin": ORIGIN}, timeout=30)
    early = client.post("/token-agent/prepare", headers={"X-CSRFToken": auth.csrf("/dashboard")},
                        json={"kind": "meeting-minutes", "ids": [mid], **cert.json()})
    assert early.status_code == 403
    assert api.post(f"/api/v1/meetings/{mid}/minutes/sign", "thuky",
                    json={"passphrase": "eoffice-demo"}).status_code == 200
    _token_sign(client, auth, agent, "meeting-minutes", mid)
    pdf = api.get(f"/api/v1/meetings/{mid}/minutes", "thuky").data
    root = (app.instance_path + "/pki/root.pem")
    crls = [open(f"{app.instance_path}/pki/crl/{n}", "rb").read()
            for n in ("intermediate.crl", "root.crl")]
    report = validate_pdf(pdf, trust_roots=[open(root, "rb").read()], crls=crls)
    assert report.verdict == "valid", report.reasons
    assert [s.signer for s in report.signatures if s.kind == "signature"] == [
        "Đỗ Thị Mai", "Trần Văn Hùng"]
