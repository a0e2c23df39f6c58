"""Dashboard panels per role. Domain modules add providers with ``panel_provider``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eoffice.auth.models import Role


@dataclass
class PanelItem:
    title: str
    url: str
    subtitle: str = ""
    urgent: bool = False
    badge: str = ""


@dataclass
class Panel:
    key: str
    title: str
    items: list[PanelItem] = field(default_factory=list)
    count: int = 0
    url: str | None = None


Provider = Callable[[Any], list[PanelItem]]

# (role, key, title, more-link endpoint): the panels each role sees, in order.
ROLE_PANELS: dict[Role, list[tuple[str, str]]] = {
    Role.CLERK: [("recent_incoming", "Văn bản đến vừa vào sổ"),
                 ("format_review", "Dự thảo chờ kiểm tra thể thức"),
                 ("to_issue", "Văn bản chờ phát hành")],
    Role.LEADER: [("to_direct", "Văn bản đến chờ bút phê"), ("to_sign", "Văn bản chờ ký"),
                  ("overdue", "Việc quá hạn"), ("meetings", "Cuộc họp sắp tới")],
    Role.HEAD: [("content_review", "Dự thảo chờ duyệt"), ("to_assign", "Việc chờ phân công"),
                ("received", "Văn bản nội bộ gửi đến đơn vị"), ("meetings", "Cuộc họp sắp tới")],
    Role.SPECIALIST: [("my_drafts", "Dự thảo của tôi"), ("my_work", "Văn bản chờ xử lý"),
                      ("received", "Văn bản nội bộ gửi đến đơn vị"),
                      ("meetings", "Cuộc họp sắp tới")],
    Role.SECRETARY: [("meetings", "Cuộc họp sắp tới")],
    Role.ADMIN: [("users", "Người dùng"), ("audit", "Nhật ký gần đây")],
    Role.SYSADMIN: [("agencies", "Cơ quan")],
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
            items.sort(key=lambda item: not item.urgent)  # urgent first
            panels.append(Panel(key=key, title=title, items=items[:10], count=len(items)))
    return panels
