"""Who may act on each route of the flow: 404 for those who may not see the document,
403 for those who see it but may not act; the document is unchanged after a refusal."""

from __future__ import annotations

import pytest

SECRET = {"passphrase": "eoffice-demo"}
EDIT = {"type_code": "CV", "subject": "Về việc sửa dự thảo", "body": ["Nội dung mới."],
        "signer": "chutich"}
# (state the document is in, route, body, allowed user, {other user: expected status})
TABLE = [
    ("draft", "edit", EDIT, "chuyenvien",
     {"truongphong": 403, "chutich": 403, "vanthu": 404, "phochutich": 404, "thuky": 404,
      "admin": 404}),
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
    # "edit" is PUT /api/v1/outgoing/{id}; the others POST /api/v1/outgoing/{id}/{route}
    method, url = (("PUT", f"/api/v1/outgoing/{doc_id}") if route == "edit"
                   else ("POST", f"/api/v1/outgoing/{doc_id}/{route}"))
    assert api.call(method, url, json=body).status_code == 401
    for user, expected in others.items():
        resp = api.call(method, url, user, json=body)
        assert resp.status_code == expected, (user, resp.get_json())
        assert resp.get_json()["error"]["message"]
        if expected == 404:
            assert api.get(f"/api/v1/documents/{doc_id}", user).status_code == 404
    assert api.get(f"/api/v1/documents/{doc_id}", allowed).get_json()["state"] == state
    resp = api.call(method, url, allowed, json=body)
    assert resp.status_code == 200, resp.get_json()


def test_edit_after_format_rejection_only_by_the_drafter(api, document_at):
    """Back in draft after the clerk's rejection: the clerk still sees it, may not edit it."""
    doc_id = document_at("format_review")
    resp = api.post(f"/api/v1/outgoing/{doc_id}/reject", "vanthu", json={"comment": "Sai thể thức"})
    assert resp.get_json()["state"] == "draft"
    url = f"/api/v1/outgoing/{doc_id}"
    for user, expected in {"vanthu": 403, "truongphong": 403, "phochutich": 404}.items():
        resp = api.call("PUT", url, user, json=EDIT)
        assert resp.status_code == expected, (user, resp.get_json())
        assert resp.get_json()["error"]["message"]
    assert api.get(url.replace("outgoing", "documents"), "vanthu").get_json()["subject"] \
        != EDIT["subject"]
    assert api.call("PUT", url, "chuyenvien", json=EDIT).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "pdf", "xlsx"])
def test_register_is_for_clerks_and_leaders(api, fmt):
    url = f"/api/v1/outgoing/register?year=2026&format={fmt}"
    assert api.get(url).status_code == 401
    for user in ("chuyenvien", "truongphong", "thuky"):
        assert api.get(url, user).status_code == 403, user
    for user in ("vanthu", "chutich"):
        assert api.get(url, user).status_code == 200, user


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
