"""Outgoing documents (văn bản đi): drafting, review, signing, issuance, dispatch, register.

``register(app)`` plugs the web pages, the API, the navigation entry and the dashboard
panels into the app (see ``eoffice/features.py``).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from eoffice.auth.models import Role
    from eoffice.extensions import csrf
    from eoffice.outgoing import demo, panels  # noqa: F401 (hook and panel providers)
    from eoffice.outgoing.api import bp as api_bp
    from eoffice.outgoing.views import bp as web_bp
    from eoffice.web.nav import add_nav

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    if "documents_api" not in app.blueprints:
        # The foundation defines GET /api/v1/documents/{id} but does not register it yet.
        from eoffice.documents.api import bp as documents_api

        csrf.exempt(documents_api)
        app.register_blueprint(documents_api)
    add_nav(app, "Văn bản đi", "outgoing.index",
            {Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.CLERK}, order=20,
            new=panels.new_outgoing)
    add_nav(app, "Văn bản nội bộ đến", "outgoing.received", None, order=21,
            new=panels.new_received)
