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


GROUPS: dict[str, str] = {
    "incoming.index": "Văn bản đến", "incoming.new": "Văn bản đến",
    "incoming.registers": "Văn bản đến",
    "incoming.statistics": "Thống kê", "exchange.statistics": "Thống kê",
    "outgoing.received": "Văn bản đến", "exchange.inbox": "Văn bản đến",
    "accounts.home": "Quản trị", "accounts.agencies": "Quản trị", "accounts.users": "Quản trị",
    "admin.audit_log": "Quản trị",
}
"""Entries shown together in one drop-down list (so the menu fits one line at 1280 px)."""


def nav_items(user: Any) -> list[dict[str, Any]]:
    """The user's menu: ``{"label", "url"}`` entries, or ``{"label", "children"}`` groups
    (a group of one entry is shown as that entry)."""
    entries = sorted(NAV.values(), key=lambda e: e.order)
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e.roles is not None and not user.roles & e.roles:
            continue
        item = {"label": e.label, "url": url_for(e.endpoint)}
        group = GROUPS.get(e.endpoint)
        if group is None:
            items.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
        else:
            groups[group] = {"label": group, "children": [item]}
            items.append(groups[group])
    return [i["children"][0] if len(i.get("children", [None, None])) == 1 else i
            for i in items]
