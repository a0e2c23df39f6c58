"""Web pages of outgoing documents: lists per state, new draft, document page with PDF
preview, history and signature panel, actions, batch signing, the register."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from eoffice import untrusted
from eoffice.auth.models import Department, Role, User, in_agency
from eoffice.db import db
from eoffice.documents import reads, serving
from eoffice.documents.models import Document, Urgency
from eoffice.documents.operations import history_of
from eoffice.errors import AppError, Invalid, NotFound
from eoffice.extensions import file_store
from eoffice.i18n import N_
from eoffice.i18n import gettext as _
from eoffice.outgoing import authority as authority_rules
from eoffice.outgoing import (
    common,
    dispatch,
    drafting,
    editing,
    forms,
    issuance,
    register_book,
    review,
    signature,
)
from eoffice.outgoing.common import MACHINE
from eoffice.outgoing.drafting import DRAFTER_ROLES, REGISTERS, SIGNER_ROLES
from eoffice.params import year_arg
from eoffice.permissions import authenticated, roles
from eoffice.rendering import DOCUMENT_TYPES
from eoffice.settings import classified_files, clock, signing_settings
from eoffice.storage import DOCX, PDF
from eoffice.web.files import send
from eoffice.web.transaction import flash_error, read_only

bp = Blueprint("outgoing", __name__, url_prefix="/outgoing")
REGISTER_ROLES = (Role.CLERK, Role.LEADER, Role.ADMIN)


def _list_query(view: str) -> Any:
    user = current_user
    query = common.outgoing_query(user)
    if view == "mine":
        return query.where(Document.created_by_id == user.id,
                           Document.state.in_(["draft", "content_review", "format_review",
                                               "ready_to_sign"]))
    if view == "to_sign":  # the clerk follows every signature; a signer sees theirs
        if user.has_role(Role.CLERK):
            return query.where(Document.state == "ready_to_sign")
        return common.to_sign_query(user)
    if view == "to_issue":
        return query.where(Document.state == "signed")
    if view == "issued":
        return query.where(Document.state.in_(["issued", "dispatched", "recalled"]))
    return query.where(Document.state == view)


@bp.route("/")
@roles(Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.CLERK)
@read_only
def index():
    view = request.args.get("view", "mine")
    if view not in forms.VIEWS:
        view = "mine"
    query = _list_query(view)
    # what waits for my signature is never cut off; other lists show the latest 200
    documents = db.session.scalars(query if view == "to_sign" else query.limit(200)).all()
    notices = dispatch.notifications_for(db.session, current_user)
    return render_template("outgoing/index.html", documents=documents, view=view,
                           views=forms.VIEWS, labels=MACHINE.states, notices=notices,
                           may_draft=current_user.has_role(*DRAFTER_ROLES))


@bp.route("/received")
@authenticated
@read_only
def received():
    """The department's inbox of documents dispatched to it (and recall notices)."""
    documents = db.session.scalars(dispatch.received_query(current_user).limit(200)).all()
    notices = dispatch.notifications_for(db.session, current_user)
    return render_template("outgoing/index.html", documents=documents, view="received",
                           views={}, labels=MACHINE.states, notices=notices, may_draft=False,
                           title="Văn bản nội bộ gửi đến đơn vị")


def _signers() -> list[User]:
    return [u for u in db.session.scalars(sa.select(User).where(
                User.active.is_(True), in_agency(current_user.agency_id))
                .order_by(User.full_name))
            if u.has_role(*SIGNER_ROLES)]


def _signer_choices(form: Any) -> dict[str, Any]:
    """Signers with their usual authority, the authority choices and the one selected."""
    signers = _signers()
    agency = current_user.department.agency
    defaults = {u.username: authority_rules.default_for(u, agency, signers) for u in signers}
    options = authority_rules.choices(agency, signers)
    if form.get("authority") is not None:
        selected = authority_rules.normalise(form.get("authority"))
    else:
        chosen = form.get("signer") or (signers[0].username if signers else "")
        selected = defaults.get(chosen, "")
    if selected not in {value for value, _ in options}:
        options.append((selected, selected))
    return {"signers": signers, "authority_defaults": defaults,
            "authority_options": options, "authority_selected": selected}


