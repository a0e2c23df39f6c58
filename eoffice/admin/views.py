"""Admin pages (users, audit log) and the audit API."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, request

from eoffice.audit.models import AuditEntry
from eoffice.auth.models import ROLE_LABELS, Role, User
from eoffice.db import db
from eoffice.permissions import roles

bp = Blueprint("admin", __name__)
api = Blueprint("admin_api", __name__)


def _audit_query(document_id: str | None, limit: int = 200):
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if document_id:
        query = query.where(AuditEntry.object_type == "document",
                            AuditEntry.object_id == document_id)
    return db.session.scalars(query).all()


@bp.route("/admin/users")
@roles(Role.ADMIN)
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/admin/audit")
@roles(Role.ADMIN)
def audit_log():
    entries = _audit_query(request.args.get("document_id"))
    return render_template("admin/audit.html", entries=entries)


@api.route("/api/v1/audit")
@roles(Role.ADMIN)
def audit_api():
    limit = min(int(request.args.get("limit", 200) or 200), 1000)
    entries = _audit_query(request.args.get("document_id"), limit)
    return jsonify({"entries": [
        {"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
         "object_type": e.object_type, "object_id": e.object_id, "details": e.details,
         "hash": e.hash} for e in entries]})
