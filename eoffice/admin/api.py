"""Administration API (SPEC §5): agencies (sysadmin), users and departments (agency admin).

Thin: parse → operation with the acting user → JSON (the request boundary commits once).
Users and departments of another agency answer 404 exactly as missing ones.
"""

from __future__ import annotations

from typing import Any, TypedDict

from flask import Blueprint, jsonify, request

from eoffice.admin import credentials, importing
from eoffice.admin import operations as ops
from eoffice.api.helpers import json_body, text_field
from eoffice.api.openapi import document as describe
from eoffice.api.schemas import answer_schema, schema_of, type_schema
from eoffice.api.schemas import json_body as json_answer
from eoffice.auth.models import Agency, Clearance, Department, Role, User
from eoffice.db import db
from eoffice.errors import Invalid
from eoffice.extensions import acting_user
from eoffice.permissions import roles

api = Blueprint("admin_accounts_api", __name__)
MAX_CSV_BYTES = 2_000_000


class AgencyJson(TypedDict):
    code: str
    name: str
    abbreviation: str
    address: str
    parent: str | None
    active: bool


class AgencyInTree(AgencyJson):
    depth: int


class AgencyTree(TypedDict):
    agencies: list[AgencyInTree]


class DepartmentJson(TypedDict):
    code: str
    name: str
    active: bool


class Departments(TypedDict):
    departments: list[DepartmentJson]


class UserJson(TypedDict):
    username: str
    full_name: str
    position: str
    department: str
    roles: list[Role]
    clearance: Clearance
    active: bool
    must_change_password: bool
    agency: str
    token_label: str | None
    key_label: str | None
    has_signature_image: bool
    has_server_key: bool


class Users(TypedDict):
    users: list[UserJson]


def agency_json(agency: Agency) -> AgencyJson:
    return AgencyJson(code=agency.agency_code, name=agency.name,
                      abbreviation=agency.abbreviation, address=agency.address,
                      parent=agency.parent.agency_code if agency.parent else None,
                      active=agency.active)


def department_json(dept: Department) -> DepartmentJson:
    return DepartmentJson(code=dept.abbreviation, name=dept.name, active=dept.active)


def user_json(user: User) -> UserJson:
    return UserJson(username=user.username, full_name=user.full_name,
                    position=user.position_title, department=user.department.abbreviation,
                    roles=sorted(user.roles), clearance=user.clearance, active=user.active,
                    must_change_password=user.must_change_password,
                    agency=user.agency.agency_code, token_label=user.pkcs11_token_label,
                    key_label=user.pkcs11_key_label,
                    has_signature_image=bool(user.signature_image_path),
                    has_server_key=bool(user.p12_path))


# --- agencies (sysadmin) --------------------------------------------------------------------
@api.route("/api/v1/agencies", methods=["GET"])
@roles(Role.SYSADMIN)
def agencies():
    return jsonify(AgencyTree(agencies=[AgencyInTree(**agency_json(a), depth=depth)
                                        for depth, a in ops.agency_tree(db.session)]))


@api.route("/api/v1/agencies", methods=["POST"])
@roles(Role.SYSADMIN)
def create_agency():
    data = json_body()
    agency = ops.create_agency(db.session, acting_user(), ops.AgencyInput.parse(data))
    return jsonify(agency_json(agency)), 201


@api.route("/api/v1/agencies/<code>/admins", methods=["POST"])
@roles(Role.SYSADMIN)
def name_admin(code: str):
    data = json_body()
    agency = ops.agency_by_code(db.session, code)
    user, password = ops.name_admin(db.session, acting_user(), agency,
                                    username=text_field(data, "username"),
                                    full_name=text_field(data, "full_name"))
    return jsonify({"username": user.username, "one_time_password": password}), 201


# --- departments ----------------------------------------------------------------------------
@api.route("/api/v1/departments", methods=["GET"])
@roles(Role.ADMIN)
def departments():
    return jsonify(Departments(departments=[
        department_json(d) for d in ops.departments_of(db.session, acting_user().agency_id)]))


@api.route("/api/v1/departments", methods=["POST"])
@roles(Role.ADMIN)
def create_department():
    data = json_body()
    dept = ops.create_department(db.session, acting_user(), code=text_field(data, "code"),
                                 name=text_field(data, "name"))
    return jsonify(department_json(dept)), 201


@api.route("/api/v1/departments/<code>", methods=["PATCH"])
@roles(Role.ADMIN)
def update_department(code: str):
    data = json_body()
    actor = acting_user()
    dept = ops.department_of(db.session, actor.agency_id, code)
    ops.update_department(db.session, actor, dept, name=data.get("name"),
                          active=data["active"] if isinstance(data.get("active"), bool)
                          else None)
    return jsonify(department_json(dept))


# --- users ----------------------------------------------------------------------------------
@api.route("/api/v1/users", methods=["GET"])
@roles(Role.ADMIN)
def users():
    return jsonify(Users(users=[user_json(u) for u in
                                ops.users_of(db.session, acting_user().agency_id)]))


@api.route("/api/v1/users", methods=["POST"])
@roles(Role.ADMIN)
def create_user():
    user, password = ops.create_account(db.session, acting_user(),
                                        ops.AccountInput.parse(json_body()))
    return jsonify({"username": user.username, "one_time_password": password}), 201


