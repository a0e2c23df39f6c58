"""Paperless meetings (họp không giấy): meetings, agenda signed by the chair, material packs
without classified documents, distribution, read receipts, signed minutes.

``register(app)`` plugs the web pages, the API, the navigation entry and the dashboard panel
into the app (see ``eoffice/features.py``), and withdraws a newly classified document from
the meeting packs (a receiver of ``eoffice.hooks.reclassified``).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from eoffice import hooks
    from eoffice.extensions import csrf
    from eoffice.meetings import panels, reclassify  # noqa: F401 (panel, listener)
    from eoffice.meetings.api import bp as api_bp
    from eoffice.meetings.views import bp as web_bp
    from eoffice.web.nav import add_nav

    hooks.reclassified.connect(reclassify.on_document_reclassified)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    add_nav(app, "Họp không giấy", "meetings.index", None, order=40)
