"""Web pages: blueprints, dashboard, error pages."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from eoffice.admin.views import bp as admin_bp
    from eoffice.auth.models import Role
    from eoffice.auth.views import bp as auth_bp
    from eoffice.web import transaction
    from eoffice.web.errors import register_error_handlers
    from eoffice.web.nav import add_nav
    from eoffice.web.views import bp as web_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(admin_bp)
    from eoffice.admin.web import bp as accounts_bp

    app.register_blueprint(accounts_bp)
    from eoffice.documents.verify import bp as verify_bp
    from eoffice.documents.views import bp as documents_bp

    app.register_blueprint(documents_bp)
    app.register_blueprint(verify_bp)
    add_nav(app, "Kiểm tra chữ ký", "verify.page", None, order=80)
    add_nav(app, "Quản trị", "accounts.home", {Role.ADMIN, Role.SYSADMIN}, order=89)
    add_nav(app, "Cơ quan", "accounts.agencies", {Role.SYSADMIN}, order=90)
    add_nav(app, "Người dùng", "accounts.users", {Role.ADMIN}, order=90)
    add_nav(app, "Nhật ký", "admin.audit_log", {Role.ADMIN}, order=91)
    register_error_handlers(app)
    from eoffice.web.display import init_display

    init_display(app)
    transaction.init_app(app)
    from eoffice.web.headers import init_security_headers

    init_security_headers(app)
