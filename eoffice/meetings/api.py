"""JSON API of paperless meetings (SPEC §3): create, materials, agenda, sign, distribute,
files, pack, minutes, read receipts, notifications."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from eoffice import untrusted
from eoffice.api.helpers import json_body, optional_json_body, required, secret_of
from eoffice.api.openapi import document as document_op
from eoffice.api.schemas import schema_of
from eoffice.auth.models import Role
from eoffice.db import db
from eoffice.extensions import acting_user, file_store
from eoffice.meetings import access, distribution, materials, notify, planning, serving
from eoffice.meetings import minutes as minutes_ops
from eoffice.meetings.models import Meeting
from eoffice.meetings.serialize import material_json, meeting_json
from eoffice.permissions import authenticated, roles
from eoffice.settings import signing_settings, today
from eoffice.storage import DOCX, PDF
from eoffice.web.files import send

bp = Blueprint("meetings_api", __name__, url_prefix="/api/v1/meetings")


@bp.route("", methods=["POST"])
@roles(Role.SECRETARY)
def create():
    meeting = planning.create_meeting(db.session, acting_user(),
                                 planning.MeetingInput.from_mapping(json_body()))
    return jsonify({"id": meeting.id, "state": meeting.state}), 201


@bp.route("", methods=["GET"])
@authenticated
def index():
    user = acting_user()
    meetings = db.session.scalars(access.visible_meetings(user).order_by(
        Meeting.starts_at.desc()).limit(200)).all()
    return jsonify({"meetings": [{"id": m.id, "title": m.title, "state": m.state,
                                  "starts_at": m.starts_at.isoformat(timespec="minutes"),
                                  "location": m.location} for m in meetings]})


@bp.route("/notifications", methods=["GET"])
@authenticated
def notifications():
    rows = notify.notifications_for(db.session, acting_user())
    return jsonify({"notifications": [{"id": n.id, "meeting_id": n.meeting_id,
                                       "message": n.message, "read": n.read,
                                       "at": n.at.isoformat(timespec="seconds")}
                                      for n in rows]})


@bp.route("/<int:meeting_id>", methods=["GET"])
@authenticated
def show(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    notify.record_opening(db.session, meeting, user)
    materials.withdraw_classified(db.session, meeting)
    data = meeting_json(db.session, meeting, user)
    return jsonify(data)


@bp.route("/<int:meeting_id>/materials", methods=["POST"])
@roles(Role.SECRETARY)
def add_material(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    upload = request.files.get("file")
    if upload is not None:
        file = untrusted.check_upload(upload, accepted={PDF, DOCX})  # before any write
        material = materials.add_working_paper(db.session, file_store(), meeting, user, file,
                                               upload.filename or "")
    else:
        (document_id,) = required(json_body(), "document_id")
        material = materials.add_document(db.session, meeting, user, document_id)
    return jsonify(material_json(meeting, material)), 201


@bp.route("/<int:meeting_id>/materials/<int:material_id>", methods=["GET"])
@authenticated
def material(meeting_id: int, material_id: int):
    file = serving.material(db.session, file_store(), acting_user(), meeting_id, material_id)
    return send(file, as_attachment=request.args.get("download") == "1")


@bp.route("/<int:meeting_id>/materials/<int:material_id>/withdraw", methods=["POST"])
@roles(Role.SECRETARY)
def withdraw_material(meeting_id: int, material_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    materials.remove(db.session, meeting, user, material_id)
    return jsonify({"id": material_id, "withdrawn": True})


@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@roles(Role.SECRETARY)
def set_agenda(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    data = json_body()
    planning.set_agenda(db.session, file_store(), meeting, user, data.get("items") or [],
                        today=today())
    return jsonify({"id": meeting.id, "state": meeting.state,
                    "agenda_url": f"/api/v1/meetings/{meeting.id}/agenda"}), 201


@bp.route("/<int:meeting_id>/agenda", methods=["GET"])
@authenticated
def agenda(meeting_id: int):
    return send(serving.agenda(db.session, file_store(), acting_user(), meeting_id),
                as_attachment=request.args.get("download") == "1")


@bp.route("/<int:meeting_id>/agenda/sign", methods=["POST"])
@authenticated
def sign_agenda(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    distribution.sign_agenda(db.session, file_store(), meeting, user, settings=signing_settings(),
                    **secret_of(optional_json_body()))
    return jsonify({"id": meeting.id, "state": meeting.state,
                    "validation": (meeting.extra or {}).get("agenda_validation")})


@bp.route("/<int:meeting_id>/distribute", methods=["POST"])
@roles(Role.SECRETARY)
def distribute(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    notified = distribution.distribute(db.session, meeting, user)
    return jsonify({"id": meeting.id, "state": meeting.state, "notified": notified})


@bp.route("/<int:meeting_id>/update", methods=["POST"])
@roles(Role.SECRETARY)
def update(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    data = json_body()
    changes = planning.update_details(db.session, meeting, user, starts_at=data.get("starts_at"),
                                 ends_at=data.get("ends_at"), location=data.get("location"))
    return jsonify({"id": meeting.id, "changes": changes})


@bp.route("/<int:meeting_id>/hold", methods=["POST"])
@authenticated
def hold(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    distribution.hold(db.session, meeting, user)
    return jsonify({"id": meeting.id, "state": meeting.state})


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@authenticated
def cancel(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    distribution.cancel(db.session, meeting, user, str(optional_json_body().get("reason") or ""))
    return jsonify({"id": meeting.id, "state": meeting.state})


@bp.route("/<int:meeting_id>/pack", methods=["GET"])
@authenticated
def pack(meeting_id: int):
    return send(serving.pack(db.session, file_store(), acting_user(), meeting_id),
                as_attachment=True)


@bp.route("/<int:meeting_id>/openings", methods=["GET"])
@roles(Role.SECRETARY)
def openings(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    return jsonify({"openings": meeting_json(db.session, meeting, user).get("openings", [])})


@bp.route("/<int:meeting_id>/minutes", methods=["POST"])
@roles(Role.SECRETARY)
def record_minutes(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    minutes = minutes_ops.record_minutes(db.session, file_store(), meeting, user, json_body())
    return jsonify({"id": meeting.id, "state": meeting.state,
                    "minutes_state": minutes.state}), 201


@bp.route("/<int:meeting_id>/minutes", methods=["GET"])
@authenticated
def minutes(meeting_id: int):
    return send(serving.minutes(db.session, file_store(), acting_user(), meeting_id),
                as_attachment=request.args.get("download") == "1")


@bp.route("/<int:meeting_id>/minutes/sign", methods=["POST"])
@authenticated
def sign_minutes(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    record = minutes_ops.sign_minutes(db.session, file_store(), meeting, user,
                              settings=signing_settings(), **secret_of(optional_json_body()))
    return jsonify({"id": meeting.id, "state": meeting.state, "minutes_state": record.state,
                    "validation": (record.extra or {}).get("validation")})


@bp.route("/<int:meeting_id>/minutes/distribute", methods=["POST"])
@roles(Role.SECRETARY)
def distribute_minutes(meeting_id: int):
    user = acting_user()
    meeting = access.get_meeting(db.session, user, meeting_id)
    record = minutes_ops.distribute_minutes(db.session, meeting, user)
    return jsonify({"id": meeting.id, "state": meeting.state, "minutes_state": record.state})


_M = "/api/v1/meetings"
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
document_op(bp, _M, "post", {
    "summary": "Create a meeting (secretary)",
    "requestBody": {"content": {"application/json": {"schema": schema_of(planning.MeetingInput)}}},
    "responses": {"201": {"description": "{id, state}"}, "422": {"description": "invalid"}}})
document_op(bp, _M + "/{meeting_id}/materials", "post", {
    "summary": "Add a signed/issued document ({document_id}) or upload a working paper "
               "(multipart file, PDF/DOCX)",
    "responses": {"201": {"description": "material"},
                  "404": {"description": "no such document, or not visible"},
                  "422": {"description": "error.code classified or not_signed"}}})
document_op(bp, _M + "/{meeting_id}/agenda", "post", {
    "summary": "Set the agenda items [{title, presenter, time}] and generate the PDF",
    "responses": {"201": {"description": "agenda generated"}}})
document_op(bp, _M + "/{meeting_id}/agenda", "get", {
    "summary": "The agenda PDF (secretary, chair, participants after distribution)",
    "responses": {"200": {"description": "application/pdf"}, "404": {"description": "none"}}})
document_op(bp, _M + "/{meeting_id}/agenda/sign", "post", {
    "summary": "The chair signs the agenda ({passphrase} or {pin})",
    "responses": {"200": {"description": "{state: agenda_signed}"}}})
document_op(bp, _M + "/{meeting_id}/distribute", "post", {
    "summary": "Distribute to participants (after the agenda is signed)",
    "responses": {"200": {"description": "{state: distributed}"}}})
document_op(bp, _M + "/{meeting_id}/pack", "get", {
    "summary": "ZIP: signed agenda and allowed materials (UTF-8 file names)",
    "responses": {"200": {"description": "application/zip"}}})
