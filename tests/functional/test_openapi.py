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
