"""Who may act on each route of the flow: 404 for those who may not see the document,
403 for those who see it but may not act; the document is unchanged after a refusal."""

from __future__ import annotations

import pytest

SECRET = {"passphrase": "eoffice-demo"}
# (state the document is in, route, body, allowed user, {other user: expected status})
TABLE = [
    ("draft", "submit", {}, "chuyenvien",
     {"truongphong": 403, "chutich": 403, "vanthu": 404, "phochutich": 404, "thuky": 404,
      "admin": 404}),
    ("content_review", "approve", {}, "truongphong",
     {"chuyenvien": 403, "chutich": 403, "vanthu": 404, "phochutich": 404, "thuky": 404}),
    ("content_review", "reject", {"comment": "Sửa lại"}, "truongphong",
     {"chuyenvien": 403, "chutich": 403, "vanthu": 404, "phochutich": 404}),
    ("format_review", "approve", {}, "vanthu",
     {"truongphong": 403, "chuyenvien": 403, "chutich": 403, "phochutich": 404,
      "thuky": 404}),
    ("format_review", "reject", {"comment": "Sai thể thức"}, "vanthu",
     {"truongphong": 403, "chuyenvien": 403, "phochutich": 404}),
    ("ready_to_sign", "sign", SECRET, "chutich",
     {"vanthu": 403, "chuyenvien": 403, "truongphong": 403, "phochutich": 404,
      "thuky": 404}),
    ("signed", "issue", SECRET, "vanthu",
     {"chutich": 403, "chuyenvien": 403, "truongphong": 403, "phochutich": 404,
      "thuky": 404}),
    ("issued", "dispatch", {"recipients": ["TCKH"]}, "vanthu",
     {"chutich": 403, "chuyenvien": 403, "truongphong": 403, "phochutich": 404}),
    ("issued", "recall", {"comment": "Sai số liệu"}, "chutich",
     {"chuyenvien": 403, "truongphong": 403, "phochutich": 404, "thuky": 404}),
]


@pytest.mark.parametrize(("state", "route", "body", "allowed", "others"), TABLE,
                         ids=[f"{t[0]}-{t[1]}" for t in TABLE])
def test_route_permissions(api, document_at, state, route, body, allowed, others):
    doc_id = document_at(state)
    url = f"/api/v1/outgoing/{doc_id}/{route}"
    assert api.post(url, json=body).status_code == 401
    for user, expected in others.items():
        resp = api.post(url, user, json=body)
        assert resp.status_code == expected, (user, resp.get_json())
        assert resp.get_json()["error"]["message"]
        if expected == 404:
            assert api.get(f"/api/v1/documents/{doc_id}", user).status_code == 404
    assert api.get(f"/api/v1/documents/{doc_id}", allowed).get_json()["state"] == state
    resp = api.post(url, allowed, json=body)
    assert resp.status_code == 200, resp.get_json()


def test_wrong_state_is_a_conflict(api, document_at):
    doc_id = document_at("draft")
    resp = api.post(f"/api/v1/outgoing/{doc_id}/issue", "vanthu", json=SECRET)
    assert resp.status_code in (404, 409)  # the clerk does not even see a draft
    resp = api.post(f"/api/v1/outgoing/{doc_id}/sign", "chutich", json=SECRET)
    assert resp.status_code == 409
    assert "Dự thảo" in resp.get_json()["error"]["message"]


def test_nonexistent_document_is_404(api):
    assert api.post("/api/v1/outgoing/999999/submit", "chuyenvien").status_code == 404


@pytest.mark.parametrize("user", ["vanthu", "thuky", "admin"])
def test_only_drafting_roles_create(api, user):
    resp = api.post("/api/v1/outgoing", user, json={
        "type_code": "CV", "subject": "Thử", "signer": "chutich"})
    assert resp.status_code == 403
