"""Bounded parsing of request parameters: out-of-range or malformed values answer 400 (JSON
error shape on the API, the friendly page on the web), never a database overflow (500).

Path ids use the ``int`` converter registered here (0 … 2^31-1, the range of the INTEGER id
columns on PostgreSQL): a larger id matches no route, so it answers 404 as for a missing
document.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import overload

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from eoffice.errors import AppError

INT32_MAX = 2**31 - 1
ID_MAX = INT32_MAX  # ids are INTEGER columns
YEAR_MIN, YEAR_MAX = 1900, 2200


class BadParameter(AppError):
    status = 400
    code = "bad_parameter"


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` limited to what the database can hold (no 500 for a 30-digit id)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("max", ID_MAX)
        kwargs.setdefault("fixed_digits", 0)
        super().__init__(map, *args, **kwargs)
        self.regex = r"\d{1,10}"


def init_params(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter


@overload
def int_arg(name: str, default: int, low: int = ..., high: int = ...) -> int: ...
@overload
def int_arg(name: str, default: None = None, low: int = ..., high: int = ...) -> int | None: ...
def int_arg(name: str, default: int | None = None, low: int = 1,
            high: int = 10_000) -> int | None:
    """An integer query parameter within [low, high]; ``default`` when absent."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.lstrip("-").isdigit() or len(raw) > 20:
        raise BadParameter(f"Tham số '{name}' phải là số.")
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(f"Tham số '{name}' nằm ngoài khoảng cho phép ({low}–{high}).")
    return value


@overload
def year_arg(name: str = ..., *, default: int) -> int: ...
@overload
def year_arg(name: str = ..., default: None = None) -> int | None: ...
def year_arg(name: str = "year", default: int | None = None) -> int | None:
    return int_arg(name, default, YEAR_MIN, YEAR_MAX)


@overload
def choice_arg(name: str, choices: Iterable[str], default: str) -> str: ...
@overload
def choice_arg(name: str, choices: Iterable[str], default: None = None) -> str | None: ...
def choice_arg(name: str, choices: Iterable[str], default: str | None = None) -> str | None:
    """A query parameter that must be one of ``choices``; ``default`` when absent."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    allowed = set(choices)
    if raw not in allowed:
        raise BadParameter(f"Tham số '{name}' phải là một trong: {', '.join(sorted(allowed))}.")
    return raw


def date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"Tham số '{name}' phải có dạng YYYY-MM-DD.") from None
