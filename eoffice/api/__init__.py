"""JSON API under /api/v1 (bearer tokens; no cookies, so no CSRF)."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    from eoffice.admin.api import api as accounts_api
    from eoffice.admin.views import api as admin_api
    from eoffice.api.core import bp as core_bp
    from eoffice.documents.api import bp as documents_api
    from eoffice.documents.verify import api as verify_api
    from eoffice.extensions import csrf

    for blueprint in (core_bp, admin_api, accounts_api, documents_api, verify_api):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
