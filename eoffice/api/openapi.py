"""OpenAPI 3.1 description, assembled from the API routes and their documented schemas.

Each API module documents its operations with :func:`document` (path → method → spec),
request bodies generated from its input types (``eoffice.api.schemas.schema_of``); routes that are
not documented still appear with their access rule, so nothing is hidden. Every path
parameter is declared from the route's converter (ids: integers 1 … 2^31-1), and every
operation lists the error answers with the JSON error shape.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.routing import IntegerConverter, Rule

from eoffice.params import ID_MAX
from eoffice.permissions import rule_of

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}}},
}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
ERROR_RESPONSES = {
    "400": {"description": "Tham số không hợp lệ / bad parameter", **_ERROR},
    "401": {"description": "Cần đăng nhập / authentication required", **_ERROR},
    "403": {"description": "Không có quyền / not allowed for this role", **_ERROR},
    "404": {"description": "Không tìm thấy (cũng cho điều không được xem) / not found", **_ERROR},
    "409": {"description": "Xung đột trạng thái / conflict", **_ERROR},
    "413": {"description": "Tệp quá lớn / file too large", **_ERROR},
    "422": {"description": "Dữ liệu không hợp lệ / invalid data", **_ERROR},
    "429": {"description": "Quá nhiều lần thử / too many attempts", **_ERROR},
}

_KEY = "eoffice.openapi"


def document(bp: Blueprint, path: str, method: str, spec: dict[str, Any]) -> None:
    """Describe one operation of ``bp``'s routes: the description joins each app the
    blueprint is registered on (``app.extensions["eoffice.openapi"]``, path → method)."""

    def record(state: BlueprintSetupState) -> None:
        state.app.extensions.setdefault(_KEY, {}).setdefault(path, {})[method.lower()] = spec

    bp.record(record)


def _openapi_path(rule: str) -> str:
    for conv in ("int:", "string:", "path:"):
        rule = rule.replace("<" + conv, "<")
    return rule.replace("<", "{").replace(">", "}")


def path_parameters(rule: Rule) -> list[dict[str, Any]]:
    """Every variable of the route, typed and bounded as its converter parses it."""
    params = []
    for name, converter in rule._converters.items():  # noqa: SLF001 (werkzeug keeps them here)
        if isinstance(converter, IntegerConverter):
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
        else:
            schema = {"type": "string", "minLength": 1, "maxLength": 64,
                      "pattern": "^[^/]+$"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def openapi_document(app: Flask) -> dict[str, Any]:
    operations: dict[str, dict[str, dict[str, Any]]] = app.extensions.get(_KEY, {})
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = _openapi_path(rule.rule)
        access = rule_of(app.view_functions[rule.endpoint])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            spec = dict(operations.get(path, {}).get(method.lower(), {}))
            spec.setdefault("summary", rule.endpoint)
            spec["operationId"] = f"{rule.endpoint}.{method.lower()}"
            declared = {p["name"] for p in spec.get("parameters", []) if p.get("in") == "path"}
            spec["parameters"] = [*spec.get("parameters", []), *(
                p for p in path_parameters(rule) if p["name"] not in declared)]
            if not spec["parameters"]:
                del spec["parameters"]
            responses = dict(spec.get("responses") or {"200": {"description": "OK"}})
            for status, answer in ERROR_RESPONSES.items():
                responses.setdefault(status, answer)
            spec["responses"] = responses
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
