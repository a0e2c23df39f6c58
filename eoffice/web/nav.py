"""Navigation by role. Features add their entries to the app they are registered on
(``app.extensions["eoffice.nav"]``): two apps in one process keep their own menus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for

from eoffice.auth.models import Role
from eoffice.i18n import N_

NewCount = Callable[[Any], int]
"""How many of the user's items behind a menu entry are new to them (the badge)."""


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: frozenset[Role] | None  # None: every logged-in user
    order: int = 50
    new: NewCount | None = None


_KEY = "eoffice.nav"


def add_nav(app: Flask, label: str, endpoint: str, roles: set[Role] | None = None,
            order: int = 50, *, new: NewCount | None = None) -> None:
    """Add (or replace) the menu entry of ``endpoint`` in ``app``; ``new(user)`` counts the
    items behind it that are new to the user (the badge)."""
    entries: dict[str, NavEntry] = app.extensions.setdefault(_KEY, {})
    entries[endpoint] = NavEntry(label, endpoint, frozenset(roles) if roles else None, order,
                                 new)


GROUPS: dict[str, str] = {
    "incoming.index": N_("Văn bản đến"), "incoming.new": N_("Văn bản đến"),
    "incoming.registers": N_("Văn bản đến"),
    "incoming.statistics": N_("Thống kê"), "exchange.statistics": N_("Thống kê"),
    "outgoing.received": N_("Văn bản đến"), "exchange.inbox": N_("Văn bản đến"),
    "accounts.home": N_("Quản trị"), "accounts.agencies": N_("Quản trị"),
    "accounts.users": N_("Quản trị"),
    "admin.audit_log": N_("Quản trị"),
}
"""Entries shown together in one drop-down list (so the menu fits one line at 1280 px)."""


def nav_items(user: Any) -> list[dict[str, Any]]:
    """The user's menu: ``{"label", "url", "new"}`` entries, or ``{"label", "children",
    "new"}`` groups (a group of one entry is shown as that entry); ``new`` counts the items
    new to the user behind the entry."""
    entries = sorted(current_app.extensions.get(_KEY, {}).values(), key=lambda e: e.order)
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e.roles is not None and not user.roles & e.roles:
            continue
        item = {"label": e.label, "url": url_for(e.endpoint),
                "new": e.new(user) if e.new else 0}
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
