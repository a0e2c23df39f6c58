"""Extensions bound to the app: database, login, CSRF, file store, access enforcement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from eoffice.db import db
from eoffice.errors import Forbidden
from eoffice.i18n import (  # re-exported: callers import them here
    N_,
    current_language,
    gettext,
    init_i18n,
)
from eoffice.permissions import rule_of
from eoffice.storage import FileStore

login_manager = LoginManager()
csrf = CSRFProtect()
PUBLIC_ENDPOINTS = {"static"}
FIRST_LOGIN_ENDPOINTS = {"auth.password", "auth.logout"}
"""What a user with a one-time password may reach before choosing their own."""


def init_app(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)
    init_i18n(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = gettext
    app.extensions["eoffice.files"] = _open_store(app)
    from eoffice import background

    background.init_app(app)

    from eoffice.auth.models import User

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        from eoffice.auth.web_session import load_session_user

        return load_session_user(user_id)

    app.before_request(_enforce_access)
    app.add_template_filter(local_time, "local")

    @app.context_processor
    def _inject() -> dict[str, Any]:
        from eoffice.web.nav import nav_items

        return {"language": current_language(), "nav_items": nav_items}


def _open_store(app: Flask) -> FileStore:
    """The store of ``STORAGE_URL`` (default: the instance's ``files`` folder)."""
    from eoffice.config import ConfigError
    from eoffice.storage import open_store
    from eoffice.storage_s3 import StorageError

    try:
        return open_store(app.config.get("STORAGE_URL"), Path(app.instance_path))
    except (ValueError, StorageError) as exc:
        raise ConfigError(str(exc)) from None


def file_store() -> FileStore:
    return current_app.extensions["eoffice.files"]


def acting_user() -> Any:
    """The user behind this request: API token user or the session user (or None)."""
    # outside a request (the demo's set-up, CLI) flask-login's proxy resolves to None
    user = g.get("api_user") or current_user
    return user if getattr(user, "is_authenticated", False) else None


def bearer_token() -> str:
    """The API token of this request's ``Authorization: Bearer`` header ('' without one)."""
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip()[:512] if header.startswith("Bearer ") else ""


def _enforce_access() -> Any:
    """Run the view's declared access rule; a route without one is refused (fail closed)."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    rule = rule_of(view)
    if rule is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        abort(404)
    if not rule.login_required:
        return None
    is_api = request.path.startswith("/api/")
    if is_api:
        from eoffice.auth.operations import user_for_token

        token = bearer_token()
        user = user_for_token(db.session, token) if token else None
        if user is None:
            abort(401)
        if user.must_change_password:
            raise Forbidden("Bạn cần đổi mật khẩu dùng một lần trước khi dùng API.",
                            code="password_change_required")
        g.api_user = user
    elif not current_user.is_authenticated:
        return login_manager.unauthorized()
    elif current_user.must_change_password and request.endpoint not in FIRST_LOGIN_ENDPOINTS:
        from flask import redirect, url_for

        return redirect(url_for("auth.password"))
    user = acting_user()
    if rule.roles and not user.has_role(*rule.roles):
        abort(403)
    return None


def local_time(value: Any) -> Any:
    """A stored (naive UTC) timestamp in the agency's time zone, for display."""
    from datetime import UTC

    from eoffice.clock import agency_zone

    if value is None or getattr(value, "tzinfo", None) is not None:
        return value
    return value.replace(tzinfo=UTC).astimezone(agency_zone(current_app.config))
