"""Navigation by role. Blueprints add their entries when they are registered."""

from __future__ import annotations

from collections.abc import Callable
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


NewCount = Callable[[Any], int]
NAV_NEW: dict[str, NewCount] = {}
"""Per menu entry: how many of the user's items behind it are new to them (the badge)."""


def add_nav_new(endpoint: str) -> Callable[[NewCount], NewCount]:
    """Decorator: ``func(user) -> int`` counts the new items behind a menu entry."""
    def decorator(func: NewCount) -> NewCount:
        NAV_NEW[endpoint] = func
        return func

    return decorator


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
    """The user's menu: ``{"label", "url", "new"}`` entries, or ``{"label", "children",
    "new"}`` groups (a group of one entry is shown as that entry); ``new`` counts the items
    new to the user behind the entry."""
    entries = sorted(NAV.values(), key=lambda e: e.order)
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e.roles is not None and not user.roles & e.roles:
            continue
        counter = NAV_NEW.get(e.endpoint)
        item = {"label": e.label, "url": url_for(e.endpoint),
                "new": counter(user) if counter else 0}
        group = GROUPS.get(e.endpoint)
        if group is None:
            items.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
            groups[group]["new"] += item["new"]
        else:
            groups[group] = {"label": group, "children": [item], "new": item["new"]}
            items.append(groups[group])
    return [i["children"][0] if len(i.get("children", [None, None])) == 1 else i
            for i in items]
