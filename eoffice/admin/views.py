"""Admin pages (users, audit log) and the audit API."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from eoffice.admin.operations import users_of
from eoffice.audit.models import AuditEntry
from eoffice.audit.visibility import visible_entries
from eoffice.auth.models import ROLE_LABELS, Role, User, in_agency
from eoffice.db import db
from eoffice.extensions import acting_user
from eoffice.params import INT64_MAX, int_arg
from eoffice.permissions import roles

bp = Blueprint("admin", __name__)
api = Blueprint("admin_api", __name__)


def agency_entries(user: User) -> sa.ColumnElement[bool]:
    """Audit entries of the user's agency (older entries without one: by their actor)."""
    members = sa.select(User.username).where(in_agency(user.agency_id))
    return sa.or_(AuditEntry.agency_id == user.agency_id,
                  sa.and_(AuditEntry.agency_id.is_(None), AuditEntry.actor.in_(members)))


def _audit_query(user: User, limit: int = 200):
    """Entries of the admin's agency they may see (nothing about a document above their
    clearance)."""
    document_id = int_arg("document_id", None, 1, INT64_MAX)
    return visible_entries(db.session, user, document_id=document_id, limit=limit,
                           scope=agency_entries(user))


@bp.route("/admin/users")
@roles(Role.ADMIN)
def users():
    rows = users_of(db.session, acting_user().agency_id)
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/admin/audit")
@roles(Role.ADMIN)
def audit_log():
    entries = _audit_query(acting_user())
    return render_template("admin/audit.html", entries=entries)


@api.route("/api/v1/audit")
@roles(Role.ADMIN)
def audit_api():
    limit = int_arg("limit", 200, 1, 1000)
    entries = _audit_query(acting_user(), limit)
    return jsonify({"entries": [
        {"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
         "object_type": e.object_type, "object_id": e.object_id, "details": e.details,
         "hash": e.hash} for e in entries]})
