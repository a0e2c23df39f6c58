"""The audit viewer (filters, paging, Vietnamese labels, CSV export) and the audit API.

An admin sees their agency's entries only, and nothing about a document above their
clearance (as for a document that does not exist).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template, request

from eoffice.admin.labels import action_label, known_actions
from eoffice.audit.models import AuditEntry
from eoffice.audit.visibility import visible_entries
from eoffice.auth.models import Role, User, in_agency
from eoffice.db import db
from eoffice.extensions import acting_user, gettext
from eoffice.params import ID_MAX, BadParameter, int_arg
from eoffice.permissions import roles

bp = Blueprint("admin", __name__)
api = Blueprint("admin_api", __name__)
PER_PAGE = 50
CSV_LIMIT = 50_000


def agency_entries(user: User) -> sa.ColumnElement[bool]:
    """Audit entries of the user's agency (older entries without one: by their actor)."""
    members = sa.select(User.username).where(in_agency(user.agency_id))
    return sa.or_(AuditEntry.agency_id == user.agency_id,
                  sa.and_(AuditEntry.agency_id.is_(None), AuditEntry.actor.in_(members)))


def _date(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    day = raw.split("/")
    try:
        if len(day) == 3:  # dd/mm/yyyy, as typed in the page
            return date(int(day[2]), int(day[1]), int(day[0]))
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"Tham số '{name}' phải là một ngày dạng ngày/tháng/năm "
                           "(ví dụ 28/03/2026).") from None


def _filters(user: User) -> tuple[sa.ColumnElement[bool], dict[str, Any]]:
    """The agency scope plus the viewer's filters: user, action, document, date range."""
    actor = (request.args.get("actor") or "").strip()[:64]
    action = (request.args.get("action") or "").strip()[:64]
    start, end = _date("date_from"), _date("date_to")
    conditions = [agency_entries(user)]
    if actor:
        conditions.append(AuditEntry.actor == actor)
    if action:
        conditions.append(AuditEntry.action == action)
    if start:
        conditions.append(AuditEntry.at >= datetime.combine(start, datetime.min.time())
                          - timedelta(hours=7))  # the day in Vietnam time
    if end:
        conditions.append(AuditEntry.at < datetime.combine(end, datetime.min.time())
                          + timedelta(hours=17))
    shown = {"actor": actor, "action": action, "date_from": start, "date_to": end,
             "document_id": request.args.get("document_id") or ""}
    return sa.and_(*conditions), shown


def _entries(user: User, limit: int, offset: int = 0):
    scope, shown = _filters(user)
    document_id = int_arg("document_id", None, 1, ID_MAX)
    return visible_entries(db.session, user, document_id=document_id, limit=limit,
                           scope=scope, offset=offset), shown


@bp.route("/admin/audit")
@roles(Role.ADMIN)
def audit_log():
    page = int_arg("page", 1, 1, 100_000)
    user = acting_user()
    entries, shown = _entries(user, PER_PAGE + 1, (page - 1) * PER_PAGE)
    people = db.session.scalars(sa.select(User).where(in_agency(user.agency_id))
                                .order_by(User.full_name)).all()  # chosen by name
    return render_template("admin/audit.html", entries=entries[:PER_PAGE], page=page,
                           has_next=len(entries) > PER_PAGE, filters=shown, people=people,
                           label=lambda a: action_label(a, gettext),
                           actions=known_actions())


@bp.route("/admin/audit.csv")
@roles(Role.ADMIN)
def audit_csv():
    entries, _shown = _entries(acting_user(), CSV_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "thoi_gian_utc", "nguoi_thuc_hien", "thao_tac", "ma_thao_tac",
                     "doi_tuong", "ma_doi_tuong", "chi_tiet"])
    for e in entries:
        writer.writerow([e.id, e.at.isoformat(), e.actor or "", action_label(e.action),
                         e.action, e.object_type or "", e.object_id or "",
                         _safe_cell(str(e.details or {}))])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=nhat-ky.csv"})


def _safe_cell(value: str) -> str:
    """No spreadsheet formula from a logged value (CSV injection)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


@api.route("/api/v1/audit")
@roles(Role.ADMIN)
def audit_api():
    limit = int_arg("limit", 200, 1, 1000)
    offset = int_arg("offset", 0, 0, 10_000_000)
    entries, _shown = _entries(acting_user(), limit, offset)
    return jsonify({"entries": [
        {"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
         "label": action_label(e.action), "object_type": e.object_type,
         "object_id": e.object_id, "details": e.details, "hash": e.hash} for e in entries]})
