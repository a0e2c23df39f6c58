"""Dashboard panels per role. Domain modules add providers with ``panel_provider``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eoffice.auth.models import Role
from eoffice.i18n import N_


@dataclass
class PanelItem:
    title: str
    url: str
    subtitle: str = ""
    urgent: bool = False
    badge: str = ""
    document_id: int | None = None
    """The document behind the item: marked "Mới" while it is new to the user."""
    new: bool = False


@dataclass
class Panel:
    key: str
    title: str
    items: list[PanelItem] = field(default_factory=list)
    count: int = 0
    url: str | None = None
    new_count: int = 0


Provider = Callable[[Any], list[PanelItem]]

# (role, key, title, more-link endpoint): the panels each role sees, in order.
ROLE_PANELS: dict[Role, list[tuple[str, str]]] = {
    Role.CLERK: [("recent_incoming", N_("Văn bản đến vừa vào sổ")),
                 ("format_review", N_("Dự thảo chờ kiểm tra thể thức")),
                 ("to_issue", N_("Văn bản chờ phát hành"))],
    Role.LEADER: [("to_direct", N_("Văn bản đến chờ bút phê")), ("to_sign", N_("Văn bản chờ ký")),
                  ("overdue", N_("Việc quá hạn")), ("meetings", N_("Cuộc họp sắp tới"))],
    Role.HEAD: [("content_review", N_("Dự thảo chờ duyệt")),
                ("to_assign", N_("Việc chờ phân công")),
                ("received", N_("Văn bản nội bộ gửi đến đơn vị")),
                ("meetings", N_("Cuộc họp sắp tới"))],
    Role.SPECIALIST: [("my_drafts", N_("Dự thảo của tôi")), ("my_work", N_("Văn bản chờ xử lý")),
                      ("received", N_("Văn bản nội bộ gửi đến đơn vị")),
                      ("meetings", N_("Cuộc họp sắp tới"))],
    Role.SECRETARY: [("meetings", N_("Cuộc họp sắp tới"))],
    Role.ADMIN: [("users", N_("Người dùng")), ("audit", N_("Nhật ký gần đây"))],
    Role.SYSADMIN: [("agencies", N_("Cơ quan"))],
}

_providers: dict[str, Provider] = {}


def panel_provider(key: str) -> Callable[[Provider], Provider]:
    def decorator(func: Provider) -> Provider:
        _providers[key] = func
        return func

    return decorator


def panels_for(user: Any) -> list[Panel]:
    panels: list[Panel] = []
    seen: set[str] = set()
    for role in Role:
        if role not in user.roles:
            continue
        for key, title in ROLE_PANELS[role]:
            if key in seen:
                continue
            seen.add(key)
            items = _providers[key](user) if key in _providers else []
            panels.append(Panel(key=key, title=title, items=items, count=len(items)))
    _mark_new(user, panels)
    for panel in panels:  # urgent first, then what is new to the user
        panel.items = sorted(panel.items, key=lambda i: (not i.urgent, not i.new))[:10]
    return panels


def _mark_new(user: Any, panels: list[Panel]) -> None:
    """Flag the items new to the user (one batch for every panel) and count them."""
    from eoffice.db import db
    from eoffice.documents.reads import new_documents

    fresh = new_documents(db.session, user, {item.document_id for panel in panels
                                             for item in panel.items if item.document_id})
    for panel in panels:
        for item in panel.items:
            item.new = item.document_id in fresh
        panel.new_count = sum(item.new for item in panel.items)
