"""Web pages: inboxes, registration form, document page with direction and handling,
registers (screen, PDF, XLSX) and statistics."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

import workflow
from eoffice import settings, signature_checks, untrusted
from eoffice.auth.models import CLEARANCE_LABELS, Department, Role, User, in_agency
from eoffice.db import db
from eoffice.documents import reads, serving
from eoffice.documents.models import URGENCY_LABELS, DocumentEvent, Urgency
from eoffice.errors import AppError, Invalid
from eoffice.extensions import file_store
from eoffice.i18n import N_
from eoffice.i18n import gettext as _
from eoffice.incoming import handling, inbox, registers, statistics
from eoffice.incoming.forms import (
    FIELD_LABELS,
    DirectionInput,
    IncomingInput,
    form_errors,
    parse_date,
    parse_int,
)
from eoffice.incoming.models import ROLE_LABELS
from eoffice.incoming.registration import (
    CLASSIFIED_REGISTER,
    GENERAL_REGISTER,
    REGISTER_LABELS,
    check_before_file,
    find_duplicates,
    prefill,
    register_incoming,
    return_to_sender,
)
from eoffice.params import year_arg
from eoffice.permissions import authenticated, roles
from eoffice.rendering.types import DOCUMENT_TYPES
from eoffice.web.transaction import read_only, undo

bp = Blueprint("incoming", __name__)
EVENT_LABELS = {("registration", "register"): N_("Vào sổ văn bản đến"),
                ("direction", "assign"): N_("Giao xử lý"), ("progress", "note"): N_("Báo cáo tiến "
                    "độ"),
                ("reminder", "remind"): N_("Đôn đốc")}
FORM_FIELDS = ["issuer_name", "issuer_id", "subject", "type_code", "code_number",
               "code_notation", "issued_date", "urgency", "secrecy", "due_date", "signer_name",
               "signer_position", "page_count", "description"]


HANDLER_ROLES = (Role.HEAD, Role.SPECIALIST)
"""People offered as handlers in a bút phê: those who handle work (not admins, the clerk or
the leaders who direct)."""


def _labels() -> dict[str, Any]:
    return {"urgency_labels": {u.value: lbl for u, lbl in URGENCY_LABELS.items()},
            "secrecy_labels": {c.value: lbl for c, lbl in CLEARANCE_LABELS.items()},
            "types": DOCUMENT_TYPES, "role_labels": ROLE_LABELS,
            "state_labels": workflow.INCOMING.states,
            "assignment_labels": workflow.ASSIGNMENT.states, "today": settings.today()}


def _event_label(event: DocumentEvent) -> str:
    if (event.machine, event.transition) in EVENT_LABELS:
        return EVENT_LABELS[(event.machine, event.transition)]
    machine = workflow.ASSIGNMENT if event.machine.startswith("assignment:") else \
        workflow.MACHINES.get(event.machine)
    if machine is None:
        return event.transition
    return next((t.label for t in machine.transitions if t.name == event.transition and t.label),
                event.transition)


@bp.route("/incoming")
@authenticated
@read_only
def index():
    user = current_user
    today = settings.today()
    sees_all = user.has_role(Role.CLERK, Role.LEADER)
    tab = request.args.get("tab") or ("all" if sees_all else "pending")
    counts = {t: len(inbox.inbox(db.session, user, t, today)) for t in inbox.TABS}
    if user.has_role(Role.LEADER):
        counts["to_direct"] = len(inbox.to_direct(db.session, user))
    if user.has_role(Role.HEAD):
        counts["to_assign"] = len(inbox.to_assign(db.session, user))
    if tab == "all":
        items = [inbox.WorkItem(d) for d in inbox.documents(db.session, user, limit=500)]
    elif tab == "to_direct" and user.has_role(Role.LEADER):
        items = [inbox.WorkItem(d) for d in inbox.to_direct(db.session, user)]
    elif tab == "to_assign" and user.has_role(Role.HEAD):
        items = inbox.to_assign(db.session, user)
    elif tab in inbox.TABS:
        items = inbox.inbox(db.session, user, tab, today)
    else:
        raise Invalid("Hộp việc không hợp lệ.")
    return render_template("incoming/index.html", items=items, tab=tab, tabs=inbox.TABS,
                           counts=counts, sees_all=sees_all, **_labels())


def _render_form(values: dict[str, Any], *, check: Any = None, file_sha: str = "",
                 duplicates: list[int] | None = None, error: str = "", status: int = 200,
                 guessed: list[str] | None = None, field_errors: dict[str, str] | None = None,
                 validation: dict[str, Any] | None = None):
    if validation is None and check is not None and check.report:
        validation = check.report.to_dict()
    return render_template(
        "incoming/new.html", values=values, validation=validation,
        file_sha=file_sha, duplicates=duplicates or [], error=error, guessed=guessed or [],
        field_labels=FIELD_LABELS, field_errors=field_errors or {},
        classified_files=settings.classified_files(), **_labels()), status


@bp.route("/incoming/new", methods=["GET", "POST"])
@roles(Role.CLERK)
def new():
    if request.method == "GET":
        return _render_form({"type_code": "CV", "urgency": "thuong", "secrecy": "none"})
    values = {k: request.form.get(k, "") for k in FORM_FIELDS}
    pending = request.form.get("file_sha", "")
    file: untrusted.AcceptedFile | None = None
    analysing = request.form.get("action") == "analyse"
    deferred = signature_checks.deferred(current_app)
    known: dict[str, Any] | None = None  # the verdict of this user's check step, same bytes
    try:
        # The pipeline first: a refused file is never stored, nor kept by the form. The
        # check step validates the signatures; registering leaves them to a worker when
        # deferred, and reuses the check step's verdict for the file it kept.
        file = untrusted.check_upload(request.files.get("file"), text=analysing,
                                      validate=analysing or not deferred,
                                      unsigned_verdict=True)
        kept = untrusted.load_pending(pending) if file is None else None
        if kept is not None:
            known = None if analysing else untrusted.pending_verdict(
                pending, current_user.id, kept)
            file = untrusted.check_upload(None, data=kept,
                                          filename=request.form.get("filename", ""),
                                          validate=analysing or (known is None and not deferred),
                                          text=analysing, unsigned_verdict=True)
        if analysing:
            if file is None:
                raise Invalid("Hãy chọn tệp PDF để kiểm tra.")
            guessed = []
            for key, value in prefill(file).items():
                untouched = not values.get(key) or (key == "type_code" and values[key] == "CV")
                if value and untouched:
                    values[key] = value
                    if key in FIELD_LABELS:
                        guessed.append(key)
            return _render_form(values, check=file, guessed=guessed,
                                file_sha=untrusted.keep_pending(file, owner=current_user.id))
        # Fields and secrecy before anything is written: every missing or wrong field named.
        if errors := form_errors(values):
            return _field_errors(values, errors, file, pending, known)
        parsed = IncomingInput.parse(values)
        check_before_file(current_user, parsed, has_file=file is not None,
                          classified_files=settings.classified_files())
        duplicates = find_duplicates(db.session, current_user, parsed.issuer_name,
                                     parsed.code_number, parsed.code_notation)
        if duplicates and not request.form.get("confirm_duplicate"):
            return _render_form(values, check=file, duplicates=duplicates, validation=known,
                                file_sha=untrusted.keep_pending(file, owner=current_user.id)
                                if file else "")
        result = register_incoming(
            db.session, file_store(), current_user, parsed, file=file,
            trust=settings.trust_material, classified_files=settings.classified_files(),
            today=settings.today(), defer_validation=deferred or known is not None,
            validated=known)
    except AppError as exc:
        undo(exc)
        untrusted.forget_pending(pending)  # the form forgets the file: choose it again
        message = exc.translated() if file is None or isinstance(exc, untrusted.FileRefused) \
            else exc.translated() + " " + _("(Hãy chọn lại tệp.)")
        return _render_form(values, error=message, status=exc.status)
    # the pending copy stays for a repeat (purged after a day)
    flash(_("Đã vào sổ văn bản đến, số đến %(n)s.", n=result.arrival_number), "success")
    return redirect(url_for("incoming.show", document_id=result.document_id))


def _field_errors(values: dict[str, Any], errors: dict[str, str],
                  file: untrusted.AcceptedFile | None, pending: str,
                  known: dict[str, Any] | None = None):
    """The form again (422) with each problem next to its field and in a summary; the
    chosen file is kept unless a classified document may not keep one."""
    keep = file is not None and (values.get("secrecy") in ("", "none")
                                 or settings.classified_files())
    if not keep:
        untrusted.forget_pending(pending)
    error = "" if keep or file is None else "Hãy chọn lại tệp."
    return _render_form(values, check=file if keep else None, field_errors=errors,
                        validation=known if keep else None,
                        file_sha=untrusted.keep_pending(file, owner=current_user.id)
                        if keep and file else "", error=error, status=422)


@bp.route("/incoming/<int:document_id>")
@authenticated
def show(document_id: int):
    user = current_user
    document = handling.get_incoming(db.session, user, document_id)
    assignments = handling.active_assignments(db.session, document)
    events = db.session.scalars(sa.select(DocumentEvent).where(
        DocumentEvent.document_id == document.id).order_by(DocumentEvent.id)).all()
    departments = db.session.scalars(sa.select(Department).where(
        Department.agency_id == user.agency_id, Department.active.is_(True))
        .order_by(Department.id)).all()
    people = {a.id: db.session.scalars(sa.select(User).where(
        User.department_id == a.department_id, User.active.is_(True))
        .order_by(User.full_name)).all() for a in assignments}
    serving.viewed(db.session, user, document)
    reads.mark_seen(db.session, user, reads.DOCUMENT, [document.id])
    return render_template(
        "incoming/show.html", doc=document, assignments=assignments, events=events,
        event_label=_event_label, departments=departments, people=people,
        users=[u for u in db.session.scalars(sa.select(User).where(
            User.active.is_(True), in_agency(user.agency_id)).order_by(User.full_name))
            if u.has_role(*HANDLER_ROLES)],
        reminders=handling.reminders_of(db.session, document.id),
        deadline_reminders=handling.reminders_of(db.session, document.id, automatic=True),
        validation=document.extra.get("validation"), direction=document.extra.get("direction"),
        urgent=Urgency(document.urgency).is_urgent, **_labels())


def _back(document_id: int):
    return redirect(url_for("incoming.show", document_id=document_id))


@bp.route("/incoming/<int:document_id>/direct", methods=["POST"])
@roles(Role.LEADER)
def direct(document_id: int):
    document = handling.get_incoming(db.session, current_user, document_id)
    form = request.form
    coordinators = [{"handler": code, "deadline": form.get(f"deadline_{code}") or None}
                    for code in form.getlist("coordinators") if code != form.get("lead")]
    data = DirectionInput.parse({"instruction": form.get("instruction"), "lead": form.get("lead"),
                                 "deadline": form.get("deadline")}, coordinators)
    handling.direct(db.session, document, current_user, data, today=settings.today())
    flash(_("Đã ghi ý kiến chỉ đạo và giao xử lý."), "success")
    return _back(document_id)


@bp.route("/incoming/<int:document_id>/return", methods=["POST"])
@roles(Role.CLERK)
def return_document(document_id: int):
    document = handling.get_incoming(db.session, current_user, document_id)
    return_to_sender(db.session, document, current_user, request.form.get("reason", ""))
    flash(_("Đã trả lại văn bản cho nơi gửi."), "success")
    return _back(document_id)


@bp.route("/incoming/<int:document_id>/remind", methods=["POST"])
@roles(Role.LEADER)
def remind(document_id: int):
    document = handling.get_incoming(db.session, current_user, document_id)
    count = handling.remind(db.session, document, current_user, request.form.get("message", ""))
    flash(_("Đã đôn đốc (lần thứ %(n)s).", n=count), "success")
    return _back(document_id)


@bp.route("/incoming/assignments/<int:assignment_id>/<action>", methods=["POST"])
@authenticated
def assignment_action(assignment_id: int, action: str):
    user = current_user
    assignment = handling.get_assignment(db.session, user, assignment_id)
    form = request.form
    messages = {"reassign": N_("Đã giao việc."), "start": N_("Đã bắt đầu xử lý."),
                "note": N_("Đã ghi tiến độ."), "complete": N_("Đã hoàn thành.")}
    if action == "reassign":
        handling.reassign(db.session, assignment, user, form.get("assignee", ""),
                          deadline=parse_date(form.get("deadline"), "deadline"))
    elif action == "start":
        handling.start(db.session, assignment, user)
    elif action == "note":
        handling.add_note(db.session, assignment, user, form.get("text", ""))
    elif action == "complete":
        handling.complete(db.session, assignment, user, result=form.get("result", ""),
                          reply_document_id=parse_int(form.get("reply_document_id"),
                                                      "reply_document_id"),
                          today=settings.today())
    else:
        raise Invalid("Thao tác không hợp lệ.")
    document_id = assignment.document_id
    flash(_(messages[action]), "success")
    return _back(document_id)


def _register_args() -> tuple[str, int, str]:
    kind = request.args.get("kind", "incoming")
    if kind not in registers.KINDS:
        raise Invalid("Loại sổ không hợp lệ.")
    year = year_arg(default=settings.today().year)
    register = request.args.get("register", GENERAL_REGISTER)
    if register not in REGISTER_LABELS:
        raise Invalid("Sổ không hợp lệ.")
    return kind, year, register


@bp.route("/incoming/registers", endpoint="registers")
@roles(Role.CLERK, Role.LEADER, Role.HEAD)
def registers_page():
    kind, year, register = _register_args()
    today = settings.today()
    fmt = request.args.get("format", "")
    if fmt in {"pdf", "xlsx"}:
        data = registers.render(db.session, current_user, kind, fmt, year, today, register)
        mime = "application/pdf" if fmt == "pdf" else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"so-{'den' if kind == 'incoming' else 'theo-doi'}-{register}-{year}.{fmt}"
        return send_file(io.BytesIO(data), mimetype=mime, download_name=name,
                         as_attachment=fmt == "xlsx")
    rows = (registers.incoming_rows(db.session, current_user, year, register)
            if kind == "incoming"
            else registers.tracking_rows(db.session, current_user, year, today, register))
    from eoffice.rendering.register_rows import INCOMING_COLUMNS, TRACKING_COLUMNS

    columns = [c for c, _ in (INCOMING_COLUMNS if kind == "incoming" else TRACKING_COLUMNS)]
    may_classified = current_user.may_see_secrecy("mat")
    return render_template("incoming/registers.html", rows=rows, columns=columns, kind=kind,
                           kinds=registers.KINDS, year=year, register=register,
                           register_labels=REGISTER_LABELS if may_classified
                           else {GENERAL_REGISTER: REGISTER_LABELS[GENERAL_REGISTER]},
                           classified=CLASSIFIED_REGISTER)


@bp.route("/incoming/statistics", endpoint="statistics")
@roles(Role.LEADER)
@read_only
def statistics_page():
    year = year_arg(default=settings.today().year)
    stats = statistics.compute(db.session, current_user, year, settings.today())
    return render_template("incoming/statistics.html", stats=stats, year=year,
                           chart=_chart(stats))


def _chart(stats: statistics.Statistics) -> list[dict[str, Any]]:
    """Bars of the SVG chart: per department, % valid incoming and % signed outgoing."""
    bars = []
    for i, dept in enumerate(stats.departments):
        figures = stats.signatures.get(dept.abbreviation, statistics.SignatureFigures())
        bars.append({"label": dept.abbreviation, "x": 40 + i * 90,
                     "incoming": figures.incoming_share, "outgoing": figures.outgoing_share})
    return bars

