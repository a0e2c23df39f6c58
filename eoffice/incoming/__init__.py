"""Incoming documents: registration with signature check, direction (bút phê), handling with
deadlines, inboxes, registers and statistics (issue 6).

Kept import-light.
"""

from __future__ import annotations

from typing import Any


def register(app: Any) -> None:
    """Blueprints (web + API), navigation entries and dashboard panels."""
    from eoffice.auth.models import Role
    from eoffice.extensions import csrf
    from eoffice.incoming import deadlines, demo, panels  # noqa: F401 - sweep, hook, panels
    from eoffice.incoming.api import bp as api_bp
    from eoffice.incoming.views import bp as web_bp
    from eoffice.web.nav import add_nav

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    add_nav(app, "Văn bản đến", "incoming.index", None, order=20, new=panels.new_incoming)
    add_nav(app, "Vào sổ văn bản đến", "incoming.new", {Role.CLERK}, order=21)
    add_nav(app, "Sổ văn bản đến", "incoming.registers", {Role.CLERK, Role.LEADER, Role.HEAD},
            order=22)
    add_nav(app, "Thống kê văn bản đến", "incoming.statistics", {Role.LEADER}, order=60)
