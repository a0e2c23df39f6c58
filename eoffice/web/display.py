"""Words on screen: Jinja filters that turn stored codes into what a clerk reads.

``vntime`` (``15:42 29/11/2026``, agency time zone), ``vndate`` (``29/11/2026``),
``full_name`` (a username as the person's full name), ``coverage_label``,
``modification_label``, ``secrecy_label``, ``urgency_label`` and ``object_label`` (audit
object types: one table with the audit actions, :mod:`eoffice.admin.labels`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g

from eoffice.admin.labels import object_label
from eoffice.i18n import N_, gettext

COVERAGE_LABELS = {
    "entire_file": N_("toàn bộ tệp"),
    "entire_revision": N_("toàn bộ phiên bản đã ký (có phần bổ sung sau)"),
    "partial": N_("một phần tệp"),
}
MODIFICATION_LABELS = {
    "none": N_("không có"),
    "form_filling": N_("chỉ điền ô biểu mẫu (số, ngày) và ký tiếp"),
    "annotations": N_("thêm ghi chú"),
    "other": N_("có thay đổi nội dung"),
}
SECRECY_LABELS = {"none": N_("Thường"), "mat": N_("Mật"), "toi_mat": N_("Tối mật"),
                  "tuyet_mat": N_("Tuyệt mật")}
URGENCY_LABELS = {"thuong": N_("Thường"), "khan": N_("Khẩn"), "thuong_khan": N_("Thượng khẩn"),
                  "hoa_toc": N_("Hỏa tốc")}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("AGENCY_TIMEZONE", "Asia/Ho_Chi_Minh"))


def vntime(value: Any) -> str:
    """``15:42 29/11/2026`` in the agency's time zone (naive values are UTC; ISO strings too)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(_zone()).strftime("%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def vndate(value: Any) -> str:
    """``29/11/2026`` (a date, a datetime in the agency's zone, or an ISO string)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(_zone()).strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def full_name(username: Any) -> str:
    """The full name of a username (looked up once per request), else the value as given."""
    if not username:
        return "—"
    name = str(username)
    cache: dict[str, str] = g.setdefault("_full_names", {})
    if name not in cache:
        import sqlalchemy as sa

        from eoffice.auth.models import User
        from eoffice.db import db

        found = db.session.scalar(sa.select(User.full_name).where(User.username == name))
        cache[name] = found or name
    return cache[name]


def _code(value: Any) -> str:
    """The stored code of an enum member or a plain value."""
    return str(getattr(value, "value", value))


def init_display(app: Flask) -> None:
    filters: dict[str, Callable[[Any], str]] = {
        "vntime": vntime, "vndate": vndate, "full_name": full_name,
        "object_label": lambda v: object_label(str(v), gettext),
        "coverage_label": lambda v: COVERAGE_LABELS.get(str(v), str(v)),
        "modification_label": lambda v: MODIFICATION_LABELS.get(str(v), str(v)),
        "secrecy_label": lambda v: SECRECY_LABELS.get(_code(v), str(v)),
        "urgency_label": lambda v: URGENCY_LABELS.get(_code(v), str(v))}
    for name, func in filters.items():
        app.add_template_filter(func, name)
    app.jinja_env.globals["new_documents"] = new_documents_of


def new_documents_of(documents: Any) -> set[int]:
    """Template helper: the ids of the listed documents that are new to the current user
    (shown "Mới" until they open them)."""
    from flask_login import current_user

    from eoffice.db import db
    from eoffice.documents.reads import new_documents

    if not current_user.is_authenticated:
        return set()
    return new_documents(db.session, current_user, [d.id for d in documents])
