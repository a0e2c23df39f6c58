"""Admin pages (users, audit log) and the audit API."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, request

from eoffice.admin.operations import users_of
from eoffice.audit.models import AuditEntry
from eoffice.auth.models import ROLE_LABELS, Role, User, in_agency
from eoffice.db import db
from eoffice.extensions import acting_user
from eoffice.permissions import roles

bp = Blueprint("admin", __name__)
api = Blueprint("admin_api", __name__)


def agency_entries(user: User) -> sa.ColumnElement[bool]:
    """Audit entries of the user's agency (older entries without one: by their actor)."""
    members = sa.select(User.username).where(in_agency(user.agency_id))
    return sa.or_(AuditEntry.agency_id == user.agency_id,
                  sa.and_(AuditEntry.agency_id.is_(None), AuditEntry.actor.in_(members)))


def _audit_query(user: User, document_id: str | None, limit: int = 200):
    query = (sa.select(AuditEntry).where(agency_entries(user))
             .order_by(AuditEntry.id.desc()).limit(limit))
    if document_id:
        query = query.where(AuditEntry.object_type == "document",
                            AuditEntry.object_id == document_id)
    return db.session.scalars(query).all()


@bp.route("/admin/users")
@roles(Role.ADMIN)
def users():
    rows = users_of(db.session, acting_user().agency_id)
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/admin/audit")
@roles(Role.ADMIN)
def audit_log():
    entries = _audit_query(acting_user(), request.args.get("document_id"))
    return render_template("admin/audit.html", entries=entries)


@api.route("/api/v1/audit")
@roles(Role.ADMIN)
def audit_api():
    limit = min(int(request.args.get("limit", 200) or 200), 1000)
    entries = _audit_query(acting_user(), request.args.get("document_id"), limit)
    return jsonify({"entries": [
        {"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
         "object_type": e.object_type, "object_id": e.object_id, "details": e.details,
         "hash": e.hash} for e in entries]})
