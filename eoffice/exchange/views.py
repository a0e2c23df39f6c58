"""Web pages of the exchange: the clerk's inbox of electronic documents waiting to be
accepted ("Văn bản điện tử chờ tiếp nhận"), accept/refuse, recall answers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eoffice.auth.models import Role, User
from eoffice.db import db
from eoffice.documents import reads
from eoffice.documents.models import URGENCY_LABELS, Urgency
from eoffice.errors import AppError
from eoffice.exchange import deliveries, service
from eoffice.i18n import gettext as _
from eoffice.permissions import roles
from eoffice.web.transaction import flash_error, read_only

bp = Blueprint("exchange", __name__, url_prefix="/exchange")


@bp.route("/inbox")
@roles(Role.CLERK)
def inbox():
    """The waiting deliveries; those the clerk has not seen before are marked "Mới" on
    this visit (and are seen from now on)."""
    waiting = deliveries.inbox(db.session, current_user, statuses=("01",))
    recalls = deliveries.inbox(db.session, current_user, statuses=("13",))
    shown = [d.id for d in waiting + recalls]
    fresh = reads.unseen(db.session, current_user, reads.DELIVERY, shown)
    page = render_template("exchange/inbox.html", waiting=waiting, recalls=recalls,
                           label=deliveries.status_label, urgency_labels=URGENCY_LABELS,
                           Urgency=Urgency, fresh=fresh)
    reads.mark_seen(db.session, current_user, reads.DELIVERY, fresh)
    return page


def new_deliveries(user: User) -> int:
    waiting = deliveries.inbox(db.session, user, statuses=("01", "13"))
    return len(reads.unseen(db.session, user, reads.DELIVERY, [d.id for d in waiting]))


@bp.route("/inbox/<int:delivery_id>/<action>", methods=["POST"])
@roles(Role.CLERK)
def act(delivery_id: int, action: str):
    delivery = deliveries.get_received(db.session, current_user, delivery_id)
    reason = (request.form.get("reason") or "").strip()[:2000]
    try:
        if action == "accept":
            document = deliveries.accept(db.session, delivery, current_user,
                                         service.registrar(db.session, current_user))
            message = _("Đã tiếp nhận và vào sổ văn bản đến, số đến %(n)s.",
                        n=document.arrival_number)
        elif action == "refuse":
            deliveries.refuse(db.session, delivery, current_user, reason)
            message = _("Đã từ chối tiếp nhận; nơi gửi đã được báo lý do.")
        elif action in ("accept_recall", "refuse_recall"):
            deliveries.answer_recall(db.session, delivery, current_user,
                                     agree=action == "accept_recall", reason=reason)
            message = (_("Đã đồng ý cho nơi gửi lấy lại văn bản.") if action == "accept_recall"
                       else _("Đã từ chối lấy lại; nơi gửi đã được báo lý do."))
        else:
            from eoffice.errors import NotFound

            raise NotFound("Không có thao tác này.")
    except AppError as exc:
        if exc.status == 404:
            raise
        flash_error(exc)
        return redirect(url_for("exchange.inbox"))
    flash(message, "success")
    return redirect(url_for("exchange.inbox"))


@bp.route("/import", methods=["POST"])
@roles(Role.CLERK)
def import_package():
    """Nhập gói tin .edxml nhận được (by hand): into the inbox, or quarantined."""
    from eoffice.exchange import transfer

    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            from eoffice.errors import Invalid

            raise Invalid("Hãy chọn tệp .edxml để nhập.", code="missing_file")
        outcome = transfer.import_upload(db.session, current_user, upload)
    except AppError as exc:
        flash_error(exc)
        return redirect(url_for("exchange.inbox"))
    if outcome.outcome == "quarantined":
        flash(_("Gói tin bị cách ly, không được tiếp nhận: %(reason)s", reason=outcome.reason),
              "error")
    elif outcome.outcome == "duplicate":
        flash(_("Gói tin này đã được nhập trước đó."), "info")
    else:
        flash(_("Đã nhập gói tin vào danh sách chờ tiếp nhận."), "success")
    return redirect(url_for("exchange.inbox"))


@bp.route("/quarantine")
@roles(Role.CLERK, Role.ADMIN)
@read_only
def quarantine():
    """Packages refused (bad or untrusted signature, hostile XML…), with their reasons."""
    from eoffice.exchange import transfer

    rows = transfer.quarantined(db.session, current_user)
    return render_template("exchange/quarantine.html", rows=rows)


@bp.route("/statistics")
@roles(Role.LEADER, Role.CLERK)
@read_only
def statistics():
    """Thống kê liên thông: per recipient agency, for leaders."""
    from eoffice.exchange import statistics as stats
    from eoffice.params import year_arg

    year = year_arg()
    data = stats.as_json(stats.per_agency(db.session, current_user, year))
    return render_template("exchange/statistics.html", data=data, year=year)
