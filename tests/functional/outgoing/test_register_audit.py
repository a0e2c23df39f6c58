"""Register exports are audited inside the operation: the API and the web leave the same trace."""

from datetime import date

import sqlalchemy as sa

from eoffice.audit.models import AuditEntry
from eoffice.db import db


def _register_trail(app) -> list[tuple]:
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.object_type == "register").order_by(AuditEntry.id)).all()
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