def _uploaded() -> tuple[drafting.PreparedUpload | None, str]:
    """The chosen file through the untrusted-file pipeline, converted and prepared before
    any write (FileRefused, Invalid: shown as the form's error)."""
    file = untrusted.check_upload(request.files.get("file"), accepted={PDF, DOCX})
    if file is None:
        return None, ""
    return drafting.prepare_upload(file), file.filename


@bp.route("/new", methods=["GET", "POST"])
@roles(*DRAFTER_ROLES)
def new():
    form = request.form
    status = 200
    if request.method == "POST":
        try:
            data, filename = _uploaded()
            document = drafting.create_draft(db.session, file_store(), current_user,
                                        forms.draft_input(form), upload=data,
                                        filename=filename,
                                        classified_files=classified_files())
        except AppError as exc:
            flash_error(exc)
            status = exc.status
        else:
            flash(_("Đã tạo dự thảo. Hãy xem bản PDF rồi trình duyệt."), "success")
            return redirect(url_for("outgoing.show", document_id=document.id))
    return render_template("outgoing/new.html", types=DOCUMENT_TYPES,
                           urgencies=[u.value for u in Urgency], form=form,
                           **_signer_choices(form)), status


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@authenticated
def edit(document_id: int):
    """The draft form pre-filled, for the drafter while the document is a draft."""
    document = common.get_outgoing(db.session, current_user, document_id)
    editing.ensure_editable(document, current_user)
    form: Any = editing.form_values(document)
    reads.mark_seen(db.session, current_user, reads.DOCUMENT, [document.id])
    status = 200
    if request.method == "POST":
        form = request.form
        try:
            data, filename = _uploaded()
            editing.edit_draft(db.session, file_store(), document, current_user,
                           forms.draft_input(form), upload=data, filename=filename)
        except AppError as exc:
            flash_error(exc)
            status = exc.status
        else:
            flash(_("Đã lưu dự thảo. Hãy xem lại bản PDF rồi trình duyệt."), "success")
            return redirect(url_for("outgoing.show", document_id=document_id))
    return render_template("outgoing/new.html", types=DOCUMENT_TYPES,
                           urgencies=[u.value for u in Urgency], form=form, doc=document,
                           **_signer_choices(form),
                           rejection=editing.last_rejection(db.session, document),
                           labels=MACHINE.states), status


@bp.route("/<int:document_id>")
@authenticated
def show(document_id: int):
    document = common.get_outgoing(db.session, current_user, document_id)
    serving.viewed(db.session, current_user, document)
    reads.mark_seen(db.session, current_user, reads.DOCUMENT, [document.id])
    actions = common.available_actions(db.session, document, current_user)
    history = history_of(db.session, document, MACHINE.name)
    departments = db.session.scalars(sa.select(Department).where(
        Department.agency_id == document.department.agency_id)
        .order_by(Department.abbreviation)).all()
    dispatched = dispatch.dispatches_of(db.session, document)
    has_docx = editing.current_docx(document) is not None
    body = render_template("outgoing/show.html", doc=document, actions=actions,
                           history=history, labels=MACHINE.states, departments=departments,
                           dispatched=dispatched, has_docx=has_docx,
                           may_edit=editing.may_edit(document, current_user),
                           validation=(document.extra or {}).get("validation"),
                           signatures=(document.extra or {}).get("signatures") or [])
    return body


