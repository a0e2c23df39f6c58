"""Small helpers shared by the API modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request

from eoffice.errors import Invalid

if TYPE_CHECKING:
    from eoffice.signing_services import Secret


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Nội dung yêu cầu phải là một đối tượng JSON.", code="invalid_json")
    return data


def text_field(data: dict[str, Any], name: str) -> str:
    """A string field of a JSON body (``""`` when absent or null); other JSON types are
    refused."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("Trường %(name)s phải là chuỗi ký tự.", code="invalid_field",
                      values={"name": name})
    return value


def optional_json_body() -> dict[str, Any]:
    """The JSON body, or an empty dict for a bodiless POST."""
    if not request.data and not request.form:
        return {}
    return json_body()


def secret_of(data: dict[str, Any]) -> Secret:
    """The passphrase or the token PIN that unlocks a signing key (empty means none given)."""
    return {"passphrase": data.get("passphrase") or None, "pin": data.get("pin") or None}


def required(data: dict[str, Any], *names: str) -> list[Any]:
    missing = [n for n in names if data.get(n) in (None, "")]
    if missing:
        raise Invalid("Thiếu trường bắt buộc: %(fields)s", code="missing_field",
                      values={"fields": ", ".join(missing)})
    return [data[n] for n in names]
