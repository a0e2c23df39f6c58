"""Navigation by role. Blueprints add their entries when they are registered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from eoffice.auth.models import Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: frozenset[Role] | None  # None: every logged-in user
    order: int = 50


NAV: dict[str, NavEntry] = {}


def add_nav(label: str, endpoint: str, roles: set[Role] | None = None, order: int = 50) -> None:
    NAV[endpoint] = NavEntry(label, endpoint, frozenset(roles) if roles else None, order)


def nav_items(user: Any) -> list[dict[str, str]]:
    entries = sorted(NAV.values(), key=lambda e: e.order)
    return [{"label": e.label, "url": url_for(e.endpoint)} for e in entries
            if e.roles is None or user.roles & e.roles]
