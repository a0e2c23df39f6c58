"""The OpenAPI document is usable by standard tools: it validates, declares every path
parameter, and schemathesis exercises every operation (as a user allowed to call it) with
bounded examples: no schema error, no server error."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

ROLE_USERS = {"clerk": "vanthu", "leader": "chutich", "head": "truongphong",
              "specialist": "chuyenvien", "secretary": "thuky", "admin": "admin",
              "sysadmin": "sysadmin"}
EXAMPLES = 4


def test_openapi_validates_and_declares_every_path_parameter(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    operations = 0
    for path, methods in doc["paths"].items():
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, spec in methods.items():
            operations += 1
            declared = {p["name"] for p in spec.get("parameters", []) if p["in"] == "path"}
            assert declared == in_path, (method, path)
            assert spec["responses"], (method, path)
            assert "404" in spec["responses"] and "400" in spec["responses"]
    assert operations >= 40
    incoming = doc["paths"]["/api/v1/incoming"]["post"]["requestBody"]["content"]
    fields = incoming["multipart/form-data"]["schema"]["properties"]
    assert fields["code_number"]["anyOf"][0]["maximum"] == 2**31 - 1  # from IncomingInput
    assert fields["secrecy"]["enum"] == ["none", "mat", "toi_mat", "tuyet_mat"]


def _input_types() -> list[type]:
    """Every input dataclass of the app (``class …Input``), found in the source so that a
    new one is checked too."""
    import dataclasses
    import importlib
    from pathlib import Path

    import eoffice

    root = Path(eoffice.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in re.findall(r"^class (\w+Input)\b", path.read_text("utf-8"), re.M):
            module = ".".join(("eoffice", *path.relative_to(root).with_suffix("").parts))
            cls = getattr(importlib.import_module(module), name)
            if dataclasses.is_dataclass(cls):
                found.append(cls)
    return found


def _generated(node, found: dict[str, list[tuple[set[str], set[str]]]]) -> None:
    if isinstance(node, dict):
        if "x-input-type" in node:
            found.setdefault(node["x-input-type"], []).append(
                (set(node["properties"]), set(node.get("x-input-excluded", []))))
        for value in node.values():
            _generated(value, found)
    elif isinstance(node, list):
        for value in node:
            _generated(value, found)


def test_request_schemas_carry_every_field_of_the_input_types(client):
    """A field added to an input dataclass appears in the API description by itself; a
    request body written by hand (or an input type left undocumented) fails here."""
    import dataclasses

    from eoffice.api.schemas import input_type_name

    doc = client.get("/api/openapi.json").get_json()
    found: dict[str, list[tuple[set[str], set[str]]]] = {}
    _generated(doc["paths"], found)
    types = _input_types()
    assert {c.__name__ for c in types} >= {"IncomingInput", "DirectionInput", "DraftInput",
                                           "MeetingInput", "AccountInput"}
    for cls in types:
        name = input_type_name(cls)
        assert name in found, f"no request schema is generated from {name}"
        fields = {f.name for f in dataclasses.fields(cls)}
        for properties, excluded in found[name]:
            assert fields - excluded <= properties, (name, fields - excluded - properties)
    direction = doc["paths"]["/api/v1/incoming/{document_id}/direction"]["post"]
    schema = direction["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["lead"]  # the only field without a default
    lead = schema["properties"]["lead"]["anyOf"]  # a name, or {handler, deadline}
    assert lead[0]["type"] == "string" and lead[1]["required"] == ["handler"]


def test_answers_match_the_schemas_generated_from_their_types(client, api):
    """The JSON answers typed as TypedDicts are what their documented schemas say."""
    from jsonschema import Draft202012Validator

    from tests.conftest import DEMO_PASSWORD

    doc = client.get("/api/openapi.json").get_json()

    def check(answer, path: str, method: str = "get") -> None:
        assert answer.status_code == 200, answer.get_json()
        spec = doc["paths"][path][method]["responses"]["200"]
        schema = spec["content"]["application/json"]["schema"]
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(answer.get_json())]
        assert errors == [], (path, errors)

    check(client.post("/api/v1/auth/token",
                      json={"username": "vanthu", "password": DEMO_PASSWORD}),
          "/api/v1/auth/token", "post")
    check(api.get("/api/v1/me", "chutich"), "/api/v1/me")
    check(api.get("/api/v1/users", "admin"), "/api/v1/users")
    check(api.get("/api/v1/users/chutich", "admin"), "/api/v1/users/{username}")
    check(api.get("/api/v1/departments", "admin"), "/api/v1/departments")
    check(api.get("/api/v1/agencies", "sysadmin"), "/api/v1/agencies")


def _user_for(access: str) -> str | None:
    if access == "public":
        return None
    if access == "authenticated":
        return "chutich"
    roles = access.removeprefix("roles:").split(",")
    return ROLE_USERS[roles[0]]


def _fresh_token(app, username: str) -> str:
    from eoffice.auth.models import User
    from eoffice.auth.operations import issue_token
    from eoffice.db import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        token = issue_token(db.session, user)
        db.session.commit()
        return token


def _exercise(operation, headers: dict[str, str], server_errors: list[str],
              statuses: list[int]) -> None:
    """A few generated requests (bounded by the schema) against one operation."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            server_errors.append(f"{operation.method.upper()} {case.formatted_path} "
                                 f"→ {response.status_code}")

    run()


@pytest.mark.slow
def test_schemathesis_finds_no_schema_error_and_no_server_error(app):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema_errors: list[str] = []
    server_errors: list[str] = []
    statuses: list[int] = []
    exercised = 0
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception as exc:  # an operation schemathesis cannot use
            schema_errors.append(str(exc)[:300])
            continue
        access = operation.definition.raw.get("x-access", "public")
        username = _user_for(access)
        headers = {"Authorization": f"Bearer {_fresh_token(app, username)}"} if username else {}

        _exercise(operation, headers, server_errors, statuses)
        exercised += 1
    assert schema_errors == []
    assert server_errors == []
    assert exercised >= 40
    # the users were let in: most operations answered, not just 401
    assert sum(200 <= s < 300 for s in statuses) >= 20 and statuses.count(401) < len(statuses) / 4
