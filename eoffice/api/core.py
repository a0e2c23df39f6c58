"""Authentication and the OpenAPI description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from flask import Blueprint, current_app, jsonify, request

from eoffice.api.helpers import json_body, required
from eoffice.api.openapi import document as describe
from eoffice.api.openapi import openapi_document
from eoffice.api.schemas import answer_schema, schema_of
from eoffice.api.schemas import json_body as json_answer
from eoffice.audit import operations as audit
from eoffice.auth import operations
from eoffice.auth.models import Clearance, Role, User
from eoffice.auth.sessions import revoke_token as revoke
from eoffice.db import db
from eoffice.extensions import acting_user, bearer_token
from eoffice.permissions import authenticated, public
from eoffice.web.errors import error_response
from eoffice.web.transaction import read_only

bp = Blueprint("api", __name__)


class UserSummary(TypedDict):
    """Who the token belongs to."""

    username: str
    full_name: str
    roles: list[Role]
    department: str
    clearance: Clearance


class TokenAnswer(TypedDict):
    token: str
    expires_in: int
    user: UserSummary


@dataclass(frozen=True)
class CredentialsInput:
    """Username and password exchanged for a bearer token."""

    username: str
    password: str

    @classmethod
    def parse(cls, data: dict[str, Any]) -> CredentialsInput:
        username, password = required(data, "username", "password")
        return cls(username=str(username), password=str(password))


def user_json(user: User) -> UserSummary:
    return UserSummary(username=user.username, full_name=user.full_name,
                       roles=sorted(user.roles), department=user.department_code,
                       clearance=user.clearance)


@bp.route("/api/v1/auth/token", methods=["POST"])
@public
def token():
    credentials = CredentialsInput.parse(json_body())
    try:
        user = operations.authenticate(
            db.session, credentials.username, credentials.password, request.remote_addr or "-",
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
    return jsonify(TokenAnswer(token=value, expires_in=hours * 3600, user=user_json(user)))


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


describe(bp, "/api/v1/auth/token", "post", {
    "summary": "Obtain a bearer token",
    "requestBody": {"content": {"application/json": {"schema": schema_of(CredentialsInput)}}},
    "responses": {"200": json_answer(answer_schema(TokenAnswer), "token and user"),
                  "401": {"description": "bad credentials"},
                  "403": {"description": "the one-time password must be changed first"},
                  "429": {"description": "too many failed attempts"}},
})
describe(bp, "/api/v1/me", "get", {
    "summary": "The user the token belongs to",
    "responses": {"200": json_answer(answer_schema(UserSummary), "the user")},
})
