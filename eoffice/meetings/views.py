"""Web pages of paperless meetings: inbox and calendar list, new meeting, meeting page
(agenda editor, materials picker, signing, distribution, read receipts, minutes), files."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eoffice import untrusted
from eoffice.auth.models import Department, Role, User, in_agency
from eoffice.db import db
from eoffice.documents.models import Direction, Document
from eoffice.documents.operations import visible_documents
from eoffice.errors import AppError
from eoffice.extensions import file_store
from eoffice.i18n import N_
from eoffice.i18n import gettext as _
from eoffice.meetings import access, distribution, forms, materials, notify, planning, serving
from eoffice.meetings import minutes as minutes_ops
from eoffice.meetings.access import MACHINE
from eoffice.meetings.materials import SIGNED_OUTGOING
from eoffice.meetings.models import MEETING_KINDS, MINUTES_STATES, Meeting
from eoffice.permissions import authenticated, roles
from eoffice.settings import signing_settings, today
from eoffice.signing_services import Secret
from eoffice.storage import DOCX, PDF
from eoffice.web.files import send
from eoffice.web.transaction import flash_error, read_only

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
WEEKDAYS = [N_("Thứ Hai"), N_("Thứ Ba"), N_("Thứ Tư"), N_("Thứ Năm"), N_("Thứ Sáu"),
            N_("Thứ Bảy"), N_("Chủ nhật")]


@bp.route("/")
@authenticated
@read_only
def index():
    meetings = db.session.scalars(access.visible_meetings(current_user).order_by(
        Meeting.starts_at).limit(300)).all()
    days = [(day, WEEKDAYS[day.weekday()], list(items))
            for day, items in groupby(meetings, key=lambda m: m.starts_at.date())]
    notices = notify.notifications_for(db.session, current_user, limit=20)
    return render_template("meetings/index.html", days=days, notices=notices,
                           labels=MACHINE.states,
                           may_create=current_user.has_role(Role.SECRETARY))


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.SECRETARY)
def new():
    leaders = [u for u in db.session.scalars(sa.select(User).where(
        User.active.is_(True), in_agency(current_user.agency_id)).order_by(User.full_name))
        if u.has_role(Role.LEADER)]
    departments = db.session.scalars(sa.select(Department).where(
        Department.agency_id == current_user.department.agency_id)
        .order_by(Department.name)).all()
    if request.method == "POST":
        try:
            meeting = planning.create_meeting(db.session, current_user,
                                         planning.MeetingInput.from_mapping(forms.meeting_form(
                                             request.form)))
            flash(_("Đã tạo cuộc họp. Hãy lập chương trình và thêm tài liệu."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
        except AppError as exc:
            flash_error(exc)
    people = [u for u in db.session.scalars(sa.select(User).where(
        User.active.is_(True), in_agency(current_user.agency_id)).order_by(User.full_name))
        if not u.roles <= {Role.ADMIN, Role.SYSADMIN}]  # by name, not by username
    return render_template("meetings/new.html", leaders=leaders, departments=departments,
                           people=people, kinds=MEETING_KINDS, form=request.form)


def _candidates(user: Any, meeting: Meeting) -> list[Document]:
    """Documents the secretary may add: visible, not classified, signed or issued."""
    query = visible_documents(user).where(
        Document.secrecy == "none", Document.current_file_sha.is_not(None),
        sa.or_(sa.and_(Document.direction == Direction.OUTGOING,
                       Document.state.in_(sorted(SIGNED_OUTGOING))),
               Document.direction == Direction.INCOMING))
    taken = {m.document_id for m in materials.active_materials(meeting)}
    docs = db.session.scalars(query.order_by(Document.id.desc()).limit(200)).all()
    return [d for d in docs if materials.is_signed_or_issued(d) and d.id not in taken]


@bp.route("/<int:meeting_id>")
@authenticated
def show(meeting_id: int):
    user = current_user
    meeting = access.get_meeting(db.session, user, meeting_id)
    role = access.role_in(db.session, meeting, user)
    notify.record_opening(db.session, meeting, user)
    materials.withdraw_classified(db.session, meeting)
    minutes = minutes_ops.minutes_of(db.session, meeting)
    context = dict(
        meeting=meeting, role=role, labels=MACHINE.states, actions=access.available(
            db.session, meeting, user),
        materials=meeting.materials if role == "secretary" else materials.active_materials(meeting),
        candidates=_candidates(user, meeting) if role == "secretary" else [],
        openings=notify.openings(db.session, meeting) if role == "secretary" else [],
        participants=access.participant_users(db.session, meeting) if role == "secretary" else [],
        minutes=minutes, minutes_labels=MINUTES_STATES,
        may_read_minutes=minutes_ops.may_read_minutes(minutes, role),
        agenda_text=forms.agenda_text(meeting.agenda_items),
        validation=(meeting.extra or {}).get("agenda_validation"))
    return render_template("meetings/show.html", **context)


def _act(meeting_id: int, action: Callable[[Meeting], Any], success: str) -> Any:
    """Load the meeting, run the operation, commit once; errors become a flash message."""
    meeting = access.get_meeting(db.session, current_user, meeting_id)
    try:
        action(meeting)
        flash(_(success), "success")
    except AppError as exc:
        flash_error(exc)
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


def _secret() -> Secret:
    return {"passphrase": request.form.get("passphrase") or None,
            "pin": request.form.get("pin") or None}


@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@roles(Role.SECRETARY)
def set_agenda(meeting_id: int):
    items = forms.agenda_items(request.form.get("agenda", ""))
    return _act(meeting_id, lambda m: planning.set_agenda(db.session, file_store(), m, current_user,
                                                          items, today=today()),
                N_("Đã lập chương trình và tạo giấy mời (PDF); chờ người chủ trì ký."))


@bp.route("/<int:meeting_id>/materials", methods=["POST"])
@roles(Role.SECRETARY)
def add_material(meeting_id: int):
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        access.get_meeting(db.session, current_user, meeting_id)  # 404 before any file work
        # the pipeline before any write; a refused file answers a 4xx error page
        file = untrusted.check_upload(upload, accepted={PDF, DOCX})
        return _act(meeting_id, lambda m: materials.add_working_paper(
            db.session, file_store(), m, current_user, file, upload.filename or ""),
            N_("Đã thêm tài liệu tham khảo."))
    document_id = request.form.get("document_id", "")
    return _act(meeting_id, lambda m: materials.add_document(db.session, m, current_user,
                                                       document_id),
                N_("Đã thêm văn bản vào tài liệu cuộc họp."))


@bp.route("/<int:meeting_id>/materials/<int:material_id>/withdraw", methods=["POST"])
@roles(Role.SECRETARY)
def withdraw_material(meeting_id: int, material_id: int):
    return _act(meeting_id, lambda m: materials.remove(db.session, m, current_user, material_id),
                N_("Đã rút tài liệu khỏi cuộc họp."))


@bp.route("/<int:meeting_id>/sign", methods=["POST"])
@authenticated
def sign_agenda(meeting_id: int):
    secret = _secret()
    return _act(meeting_id, lambda m: distribution.sign_agenda(
        db.session, file_store(), m, current_user, settings=signing_settings(), **secret),
        N_("Đã ký số chương trình cuộc họp."))


@bp.route("/<int:meeting_id>/distribute", methods=["POST"])
@roles(Role.SECRETARY)
def distribute(meeting_id: int):
    return _act(meeting_id, lambda m: distribution.distribute(db.session, m, current_user),
                N_("Đã gửi giấy mời và tài liệu đến các thành phần tham dự."))


@bp.route("/<int:meeting_id>/update", methods=["POST"])
@roles(Role.SECRETARY)
def update(meeting_id: int):
    form = request.form
    return _act(meeting_id, lambda m: planning.update_details(
        db.session, m, current_user, starts_at=form.get("starts_at"),
        ends_at=form.get("ends_at"), location=form.get("location")),
        N_("Đã cập nhật cuộc họp; người dự họp được thông báo."))


@bp.route("/<int:meeting_id>/hold", methods=["POST"])
@authenticated
def hold(meeting_id: int):
    return _act(meeting_id, lambda m: distribution.hold(db.session, m, current_user),
                N_("Đã ghi nhận cuộc họp đã diễn ra."))


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@authenticated
def cancel(meeting_id: int):
    reason = request.form.get("reason", "")
    return _act(meeting_id, lambda m: distribution.cancel(db.session, m, current_user, reason),
                N_("Đã hủy cuộc họp."))


@bp.route("/<int:meeting_id>/minutes", methods=["POST"])
@roles(Role.SECRETARY)
def record_minutes(meeting_id: int):
    data = forms.minutes_form(request.form)
    return _act(meeting_id, lambda m: minutes_ops.record_minutes(db.session, file_store(), m,
                                                         current_user, data),
                N_("Đã lập biên bản (PDF); thư ký ký trước, sau đó người chủ trì ký."))


@bp.route("/<int:meeting_id>/minutes/sign", methods=["POST"])
@authenticated
def sign_minutes(meeting_id: int):
    secret = _secret()
    return _act(meeting_id, lambda m: minutes_ops.sign_minutes(
        db.session, file_store(), m, current_user, settings=signing_settings(), **secret),
        N_("Đã ký số biên bản."))


@bp.route("/<int:meeting_id>/minutes/distribute", methods=["POST"])
@roles(Role.SECRETARY)
def distribute_minutes(meeting_id: int):
    return _act(meeting_id, lambda m: minutes_ops.distribute_minutes(db.session, m, current_user),
                N_("Đã gửi biên bản đến người dự họp."))


@bp.route("/<int:meeting_id>/agenda.pdf")
@authenticated
def agenda(meeting_id: int):
    return send(serving.agenda(db.session, file_store(), current_user, meeting_id),
                as_attachment=request.args.get("download") == "1")


@bp.route("/<int:meeting_id>/materials/<int:material_id>")
@authenticated
def material(meeting_id: int, material_id: int):
    file = serving.material(db.session, file_store(), current_user, meeting_id, material_id)
    return send(file, as_attachment=request.args.get("download") == "1")


@bp.route("/<int:meeting_id>/minutes.pdf")
@authenticated
def minutes(meeting_id: int):
    return send(serving.minutes(db.session, file_store(), current_user, meeting_id),
                as_attachment=request.args.get("download") == "1")


@bp.route("/<int:meeting_id>/pack.zip")
@authenticated
def pack(meeting_id: int):
    return send(serving.pack(db.session, file_store(), current_user, meeting_id),
                as_attachment=True)
