"""Liên thông: exchange of documents between agencies (SPEC §6).

``register(app)`` plugs in the exchange inbox (web + API), the delivery panel of the
outgoing document page, the hooks on dispatch and recall, and the automatic status reports
of received documents (see ``eoffice/features.py``).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from eoffice import hooks
    from eoffice.auth.models import Role
    from eoffice.exchange import progress, views, wiring
    from eoffice.exchange.api import bp as api_bp
    from eoffice.exchange.views import bp as web_bp
    from eoffice.extensions import csrf
    from eoffice.web.nav import add_nav

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    progress.install()
    hooks.dispatched.connect(wiring.on_dispatched)
    hooks.recalled.connect(wiring.on_recalled)
    from eoffice.exchange import deliveries, hub, tasks  # noqa: F401 - background tasks

    deliveries.remote_status.connect(hub.send_status)
    app.jinja_env.globals["exchange_deliveries"] = wiring.deliveries_for_page
    app.jinja_env.globals["exchange_agencies"] = wiring.agencies_for_dispatch
    app.jinja_env.globals["exchange_status_label"] = wiring.deliveries.status_label
    add_nav(app, "Văn bản điện tử chờ tiếp nhận", "exchange.inbox", {Role.CLERK}, order=12,
            new=views.new_deliveries)
    add_nav(app, "Thống kê liên thông", "exchange.statistics", {Role.LEADER}, order=60)
