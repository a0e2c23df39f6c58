"""Reads and exports are audited inside the operations: the API and the web leave the same
trace (register exports, a document's page and file)."""

from datetime import date

import sqlalchemy as sa

from eoffice.audit.models import AuditEntry
from eoffice.db import db


def _register_trail(app, object_type: str = "register") -> list[tuple]:
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.object_type == object_type).order_by(AuditEntry.id)).all()
        trail = [(e.actor, e.action, e.object_id, e.details) for e in entries]
        db.session.remove()
    return trail


def test_register_exports_via_api_audit_like_the_web(app, api, auth, document_at):
    app.config["TODAY"] = date(2026, 4, 9)
    document_at("issued")

    auth.login("vanthu")
    assert auth.client.get("/outgoing/register.pdf?year=2026").status_code == 200
    assert auth.client.get("/outgoing/register.xlsx?year=2026").status_code == 200
    web = _register_trail(app)
    assert [(actor, action, object_id) for actor, action, object_id, _ in web] == [
        ("vanthu", "print", "outgoing:di:2026"), ("vanthu", "download", "outgoing:di:2026")]

    assert api.get("/api/v1/outgoing/register?year=2026&format=pdf", "vanthu").status_code == 200
    assert api.get("/api/v1/outgoing/register?year=2026&format=xlsx", "vanthu").status_code == 200
    assert _register_trail(app)[len(web):] == web

    # a refused export (classified register to a spreadsheet) leaves no export entry
    refused = api.get("/api/v1/outgoing/register?year=2026&format=xlsx&register=di-mat", "vanthu")
    assert refused.status_code in (403, 404, 422)
    assert len(_register_trail(app)) == 2 * len(web)


def test_document_reads_via_api_audit_like_the_web(app, api, auth, document_at):
    doc_id = document_at("issued")
    before = len(_register_trail(app, "document"))

    auth.login("vanthu")
    assert auth.client.get(f"/outgoing/{doc_id}").status_code == 200
    assert auth.client.get(f"/documents/{doc_id}/download").status_code == 200
    web = _register_trail(app, "document")[before:]
    assert [(actor, action) for actor, action, _, _ in web] == [
        ("vanthu", "view"), ("vanthu", "download")]
    assert {object_id for _, _, object_id, _ in web} == {str(doc_id)}
    assert web[1][3]["sha256"]

    assert api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").status_code == 200
    assert api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").status_code == 200
    assert _register_trail(app, "document")[before + len(web):] == web
    assert api.get(f"/api/v1/documents/{doc_id}", "vanthu").status_code == 200
    assert _register_trail(app, "document")[-1] == web[0]
