"""Web login, logout, password change and language choice."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from eoffice.audit import operations as audit
from eoffice.auth import operations, web_session
from eoffice.auth.forms import LoginForm, PasswordForm
from eoffice.db import db
from eoffice.extensions import gettext as _
from eoffice.permissions import authenticated, public

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = operations.authenticate(
                db.session, form.username.data, form.password.data, request.remote_addr or "-",
                **operations.throttle_settings(current_app.config))
        except operations.TooManyAttempts as exc:
            flash(_(operations.THROTTLE_MESSAGE, minutes=exc.minutes), "error")
            status = 429
        except operations.AuthError as exc:
            flash(_(str(exc)), "error")
            status = 401
        else:
            web_session.start(user)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    audit.append(db.session, "logout", actor=current_user)
    web_session.end()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(db.session, current_user, form.current.data, form.new.data)
        except operations.AuthError as exc:
            flash(_(str(exc)), "error")
        else:
            # Every session and token of the user has ended: this browser gets a new one.
            web_session.start(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("web.dashboard"))
    return render_template("auth/password.html", form=form)


@bp.route("/language/<lang>", methods=["POST"])
@public
def language(lang: str):
    if lang not in {"vi", "en"}:  # CSRF is checked for every POST by CSRFProtect
        abort(400)
    session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
