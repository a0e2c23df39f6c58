"""JSON Schemas generated from the input types (dataclasses) the API parses.

``schema_of(IncomingInput)`` gives the object schema of a request body: field names, types
(str, int, bool, date, enums, lists, optional values, nested input types) and the required
ones (no default). ``answer_schema(UserJson)`` does the same for a JSON answer typed as a
``TypedDict``. Integers are bounded to what the database holds; strings to what a column
can take. A type whose wire form differs from its fields (a handler given as a plain name or
as an object) says so with a ``json_schema()`` classmethod.

Each generated object carries ``x-input-type`` (and ``x-input-excluded``, the fields left out
on purpose): tests/functional/test_openapi.py checks every field of every input type is in the
document. (pydantic's TypeAdapter would need to be a run-time dependency, emits ``$defs``
references that break once the schema is embedded in the OpenAPI document, and cannot bound
values without pydantic types in the domain dataclasses; this converter is the few lines the
API needs.)
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
    if typing.is_typeddict(hint):
        return answer_schema(hint)
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
        wire = getattr(hint, "json_schema", None)
        if callable(wire):
            return dict(wire())
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
    schema["x-input-type"] = input_type_name(cls)
    if exclude:
        schema["x-input-excluded"] = sorted(exclude)
    return schema


def answer_schema(cls: Any) -> dict[str, Any]:
    """The object schema of a JSON answer typed as a ``TypedDict`` (a response body)."""
    hints = typing.get_type_hints(cls)
    required = [name for name in hints if name in cls.__required_keys__]
    schema: dict[str, Any] = {"type": "object",
                              "properties": {n: type_schema(h) for n, h in hints.items()}}
    if required:
        schema["required"] = required
    return schema


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI response (or request body) carrying ``schema`` as JSON."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def input_type_name(cls: type) -> str:
    """``module.QualifiedName`` of an input type, as ``x-input-type`` names it."""
    return f"{cls.__module__}.{cls.__qualname__}"
