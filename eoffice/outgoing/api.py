"""JSON API of outgoing documents (SPEC §3): create, submit, approve, reject, sign, issue,
dispatch, recall, batch signing, the register."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, send_file

from eoffice import untrusted
from eoffice.api.helpers import json_body, optional_json_body, secret_of
from eoffice.api.openapi import document as document_op
from eoffice.api.schemas import schema_of
from eoffice.auth.models import Role
from eoffice.db import db
from eoffice.errors import Invalid
from eoffice.extensions import acting_user, file_store
from eoffice.outgoing import common, drafting, editing, issuance, register_book, review, signature
from eoffice.outgoing import dispatch as dispatch_ops
from eoffice.outgoing.drafting import REGISTERS
from eoffice.params import choice_arg, year_arg
from eoffice.permissions import authenticated, roles
from eoffice.settings import classified_files, clock, signing_settings
from eoffice.storage import DOCX, PDF
from eoffice.web.transaction import read_only

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
bp = Blueprint("outgoing_api", __name__, url_prefix="/api/v1/outgoing")


def _draft_request() -> tuple[drafting.DraftInput, drafting.PreparedUpload | None, str]:
    """The draft fields (JSON, or multipart with a ``file``) and the upload, passed through
    the untrusted-file pipeline and prepared (converted) before any write."""
    upload = request.files.get("file")
    if upload is None:
        return drafting.DraftInput.from_mapping(json_body()), None, ""
    form: dict[str, Any] = {k: request.form.get(k) for k in request.form}
    for name in ("body", "recipients"):
        values = request.form.getlist(name)
        form[name] = values if len(values) > 1 else (values[0] if values else None)
    data = drafting.DraftInput.from_mapping(form)
    file = untrusted.check_upload(upload, accepted={PDF, DOCX})
    if file is None:
        raise Invalid("Hãy chọn tệp PDF hoặc DOCX.", code="missing_file")
    return data, drafting.prepare_upload(file), file.filename


@bp.route("", methods=["POST"])
@roles(Role.SPECIALIST, Role.HEAD, Role.LEADER)
def create():
    user = acting_user()
    data, upload, filename = _draft_request()
    document = drafting.create_draft(db.session, file_store(), user, data, upload=upload,
                                filename=filename, classified_files=classified_files())
    return jsonify({"id": document.id, "state": document.state}), 201


@bp.route("/<int:document_id>", methods=["PUT"])
@authenticated
def edit(document_id: int):
    """Edit a draft (its drafter only; 409 outside ``draft``)."""
    user = acting_user()
    document = common.get_outgoing(db.session, user, document_id)
    editing.ensure_editable(document, user)
    data, upload, filename = _draft_request()
    editing.edit_draft(db.session, file_store(), document, user, data, upload=upload,
                   filename=filename)
    return jsonify({"id": document.id, "state": document.state})


def _transition(document_id: int, action: str) -> Any:
    user = acting_user()
    document = common.get_outgoing(db.session, user, document_id)
    data = optional_json_body()
    comment = str(data.get("comment") or "")
    if action == "submit":
        review.submit(db.session, document, user, comment)
    elif action == "approve":
        review.approve(db.session, document, user, comment)
    elif action == "reject":
        review.reject(db.session, document, user, comment)
    elif action == "recall":
        dispatch_ops.recall(db.session, document, user, comment or str(data.get("reason") or ""))
    return jsonify({"id": document.id, "state": document.state})


@bp.route("/<int:document_id>/submit", methods=["POST"])
@authenticated
def submit(document_id: int):
    return _transition(document_id, "submit")


@bp.route("/<int:document_id>/approve", methods=["POST"])
@authenticated
def approve(document_id: int):
    return _transition(document_id, "approve")


@bp.route("/<int:document_id>/reject", methods=["POST"])
@authenticated
def reject(document_id: int):
    return _transition(document_id, "reject")


@bp.route("/<int:document_id>/recall", methods=["POST"])
@authenticated
def recall(document_id: int):
    return _transition(document_id, "recall")


@bp.route("/<int:document_id>/sign", methods=["POST"])
@authenticated
def sign(document_id: int):
    user = acting_user()
    document = common.get_outgoing(db.session, user, document_id)
    signature.sign(db.session, file_store(), document, user, settings=signing_settings(),
             **secret_of(optional_json_body()))
    return jsonify({"id": document.id, "state": document.state})


@bp.route("/sign-batch", methods=["POST"])
@authenticated
def sign_batch():
    user = acting_user()
    data = json_body()
    ids = data.get("ids")
    if not isinstance(ids, list):
        raise Invalid("Trường “ids” phải là danh sách mã văn bản.", code="invalid_field")
    documents = signature.sign_batch(db.session, file_store(), ids, user,
                               settings=signing_settings(), **secret_of(data))
    return jsonify({"signed": [{"id": d.id, "state": d.state} for d in documents]})


@bp.route("/<int:document_id>/issue", methods=["POST"])
@authenticated
def issue(document_id: int):
    user = acting_user()
    document = common.get_outgoing(db.session, user, document_id)
    issuance.issue(db.session, file_store(), document, user, settings=signing_settings(),
              clock=clock(), **secret_of(optional_json_body()))
    return jsonify({"id": document.id, "state": document.state,
                    "number": document.code_number, "code": document.code,
                    "issued_date": document.issued_date.isoformat()
                    if document.issued_date else None})


@bp.route("/<int:document_id>/dispatch", methods=["POST"])
@authenticated
def dispatch(document_id: int):
    user = acting_user()
    document = common.get_outgoing(db.session, user, document_id)
    recipients = json_body().get("recipients")
    if not isinstance(recipients, list):
        raise Invalid("Trường “recipients” phải là danh sách nơi nhận.", code="invalid_field")
    rows = dispatch_ops.dispatch(db.session, document, user, recipients)
    return jsonify({"id": document.id, "state": document.state,
                    "recipients": [{"kind": r.kind, "recipient": r.recipient} for r in rows]})


@bp.route("", methods=["GET"])
@authenticated
@read_only
def list_outgoing():
    user = acting_user()
    if choice_arg("view", {"all", "to_sign"}, "all") == "to_sign":
        # everything waiting for the caller's signature, never cut off
        docs = db.session.scalars(common.to_sign_query(user)).all()
    else:
        query = common.outgoing_query(user)
        state = request.args.get("state")
        if state:
            from eoffice.documents.models import Document

            query = query.where(Document.state == state)
        docs = db.session.scalars(query.limit(200)).all()
    return jsonify({"results": [{"id": d.id, "state": d.state, "code": d.code,
                                 "type_code": d.type_code, "subject": d.subject,
                                 "urgency": d.urgency.value} for d in docs]})


@bp.route("/register", methods=["GET"])
@roles(Role.CLERK, Role.LEADER, Role.ADMIN)
def register():
    user = acting_user()
    year = year_arg(default=clock()().year)
    name = choice_arg("register", REGISTERS, "di")
    fmt = choice_arg("format", {"json", "pdf", "xlsx"}, "json")
    if fmt == "pdf":
        import io

        pdf = register_book.register_pdf(db.session, user, year, name)
        return send_file(io.BytesIO(pdf), mimetype="application/pdf",
                         download_name=f"so-van-ban-di-{year}.pdf")
    if fmt == "xlsx":
        import io

        xlsx = register_book.register_xlsx(db.session, user, year, name)
        return send_file(io.BytesIO(xlsx), mimetype=XLSX, as_attachment=True,
                         download_name=f"so-van-ban-di-{year}.xlsx")
    documents = register_book.register_documents(db.session, user, year, name)
    rows = register_book.register_rows(db.session, documents)
    return jsonify({"year": year, "register": name,
                    "rows": [dict(zip(["code", "issued_date", "type_and_subject", "signer",
                                       "recipients", "archive_holder", "copies",
                                       "transfer_date", "receiver_signature", "note"],
                                      r.cells(), strict=True)) for r in rows]})


_SECRET = {"type": "object", "properties": {"passphrase": {"type": "string"},
                                           "pin": {"type": "string"}}}
document_op(bp, "/api/v1/outgoing", "post", {
    "summary": "Create an outgoing draft (JSON, or multipart with a PDF/DOCX file)",
    "requestBody": {"content": {"application/json": {"schema": schema_of(drafting.DraftInput)}}},
    "responses": {"201": {"description": "{id, state: draft}"}}})
_DRAFT_SCHEMA: dict[str, Any] = schema_of(drafting.DraftInput, exclude=("secrecy",))
document_op(bp, "/api/v1/outgoing/{document_id}", "put", {
    "summary": "Edit a draft (its drafter only): the same JSON fields as POST, or multipart "
               "with a new PDF/DOCX `file`; the PDF/DOCX are re-rendered, old files kept",
    "requestBody": {"content": {
        "application/json": {"schema": _DRAFT_SCHEMA},
        "multipart/form-data": {"schema": {**_DRAFT_SCHEMA, "properties": {
            **_DRAFT_SCHEMA["properties"], "file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"200": {"description": "{id, state: draft}"},
                  "403": {"description": "not the drafter"},
                  "404": {"description": "not found or not visible"},
                  "409": {"description": "no longer a draft"},
                  "422": {"description": "invalid field or file"}}})
document_op(bp, "/api/v1/outgoing/register", "get", {
    "summary": "The outgoing register by year (JSON rows, or format=pdf / format=xlsx)",
    "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}},
                   {"name": "register", "in": "query", "schema": {"type": "string"}},
                   {"name": "format", "in": "query",
                    "schema": {"type": "string", "enum": ["json", "pdf", "xlsx"]}}],
    "responses": {"200": {"description": "rows, or the PDF/XLSX file"}}})
for _action in ("submit", "approve", "reject", "recall"):
    document_op(bp, f"/api/v1/outgoing/{{document_id}}/{_action}", "post", {
        "summary": f"Outgoing workflow: {_action}", "responses": {
            "200": {"description": "{id, state}"}, "403": {"description": "may not act"},
            "404": {"description": "not found or not visible"},
            "409": {"description": "not allowed in this state"}}})
document_op(bp, "/api/v1/outgoing/{document_id}/sign", "post", {
    "summary": "Sign as the named signer (passphrase or PIN)",
    "requestBody": {"content": {"application/json": {"schema": _SECRET}}},
    "responses": {"200": {"description": "{state: signed}"},
                  "422": {"description": "wrong passphrase/PIN; nothing changed"}}})
document_op(bp, "/api/v1/outgoing/{document_id}/issue", "post", {
    "summary": "Issue (number, date, agency seal) — clerk",
    "requestBody": {"content": {"application/json": {"schema": _SECRET}}},
    "responses": {"200": {"description": "{state: issued, number, code, issued_date}"},
                  "422": {"description": "wrong passphrase/PIN; no number consumed"}}})
document_op(bp, "/api/v1/outgoing/{document_id}/dispatch", "post", {
    "summary": "Dispatch to departments / outside agencies — clerk",
    "responses": {"200": {"description": "{state: dispatched}"}}})
document_op(bp, "/api/v1/outgoing/sign-batch", "post", {
    "summary": "Sign several documents with one passphrase/PIN entry",
    "responses": {"200": {"description": "{signed: [{id, state}]}"}}})
