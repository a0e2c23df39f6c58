"""Routes of the token agent: the account page with the pairing code, the agent's pairing
call (JSON API, authenticated by the one-time code) and the browser's prepare/finish calls
(session + CSRF header)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from eoffice.api.helpers import json_body, required
from eoffice.db import db
from eoffice.errors import AppError, Invalid
from eoffice.extensions import file_store
from eoffice.permissions import authenticated, public
from eoffice.settings import clock, signing_settings
from eoffice.token_agent import operations as ops
from eoffice.web.transaction import undo
from signing.agent import origin_of

bp = Blueprint("token_agent", __name__)
api = Blueprint("token_agent_api", __name__)
DEFAULT_AGENT_URL = "http://127.0.0.1:8765"


def token_agent_url() -> str:
    """The agent address of the signed-in user (given at pairing), else the default."""
    if getattr(current_user, "is_authenticated", False):
        pairing = ops.pairing_of(db.session, current_user)
        if pairing is not None:
            return pairing.agent_url
    return str(current_app.config.get("TOKEN_AGENT_URL") or DEFAULT_AGENT_URL)


def _error(exc: AppError):
    undo(exc)
    return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status


def _der_list(values: Any, limit: int = 10) -> list[bytes]:
    if not isinstance(values, list) or len(values) > limit:
        raise Invalid("Chuỗi chứng thư không hợp lệ.", code="bad_certificate")
    try:
        return [base64.b64decode(str(v), validate=True) for v in values]
    except (binascii.Error, ValueError) as exc:
        raise Invalid("Chứng thư số không hợp lệ.", code="bad_certificate") from exc


@bp.route("/account/token-agent", methods=["GET", "POST"])
@authenticated
def account():
    code = None
    if request.method == "POST":
        code = ops.new_pairing_code(db.session, current_user)
    return render_template("auth/token_agent.html", code=code,
                           pairing=ops.pairing_of(db.session, current_user),
                           server=origin_of(request.host_url),
                           minutes=ops.CODE_MINUTES)


@bp.route("/token-agent/prepare", methods=["POST"])
@authenticated
def prepare():
    try:
        data = json_body()
        kind, ids, certificate = required(data, "kind", "ids", "certificate")
        if kind not in ("outgoing-sign", "outgoing-issue", *ops.MEETING_KINDS) \
                or not isinstance(ids, list) \
                or (kind != "outgoing-sign" and len(ids) != 1):
            raise Invalid("Yêu cầu ký không hợp lệ.", code="bad_request")
        (cert,) = _der_list([certificate], 1)
        ops.purge_expired(db.session)
        common = ops.SignerMaterial(certificate=cert, chain=_der_list(data.get("chain") or []),
                                    origin=origin_of(request.host_url),
                                    settings=signing_settings())
        if kind == "outgoing-sign":
            items = ops.prepare_sign(db.session, file_store(), current_user,
                                     ids[:ops.MAX_BATCH + 1], **common)
        elif kind == "outgoing-issue":
            items = ops.prepare_issue(db.session, file_store(), current_user, ids[0],
                                      today=clock()(), **common)
        else:
            items = ops.prepare_meeting(db.session, file_store(), current_user, kind, ids[0],
                                        **common)
    except AppError as exc:
        return _error(exc)
    return jsonify({"items": items})


@bp.route("/token-agent/finish", methods=["POST"])
@authenticated
def finish():
    try:
        data = json_body()
        (signatures,) = required(data, "signatures")
        if not isinstance(signatures, list):
            raise Invalid("Yêu cầu không hợp lệ.", code="bad_request")
        done = ops.finish_sign(db.session, file_store(), current_user, signatures,
                               settings=signing_settings())
    except AppError as exc:
        return _error(exc)
    kind, first = done[0]
    if kind in ops.MEETING_KINDS:
        target = url_for("meetings.show", meeting_id=first)
    elif len(done) == 1:
        target = url_for("outgoing.show", document_id=first)
    else:
        target = url_for("outgoing.sign_batch")
    return jsonify({"signed": [i for _, i in done], "next": target})


@api.route("/api/v1/token-agent/pair", methods=["POST"])
@public
def pair():
    try:
        data = json_body()
        code, certificate, agent_url = required(data, "code", "certificate", "agent_url")
        (cert,) = _der_list([certificate], 1)
        user, key = ops.pair(db.session, str(code)[:20], cert,
                             _der_list(data.get("chain") or []), str(agent_url),
                             signing_settings())
    except AppError as exc:
        return _error(exc)
    return jsonify({"key": key, "username": user.username, "full_name": user.full_name})
