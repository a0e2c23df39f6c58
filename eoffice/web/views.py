"""Home and dashboard."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from eoffice.auth.models import CLEARANCE_LABELS, ROLE_LABELS
from eoffice.permissions import authenticated, public
from eoffice.web.dashboard import panels_for
from eoffice.web.transaction import read_only

bp = Blueprint("web", __name__)


@bp.route("/")
@public
@read_only
def index():
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@authenticated
@read_only
def dashboard():
    return render_template(
        "dashboard.html",
        panels=panels_for(current_user),
        role_labels=ROLE_LABELS,
        clearance_labels=CLEARANCE_LABELS,
    )


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
