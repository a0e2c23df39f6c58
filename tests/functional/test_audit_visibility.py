"""Audit entries about a classified document: visible only to readers cleared for it."""

from __future__ import annotations

import sqlalchemy as sa


def _entries(api, **query):
    resp = api.get("/api/v1/audit", "admin", query_string=query)
    assert resp.status_code == 200
    return resp.get_json()["entries"]


def _set_admin_clearance(app, level: str) -> None:
    from eoffice.auth.models import User
    from eoffice.db import db

    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "admin")
                           .values(clearance=level))
        db.session.commit()


def test_classified_document_audit_is_as_for_a_missing_id(app, api, docs, client, auth):
    public_id = docs.create("Kế hoạch tổ chức hội nghị", content="hội nghị thường niên")
    secret_id = docs.create("Phương án bảo vệ mục tiêu", content="mục tiêu trọng yếu")
    docs.reclassify(secret_id, "mat")
    docs.reclassify(secret_id, "toi_mat")
    for document_id in (public_id, secret_id):
        assert api.get(f"/api/v1/documents/{document_id}", "chutich").status_code == 200

    assert _entries(api, document_id=public_id)  # the ordinary one is listed
    missing = _entries(api, document_id=10**9)
    assert missing == [] and _entries(api, document_id=secret_id) == missing
    everything = _entries(api, limit=1000)
    assert not [e for e in everything
                if e["object_type"] == "document" and e["object_id"] == str(secret_id)]
    assert not [e for e in everything if e["action"] == "reclassify"]
    auth.login("admin")
    page = client.get(f"/admin/audit?document_id={secret_id}").get_data(as_text=True)
    assert "toi_mat" not in page  # no entry (the action filter still names "reclassify")

    _set_admin_clearance(app, "mat")  # cleared for mật, not for tối mật
    assert _entries(api, document_id=secret_id) == []
    _set_admin_clearance(app, "toi_mat")
    actions = {e["action"] for e in _entries(api, document_id=secret_id)}
    assert {"reclassify", "view"} <= actions
