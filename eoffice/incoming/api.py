"""JSON API for incoming documents (SPEC §3): registration, direction, handling."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from eoffice import settings, signature_checks, untrusted
from eoffice.api.helpers import json_body
from eoffice.api.openapi import document as describe
from eoffice.api.schemas import schema_of
from eoffice.auth.models import Role
from eoffice.db import db
from eoffice.errors import Invalid
from eoffice.extensions import acting_user, file_store
from eoffice.incoming import handling, inbox
from eoffice.incoming.forms import DirectionInput, IncomingInput, parse_date, parse_int
from eoffice.incoming.registration import (
    check_before_file,
    register_incoming,
    return_to_sender,
)
from eoffice.permissions import authenticated, roles

bp = Blueprint("incoming_api", __name__)


def _assignment_json(a: Any) -> dict[str, Any]:
    return {"id": a.id, "role": a.role, "department": a.department_code,
            "assignee": a.assignee_username, "state": a.state,
            "deadline": a.deadline.isoformat() if a.deadline else None,
            "completed_on": a.completed_on.isoformat() if a.completed_on else None,
            "document_id": a.document_id}


@bp.route("/api/v1/incoming", methods=["POST"])
@roles(Role.CLERK)
def register():
    user = acting_user()
    data = IncomingInput.parse(request.form)
    upload = request.files.get("file")
    check_before_file(user, data, has_file=bool(upload is not None and upload.filename),
                      classified_files=settings.classified_files())
    # the pipeline, holding no lock; the signatures are left to a worker when deferred
    # (a file without any has its verdict from the pipeline: nothing to defer)
    deferred = signature_checks.deferred(current_app)
    file = untrusted.check_upload(upload, validate=not deferred, text=False,
                                  unsigned_verdict=True)
    result = register_incoming(
        db.session, file_store(), user, data, file=file, trust=settings.trust_material,
        classified_files=settings.classified_files(), today=settings.today(),
        defer_validation=deferred)
    body = {"id": result.document_id, "arrival_number": result.arrival_number,
            "arrival_year": result.arrival_year, "register": result.register,
            "validation": ({"verdict": result.validation["verdict"],
                            "label": result.validation.get("label"),
                            "signatures": result.validation["signatures"],
                            "reasons": result.validation["reasons"]}
                           if result.validation else {"verdict": None, "signatures": []}),
            "duplicates": result.duplicates}
    return jsonify(body), 201


@bp.route("/api/v1/incoming", methods=["GET"])
@authenticated
def list_work():
    """The acting user's inbox: ``?tab=pending|in_progress|done|overdue``."""
    tab = request.args.get("tab", "pending")
    if tab not in inbox.TABS:
        raise Invalid("Hộp việc không hợp lệ.", code="invalid_tab")
    items = inbox.inbox(db.session, acting_user(), tab, settings.today())
    return jsonify({"tab": tab, "items": [
        {"document_id": i.document.id, "subject": i.document.subject,
         "urgency": str(i.document.urgency.value),
         "assignment": _assignment_json(i.assignment) if i.assignment else None}
        for i in items]})


@bp.route("/api/v1/incoming/<int:document_id>/direction", methods=["POST"])
@roles(Role.LEADER)
def direction(document_id: int):
    user = acting_user()
    document = handling.get_incoming(db.session, user, document_id)
    data = DirectionInput.parse(json_body())
    created = handling.direct(db.session, document, user, data, today=settings.today())
    body = {"id": document.id, "state": document.state,
            "assignments": [_assignment_json(a) for a in created]}
    return jsonify(body)


@bp.route("/api/v1/incoming/<int:document_id>/return", methods=["POST"])
@roles(Role.CLERK)
def return_document(document_id: int):
    user = acting_user()
    document = handling.get_incoming(db.session, user, document_id)
    return_to_sender(db.session, document, user, str(json_body().get("reason") or ""))
    return jsonify({"id": document.id, "state": document.state})


@bp.route("/api/v1/incoming/<int:document_id>/remind", methods=["POST"])
@roles(Role.LEADER)
def remind(document_id: int):
    user = acting_user()
    document = handling.get_incoming(db.session, user, document_id)
    data = request.get_json(silent=True) or {}
    count = handling.remind(db.session, document, user, str(data.get("message") or ""))
    return jsonify({"id": document.id, "reminders": count})


@bp.route("/api/v1/incoming/assignments/<int:assignment_id>/<action>", methods=["POST"])
@authenticated
def assignment_action(assignment_id: int, action: str):
    """``reassign`` {"assignee", "deadline"?} · ``start`` · ``note`` {"text"} ·
    ``complete`` {"result"?, "reply_document_id"?}."""
    user = acting_user()
    assignment = handling.get_assignment(db.session, user, assignment_id)
    data = request.get_json(silent=True) or {}
    if action == "reassign":
        handling.reassign(db.session, assignment, user, str(data.get("assignee") or ""),
                          deadline=parse_date(data.get("deadline"), "deadline"))
    elif action == "start":
        handling.start(db.session, assignment, user)
    elif action == "note":
        handling.add_note(db.session, assignment, user, str(data.get("text") or ""))
    elif action == "complete":
        handling.complete(db.session, assignment, user, result=str(data.get("result") or ""),
                          reply_document_id=parse_int(data.get("reply_document_id"),
                                                      "reply_document_id"),
                          today=settings.today())
    else:
        raise Invalid("Thao tác không hợp lệ.", code="invalid_action")
    body = _assignment_json(assignment) | {"document_state": assignment.document.state}
    return jsonify(body)


describe(bp, "/api/v1/incoming", "post", {
    "summary": "Register a received document (clerk)",
    "requestBody": {"content": {"multipart/form-data": {"schema": schema_of(
        IncomingInput, extra={"file": {"type": "string", "format": "binary"}})}}},
    "responses": {"201": {"description": "id, arrival_number, arrival_year, validation, "
                                         "duplicates. validation.verdict is 'pending' while "
                                         "a worker checks the signatures (deployments with "
                                         "a broker): GET /api/v1/documents/{id} gives the "
                                         "verdict once written. A file without any "
                                         "signature has its verdict at once (unsigned)"},
                  "422": {"description": "missing field, bad file, classified file refused"}},
})
describe(bp, "/api/v1/incoming/{document_id}/direction", "post", {
    "summary": "Direct (bút phê) an incoming document (leader)",
    "requestBody": {"content": {"application/json": {"schema": schema_of(DirectionInput)}}},
    "responses": {"200": {"description": "state and assignments"},
                  "404": {"description": "not visible"}},
})
