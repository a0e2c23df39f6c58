"""JSON Schemas generated from the input types (dataclasses) the API parses.

``schema_of(IncomingInput)`` gives the object schema of a request body: field names, types
(str, int, bool, date, enums, lists, optional values) and the required ones (no default).
Integers are bounded to what the database holds; strings to what a column can take.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from typing import Any

INT32_MAX = 2**31 - 1
TEXT_MAX = 2000


def type_schema(hint: Any) -> dict[str, Any]:
    """The JSON Schema of one Python type hint."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = type_schema(options[0]) if len(options) == 1 else {
            "anyOf": [type_schema(a) for a in options]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(hint)
        return {"type": "array", "maxItems": 200,
                "items": type_schema(args[0]) if args else {}}
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(hint))}
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return {"type": "string", "enum": [m.value for m in hint]}
        if issubclass(hint, bool):
            return {"type": "boolean"}
        if issubclass(hint, int):
            return {"type": "integer", "minimum": 0, "maximum": INT32_MAX}
        if issubclass(hint, datetime):
            return {"type": "string", "format": "date-time"}
        if issubclass(hint, date):
            return {"type": "string", "format": "date"}
        if issubclass(hint, str):
            return {"type": "string", "maxLength": TEXT_MAX}
        if dataclasses.is_dataclass(hint):
            return schema_of(hint)
    return {}


def schema_of(cls: type, *, exclude: tuple[str, ...] = (),
              extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The object schema of a dataclass input type (``extra`` adds fields the API takes
    beside it, e.g. an uploaded ``file``)."""
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in dataclasses.fields(cls):
        if field.name in exclude or field.name.startswith("_"):
            continue
        properties[field.name] = type_schema(hints[field.name])
        if (field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING):
            required.append(field.name)
    properties.update(extra or {})
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema
