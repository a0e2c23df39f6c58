"""JSON API of the exchange (SPEC §6): the exchange inbox, accept/refuse, recall answers,
the sender's view of an outgoing document with its deliveries."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from eoffice.api.helpers import json_body
from eoffice.api.openapi import document as describe
from eoffice.auth.models import Role
from eoffice.db import db
from eoffice.documents import serving
from eoffice.documents.models import Direction
from eoffice.documents.operations import get_visible
from eoffice.documents.serialize import document_json
from eoffice.errors import Invalid, NotFound
from eoffice.exchange import deliveries, service, transfer
from eoffice.extensions import acting_user
from eoffice.params import choice_arg, year_arg
from eoffice.permissions import authenticated, roles
from eoffice.web.transaction import read_only

bp = Blueprint("exchange_api", __name__)
MAX_REASON = 2000


def _reason(required: bool) -> str:
    data = json_body() if (request.data or required) else {}
    value = data.get("reason", "")
    if not isinstance(value, str):
        raise Invalid("Trường “reason” phải là chuỗi ký tự.", code="invalid_field")
    value = value.strip()
    if len(value) > MAX_REASON:
        raise Invalid("Lý do dài quá %(MAX_REASON)s ký tự.", code="too_long",
                      values={"MAX_REASON": MAX_REASON})
    if required and not value:
        raise Invalid("Cần nêu lý do.", code="reason_required")
    return value


@bp.route("/api/v1/exchange/inbox", methods=["GET"])
@roles(Role.CLERK)
@read_only
def inbox():
    """Received documents waiting for the clerk (status 01) and recall requests (13)."""
    user = acting_user()
    status = choice_arg("status", deliveries.DELIVERY.states)
    statuses = ("01", "13") if not status else (status,)
    rows = deliveries.inbox(db.session, user, statuses=statuses)
    return jsonify({"results": [deliveries.inbox_json(d) for d in rows]})


@bp.route("/api/v1/exchange/inbox/<int:delivery_id>", methods=["GET"])
@roles(Role.CLERK)
@read_only
def inbox_item(delivery_id: int):
    delivery = deliveries.get_received(db.session, acting_user(), delivery_id)
    return jsonify({**deliveries.inbox_json(delivery),
                    "history": [deliveries.event_json(e) for e in delivery.events]})


@bp.route("/api/v1/exchange/inbox/<int:delivery_id>/accept", methods=["POST"])
@roles(Role.CLERK)
def accept(delivery_id: int):
    user = acting_user()
    delivery = deliveries.get_received(db.session, user, delivery_id)
    document = deliveries.accept(db.session, delivery, user, service.registrar(db.session, user))
    body = {"document_id": document.id, "arrival_number": document.arrival_number,
            "status": delivery.status}
    return jsonify(body)


@bp.route("/api/v1/exchange/inbox/<int:delivery_id>/refuse", methods=["POST"])
@roles(Role.CLERK)
def refuse(delivery_id: int):
    user = acting_user()
    delivery = deliveries.get_received(db.session, user, delivery_id)
    deliveries.refuse(db.session, delivery, user, _reason(required=True))
    return jsonify({"id": delivery.id, "status": delivery.status})


def _answer_recall(delivery_id: int, agree: bool) -> Any:
    user = acting_user()
    delivery = deliveries.get_received(db.session, user, delivery_id)
    deliveries.answer_recall(db.session, delivery, user, agree=agree,
                             reason=_reason(required=not agree))
    return jsonify({"id": delivery.id, "status": delivery.status})


@bp.route("/api/v1/exchange/recalls/<int:delivery_id>/accept", methods=["POST"])
@roles(Role.CLERK)
def accept_recall(delivery_id: int):
    return _answer_recall(delivery_id, True)


@bp.route("/api/v1/exchange/recalls/<int:delivery_id>/refuse", methods=["POST"])
@roles(Role.CLERK)
def refuse_recall(delivery_id: int):
    return _answer_recall(delivery_id, False)


@bp.route("/api/v1/outgoing/<int:document_id>", methods=["GET"])
@authenticated
def outgoing_document(document_id: int):
    """An outgoing document with the status of every recipient agency (audited as a view,
    like its page)."""
    user = acting_user()
    document = get_visible(db.session, user, document_id)
    if document.direction is not Direction.OUTGOING:
        raise NotFound()
    serving.viewed(db.session, user, document)
    body: dict[str, Any] = document_json(db.session, document)
    body["deliveries"] = [deliveries.delivery_json(d)
                          for d in deliveries.sent_deliveries(db.session, document)]
    return jsonify(body)


@bp.route("/api/v1/outgoing/<int:document_id>/edxml", methods=["GET"])
@roles(Role.CLERK, Role.LEADER)
def outgoing_edxml(document_id: int):
    """The signed edXML package of an issued document for one recipient agency."""
    user = acting_user()
    document = get_visible(db.session, user, document_id)
    code = (request.args.get("to") or "").strip()
    package = transfer.package_for(db.session, document, user, code)
    name = f"{(document.code or str(document.id)).replace('/', '-')}-{code}.edxml"
    return Response(package, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/api/v1/exchange/import", methods=["POST"])
@roles(Role.CLERK)
def import_package():
    """A received ``.edxml`` uploaded by hand: applied as if it came through the hub, or
    quarantined with its reason (422)."""
    user = acting_user()
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("Cần tải lên tệp .edxml.", code="missing_file")
    outcome = transfer.import_upload(db.session, user, upload)  # the boundary commits
    if outcome.outcome == "quarantined":
        return jsonify({"error": {"code": "quarantined", "message": outcome.reason}}), 422
    return jsonify({"outcome": outcome.outcome, "delivery_id": outcome.delivery_id}), (
        201 if outcome.outcome == "applied" else 200)


@bp.route("/api/v1/exchange/quarantine", methods=["GET"])
@roles(Role.CLERK, Role.ADMIN)
@read_only
def quarantine():
    """Refused packages of the agency (reason, fingerprint, sender), newest first."""
    rows = transfer.quarantined(db.session, acting_user())
    return jsonify({"results": [transfer.quarantine_json(r) for r in rows]})


@bp.route("/api/v1/exchange/statistics", methods=["GET"])
@roles(Role.LEADER, Role.CLERK)
@read_only
def statistics():
    """Per recipient agency: sent, accepted, refused, done, done on time (optional ?year=)."""
    from eoffice.exchange import statistics as stats

    lines = stats.per_agency(db.session, acting_user(), year_arg())
    return jsonify(stats.as_json(lines))


_REASON = {"content": {"application/json": {"schema": {
    "type": "object", "properties": {"reason": {"type": "string", "maxLength": MAX_REASON}}}}}}
describe(bp, "/api/v1/exchange/inbox", "get", {
    "summary": "Received electronic documents waiting for the clerk (01) and recalls (13), "
               "urgent first",
    "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}],
    "responses": {"200": {"description": "{results: [...]}"}}})
describe(bp, "/api/v1/exchange/inbox/{delivery_id}", "get", {
    "summary": "One received document with its metadata, verdict and status history",
    "responses": {"200": {"description": "the delivery"}, "404": {"description": "not found"}}})
describe(bp, "/api/v1/exchange/inbox/{delivery_id}/accept", "post", {
    "summary": "Accept: register with the next arrival number (status 03 back)",
    "responses": {"200": {"description": "{document_id, arrival_number}"},
                  "404": {"description": "not found"}, "409": {"description": "not waiting"}}})
describe(bp, "/api/v1/exchange/inbox/{delivery_id}/refuse", "post", {
    "summary": "Refuse with a reason (status 02 back)", "requestBody": _REASON,
    "responses": {"200": {"description": "{id, status}"}, "404": {"description": "not found"},
                  "409": {"description": "not waiting"},
                  "422": {"description": "reason missing"}}})
for _answer in ("accept", "refuse"):
    describe(bp, f"/api/v1/exchange/recalls/{{delivery_id}}/{_answer}", "post", {
        "summary": ("Agree to give the document back (15)" if _answer == "accept"
                    else "Refuse to give the document back (16), with a reason"),
        "requestBody": _REASON,
        "responses": {"200": {"description": "{id, status}"},
                      "404": {"description": "not found"},
                      "409": {"description": "no recall pending"}}})
describe(bp, "/api/v1/outgoing/{document_id}/edxml", "get", {
    "summary": "The signed edXML (QCVN 102:2016) package for one recipient agency",
    "parameters": [{"name": "to", "in": "query", "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9A-Z.]{13}$"}}],
    "responses": {"200": {"description": "application/xml"},
                  "404": {"description": "not found"},
                  "409": {"description": "not issued"},
                  "422": {"description": "classified, or bad agency code"}}})
describe(bp, "/api/v1/exchange/import", "post", {
    "summary": "Import a received .edxml package (multipart `file`)",
    "requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"201": {"description": "{outcome: applied, delivery_id}"},
                  "200": {"description": "{outcome: duplicate|ignored}"},
                  "422": {"description": "quarantined with its reason, or no file"}}})
describe(bp, "/api/v1/exchange/quarantine", "get", {
    "summary": "Quarantined packages of the agency with their reasons",
    "responses": {"200": {"description": "{results: [...]}"}}})
describe(bp, "/api/v1/exchange/statistics", "get", {
    "summary": "Exchange statistics per recipient agency (sent, accepted, refused, done, "
               "done_on_time, recalled)",
    "parameters": [{"name": "year", "in": "query",
                    "schema": {"type": "integer", "minimum": 1900, "maximum": 2200}}],
    "responses": {"200": {"description": "{agencies: [...], totals}"},
                  "400": {"description": "bad year"}}})
describe(bp, "/api/v1/outgoing/{document_id}", "get", {
    "summary": "An outgoing document with `deliveries` (agency_code, agency_name, status, "
               "status_label, updated_at, history)",
    "responses": {"200": {"description": "the document"}, "404": {"description": "not found"}}})
