"""OpenAPI 3.1 description, assembled from the API routes and their documented schemas.

Each API module documents its operations in ``OPERATIONS`` (path → method → spec); routes
that are not documented still appear with their access rule, so nothing is hidden.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from eoffice.permissions import rule_of

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}}},
}

OPERATIONS: dict[str, dict[str, dict[str, Any]]] = {
    "/api/v1/auth/token": {"post": {
        "summary": "Obtain a bearer token",
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["username", "password"],
            "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
        "responses": {"200": {"description": "token and user"},
                      "401": {"description": "bad credentials"},
                      "429": {"description": "too many failed attempts"}},
    }},
}


def document(path: str, method: str, spec: dict[str, Any]) -> None:
    """Register the description of one operation (used by the domain API modules)."""
    OPERATIONS.setdefault(path, {})[method.lower()] = spec


def _openapi_path(rule: str) -> str:
    for conv in ("int:", "string:", "path:"):
        rule = rule.replace("<" + conv, "<")
    return rule.replace("<", "{").replace(">", "}")


def openapi_document(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = _openapi_path(rule.rule)
        access = rule_of(app.view_functions[rule.endpoint])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            spec = dict(OPERATIONS.get(path, {}).get(method.lower(), {}))
            spec.setdefault("summary", rule.endpoint)
            spec.setdefault("responses", {"200": {"description": "OK"}})
            spec["x-access"] = access.describe() if access else "none"
            if access and access.login_required:
                spec["security"] = [{"bearer": []}]
            paths.setdefault(path, {})[method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {"title": "eoffice API", "version": "1",
                 "description": "Văn bản điện tử và chữ ký số — HTTP API"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }
