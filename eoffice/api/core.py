"""Authentication and the OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from eoffice.api.helpers import json_body, required
from eoffice.api.openapi import openapi_document
from eoffice.audit import operations as audit
from eoffice.auth import operations
from eoffice.auth.sessions import revoke_token as revoke
from eoffice.db import db
from eoffice.extensions import acting_user, bearer_token
from eoffice.permissions import authenticated, public
from eoffice.web.errors import error_response
from eoffice.web.transaction import read_only

bp = Blueprint("api", __name__)


def user_json(user) -> dict:
    return {"username": user.username, "full_name": user.full_name,
            "roles": sorted(r.value for r in user.roles),
            "department": user.department_code, "clearance": user.clearance.value}


@bp.route("/api/v1/auth/token", methods=["POST"])
@public
def token():
    username, password = required(json_body(), "username", "password")
    try:
        user = operations.authenticate(
            db.session, str(username), str(password), request.remote_addr or "-",
            channel="api", **operations.throttle_settings(current_app.config))
    except operations.TooManyAttempts as exc:
        response, status = error_response(429, str(exc), "too_many_attempts")
        response.headers["Retry-After"] = str(exc.minutes * 60)
        return response, status
    except operations.AuthError as exc:
        return error_response(401, str(exc), "invalid_credentials")
    if user.must_change_password:
        return error_response(403, "Bạn cần đổi mật khẩu dùng một lần (đăng nhập trên web) "
                              "trước khi dùng API.", "password_change_required")
    hours = current_app.config["API_TOKEN_HOURS"]
    value = operations.issue_token(db.session, user, hours)
    return jsonify({"token": value, "expires_in": hours * 3600, "user": user_json(user)})


@bp.route("/api/v1/auth/token", methods=["DELETE"])
@authenticated
def revoke_token():
    """Revoke the token this request is made with (API logout)."""
    revoke(db.session, bearer_token())
    audit.append(db.session, "token_revoke", actor=acting_user())
    return "", 204


@bp.route("/api/v1/me")
@authenticated
@read_only
def me():
    return jsonify(user_json(acting_user()))


@bp.route("/api/openapi.json")
@public
@read_only
def openapi():
    return jsonify(openapi_document(current_app))