@api.route("/api/v1/users/<username>", methods=["GET"])
@roles(Role.ADMIN)
def user(username: str):
    return jsonify(user_json(_account(username)[1]))


def _account(username: str) -> tuple[User, User]:
    """The acting admin and the account they name (404 outside their agency)."""
    actor = acting_user()
    return actor, ops.get_account(db.session, actor, username)


EDITABLE = {"full_name", "position", "department", "roles", "clearance", "active"}


@api.route("/api/v1/users/<username>", methods=["PATCH"])
@roles(Role.ADMIN)
def update_user(username: str):
    data = json_body()
    unknown = sorted(set(data) - EDITABLE - {"token_label", "key_label"})
    if unknown:
        raise Invalid("Không sửa được trường: %(fields)s", code="invalid_field",
                      values={"fields": ", ".join(unknown)})
    if "active" in data and not isinstance(data["active"], bool):
        raise Invalid("Trường active phải là true hoặc false.", code="invalid_field")
    actor, target = _account(username)
    ops.update_account(db.session, actor, target, {k: v for k, v in data.items()
                                                   if k in EDITABLE})
    if "token_label" in data or "key_label" in data:
        credentials.set_token(db.session, actor, target, text_field(data, "token_label"),
                              text_field(data, "key_label"))
    return jsonify(user_json(target))


@api.route("/api/v1/users/<username>/reset-password", methods=["POST"])
@roles(Role.ADMIN)
def reset_password(username: str):
    actor, target = _account(username)
    password = ops.reset_password(db.session, actor, target)
    return jsonify({"username": target.username, "one_time_password": password})


@api.route("/api/v1/users/<username>/signature-image", methods=["PUT"])
@roles(Role.ADMIN)
def signature_image(username: str):
    actor, target = _account(username)
    credentials.set_signature_image(db.session, actor, target,
                                    request.get_data()[:credentials.MAX_IMAGE_BYTES + 1])
    return jsonify(user_json(target))


@api.route("/api/v1/users/import", methods=["POST"])
@roles(Role.ADMIN)
def import_users():
    """CSV body; ``?dry_run=1`` answers the preview (rows and their errors) only."""
    data = request.get_data()
    if len(data) > MAX_CSV_BYTES:
        raise Invalid("Tệp CSV quá lớn (tối đa 2 MB).", code="file_too_large")
    actor = acting_user()
    preview = importing.preview(db.session, actor, data)
    body: dict[str, Any] = preview.to_json()
    if request.args.get("dry_run") not in {"1", "true"}:
        created = importing.apply(db.session, actor, preview)
        body["created"] = [{"username": u, "one_time_password": p} for u, p in created]
    return jsonify(body)


def _json(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {
        "type": "object", "required": required, "properties": properties}}}}


_STRING = {"type": "string"}
_AGENCY = schema_of(ops.AgencyInput)
_AGENCY["properties"]["code"]["pattern"] = ops.AGENCY_CODE.pattern
describe(api, "/api/v1/agencies", "post", {
    "summary": "Create an agency in the tree (sysadmin)",
    "requestBody": {"content": {"application/json": {"schema": _AGENCY}}},
    "responses": {"201": json_answer(answer_schema(AgencyJson), "the agency"),
                  "409": {"description": "code in use"},
                  "422": {"description": "invalid field"}},
})
_LISTS: list[tuple[str, str, type]] = [
    ("/api/v1/agencies", "Every agency, parents before their children (sysadmin)", AgencyTree),
    ("/api/v1/departments", "The departments of the admin's agency", Departments),
    ("/api/v1/users", "The users of the admin's agency", Users),
    ("/api/v1/users/{username}", "One user of the admin's agency", UserJson)]
for _path, _summary, _answer in _LISTS:
    describe(api, _path, "get", {"summary": _summary,
                            "responses": {"200": json_answer(answer_schema(_answer), "OK")}})
describe(api, "/api/v1/users", "post", {
    "summary": "Create a user of the admin's agency; answers a one-time password",
    "requestBody": {"content": {"application/json": {"schema": schema_of(ops.AccountInput)}}},
    "responses": {"201": {"description": "username and one_time_password"},
                  "409": {"description": "username in use"},
                  "422": {"description": "invalid field"}},
})
describe(api, "/api/v1/users/{username}", "patch", {
    "summary": "Edit a user (each permission change audited; active=false ends sessions)",
    "requestBody": _json([], {
        "full_name": _STRING, "position": _STRING, "department": _STRING,
        "roles": type_schema(frozenset[Role]), "clearance": type_schema(Clearance),
        "active": {"type": "boolean"}, "token_label": _STRING, "key_label": _STRING}),
    "responses": {"200": json_answer(answer_schema(UserJson), "the user"),
                  "404": {"description": "no such user in the agency"}},
})
describe(api, "/api/v1/users/import", "post", {
    "summary": "Import users from CSV (?dry_run=1: preview with per-row errors only)",
    "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}},
    "responses": {"200": {"description": "total, valid, errors[line, username, reasons], "
                                         "created[username, one_time_password]"}},
})