@bp.route("/<int:document_id>/<action>", methods=["POST"])
@authenticated
def act(document_id: int, action: str):
    if action not in forms.ACTIONS:
        raise NotFound("Không có thao tác này.")
    document = common.get_outgoing(db.session, current_user, document_id)
    form = request.form
    comment = form.get("comment", "")
    try:
        if action == "submit":
            review.submit(db.session, document, current_user, comment)
        elif action == "approve":
            review.approve(db.session, document, current_user, comment)
        elif action == "reject":
            review.reject(db.session, document, current_user, comment)
        elif action == "sign":
            signature.sign(db.session, file_store(), document, current_user,
                     settings=signing_settings(), **forms.secret(form))
        elif action == "issue":
            issuance.issue(db.session, file_store(), document, current_user,
                      settings=signing_settings(), clock=clock(), **forms.secret(form))
        elif action == "dispatch":
            dispatch.dispatch(db.session, document, current_user, forms.recipients(form))
        elif action == "recall":
            if not comment.strip() or form.get("confirm") != "1":
                raise Invalid("Hãy ghi lý do thu hồi và đánh dấu xác nhận trước khi thu hồi.")
            dispatch.recall(db.session, document, current_user, comment)
    except AppError as exc:
        if exc.status == 404:
            raise
        flash_error(exc)
        return redirect(url_for("outgoing.show", document_id=document_id))
    flash(_done_message(action, document), "success")
    return redirect(url_for("outgoing.show", document_id=document_id))


def _done_message(action: str, document: Document) -> str:
    """What just happened, in the words of the one who did it."""
    state = _(MACHINE.label(document.state))
    messages = {
        "submit": N_("Đã trình duyệt. Dự thảo chờ trưởng phòng duyệt nội dung."),
        "approve": N_("Đã duyệt. Văn bản chuyển sang bước: %(state)s."),
        "reject": N_("Đã trả lại dự thảo cho người soạn kèm ý kiến của bạn."),
        "sign": N_("Đã ký số. Văn thư sẽ cho số, đóng dấu và ban hành."),
        "issue": N_("Đã ban hành văn bản số %(code)s."),
        "dispatch": N_("Đã phát hành văn bản đến các nơi nhận."),
        "recall": N_("Đã thu hồi văn bản; các nơi đã nhận được thông báo."),
    }
    message = messages.get(action, N_("Đã thực hiện. Trạng thái: %(state)s."))
    return _(message, state=state, code=document.code)  # each message uses what it needs


@bp.route("/<int:document_id>/docx")
@authenticated
def docx(document_id: int):
    document = common.get_outgoing(db.session, current_user, document_id)
    return send(serving.docx_file(db.session, file_store(), current_user, document,
                                  editing.current_docx(document)), as_attachment=True)


@bp.route("/sign-batch", methods=["GET", "POST"])
@roles(*SIGNER_ROLES)
def sign_batch():
    if request.method == "POST":
        ids = request.form.getlist("ids")
        try:
            done = signature.sign_batch(db.session, file_store(), ids, current_user,
                                  settings=signing_settings(), **forms.secret(request.form))
        except AppError as exc:
            flash_error(exc)
        else:
            flash(_("Đã ký %(n)s văn bản.", n=len(done)), "success")
            return redirect(url_for("outgoing.sign_batch"))
    documents = db.session.scalars(common.to_sign_query(current_user)).all()
    return render_template("outgoing/sign_batch.html", documents=documents)


def _register_args() -> tuple[int, str]:
    year = year_arg(default=clock()().year)
    name = request.args.get("register") or "di"
    if name not in REGISTERS:
        raise NotFound("Không có sổ này.")
    return year, name


@bp.route("/register")
@roles(*REGISTER_ROLES)
@read_only
def register():
    year, name = _register_args()
    documents = register_book.register_documents(db.session, current_user, year, name)
    rows = register_book.register_rows(db.session, documents)
    return render_template("outgoing/register.html", year=year, register=name,
                           registers=REGISTERS, rows=list(zip(documents, rows, strict=True)))


@bp.route("/register.pdf")
@roles(*REGISTER_ROLES)
def register_pdf():
    year, name = _register_args()
    pdf = register_book.register_pdf(db.session, current_user, year, name)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf",
                     download_name=f"so-van-ban-di-{year}.pdf")


@bp.route("/register.xlsx")
@roles(*REGISTER_ROLES)
def register_xlsx():
    year, name = _register_args()
    data = register_book.register_xlsx(db.session, current_user, year, name)
    return send_file(io.BytesIO(data), mimetype="application/vnd.openxmlformats-officedocument."
                                                 "spreadsheetml.sheet",
                     as_attachment=True, download_name=f"so-van-ban-di-{year}.xlsx")
