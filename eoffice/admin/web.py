"""Administration pages (Vietnamese forms): the agency tree (sysadmin), departments, users,
their signing credentials, the agency's seal, trust anchors and policy, CSV import.

Thin: form → operation with the acting user → redirect with a message; the request
boundary (eoffice.web.transaction) commits once.
Domain errors come back as a flash message on the same page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from eoffice.admin import credentials, importing, stored
from eoffice.admin import operations as ops
from eoffice.auth.models import CLEARANCE_LABELS, ROLE_LABELS, Agency, Role, User
from eoffice.db import db
from eoffice.errors import AppError, Invalid
from eoffice.extensions import acting_user
from eoffice.extensions import gettext as _
from eoffice.i18n import N_
from eoffice.permissions import roles
from eoffice.web.transaction import flash_error

bp = Blueprint("accounts", __name__, url_prefix="/admin")
MAX_UPLOAD = 2_000_000


def _upload(name: str, limit: int = MAX_UPLOAD) -> bytes:
    file = request.files.get(name)
    data = file.read(limit + 1) if file is not None else b""
    if not data:
        raise Invalid("Hãy chọn tệp để tải lên.", code="missing_file")
    if len(data) > limit:
        raise Invalid("Tệp quá lớn.", code="file_too_large")
    return data


def _act(work: Callable[[], Any], success: str) -> Any:
    """Run an operation and flash ``success``, or undo it and flash the error (the request
    boundary commits once)."""
    try:
        result = work()
    except AppError as exc:
        flash_error(exc)
        return None
    flash(_(success), "success")
    return result


def _labels() -> dict[str, Any]:
    return {"role_labels": ROLE_LABELS, "clearance_labels": CLEARANCE_LABELS,
            "grantable": [r for r in Role if r is not Role.SYSADMIN]}


# --- dashboard ------------------------------------------------------------------------------
@bp.route("/")
@roles(Role.ADMIN, Role.SYSADMIN)
def home():
    from datetime import timedelta

    from eoffice.audit.models import AuditEntry
    from eoffice.db import utcnow
    from eoffice.documents.models import Document

    user = acting_user()
    users = ops.users_of(db.session, user.agency_id)
    since = utcnow() - timedelta(days=7)
    counts = {
        "users": sum(u.active for u in users),
        "inactive": sum(not u.active for u in users),
        "first_login": sum(u.must_change_password and u.active for u in users),
        "no_credential": sum(u.active and not (u.pkcs11_token_label or u.p12_path)
                             and u.has_role(Role.LEADER, Role.HEAD) for u in users),
        "departments": len(ops.departments_of(db.session, user.agency_id, active_only=True)),
        "documents": db.session.scalar(sa.select(sa.func.count(Document.id)).where(
            Document.agency_id == user.agency_id)) or 0,
        "audit_week": db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.agency_id == user.agency_id, AuditEntry.at >= since)) or 0,
        "agencies": db.session.scalar(sa.select(sa.func.count(Agency.id))) or 0,
    }
    return render_template("admin/home.html", counts=counts, agency=user.agency,
                           anchors=len(credentials.trust_anchors(db.session, user.agency_id)))


# --- agencies (sysadmin) --------------------------------------------------------------------
@bp.route("/agencies", methods=["GET", "POST"])
@roles(Role.SYSADMIN)
def agencies():
    if request.method == "POST":
        form = request.form
        made = _act(lambda: ops.create_agency(db.session, acting_user(),
                                              ops.AgencyInput.parse(form)), N_("Đã tạo cơ quan."))
        if made is not None:
            return redirect(url_for("accounts.agencies"))
    return render_template("admin/agencies.html", tree=ops.agency_tree(db.session))


@bp.route("/agencies/<code>/admins", methods=["POST"])
@roles(Role.SYSADMIN)
def name_admin(code: str):
    agency = ops.agency_by_code(db.session, code)
    made = _act(lambda: ops.name_admin(db.session, acting_user(), agency,
                                       username=request.form.get("username", ""),
                                       full_name=request.form.get("full_name", "")),
                N_("Đã tạo tài khoản quản trị của cơ quan."))
    if made is None:
        return redirect(url_for("accounts.agencies"))
    user, password = made
    return render_template("admin/one_time.html", user=user, password=password,
                           back=url_for("accounts.agencies"))


# --- departments ----------------------------------------------------------------------------
@bp.route("/departments", methods=["GET", "POST"])
@roles(Role.ADMIN)
def departments():
    user = acting_user()
    if request.method == "POST":
        action = request.form.get("action", "create")
        if action == "create":
            _act(lambda: ops.create_department(db.session, user,
                                               code=request.form.get("code", ""),
                                               name=request.form.get("name", "")),
                 N_("Đã tạo phòng ban."))
        else:
            dept = ops.department_of(db.session, user.agency_id, request.form.get("code", ""))
            choices: dict[str, dict[str, Any]] = {
                "rename": {"name": request.form.get("name", "")},
                "deactivate": {"active": False}, "activate": {"active": True}}
            changes = choices.get(action, {})
            if not changes:
                raise Invalid("Thao tác không hợp lệ.", code="invalid_action")
            _act(lambda: ops.update_department(db.session, user, dept, **changes),
                 N_("Đã cập nhật phòng ban."))
        return redirect(url_for("accounts.departments"))
    return render_template("admin/departments.html",
                           departments=ops.departments_of(db.session, user.agency_id))


# --- users ----------------------------------------------------------------------------------
@bp.route("/users", methods=["GET", "POST"])
@roles(Role.ADMIN)
def users():
    user = acting_user()
    if request.method == "POST":
        form = request.form
        made = _act(lambda: ops.create_account(db.session, user, ops.AccountInput.parse({
            "username": form.get("username"), "full_name": form.get("full_name"),
            "position": form.get("position"), "department": form.get("department"),
            "roles": form.getlist("roles"), "clearance": form.get("clearance")})),
            N_("Đã tạo người dùng."))
        if made is not None:
            created, password = made
            return render_template("admin/one_time.html", user=created, password=password,
                                   back=url_for("accounts.user", username=created.username))
    return render_template("admin/users.html", users=ops.users_of(db.session, user.agency_id),
                           departments=ops.departments_of(db.session, user.agency_id,
                                                          active_only=True), **_labels())


@bp.route("/users/<username>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user(username: str):
    actor = acting_user()
    target = ops.get_account(db.session, actor, username)
    if request.method == "POST":
        password = _post_user(actor, target, request.form.get("action", "edit"))
        if password:
            return render_template("admin/one_time.html", user=target, password=password,
                                   back=url_for("accounts.user", username=username))
        return redirect(url_for("accounts.user", username=username))
    return render_template("admin/user.html", person=target,
                           departments=ops.departments_of(db.session, actor.agency_id),
                           allow_server_keys=bool(actor.agency.settings.get("allow_server_keys")),
                           **_labels())


def _post_user(actor: User, target: User, action: str) -> str | None:
    """Apply one action of the user page; a password reset returns the one-time password
    (shown once on the next page)."""
    form = request.form
    if action == "edit":
        changes = {"full_name": form.get("full_name"), "position": form.get("position", ""),
                   "department": form.get("department"), "roles": form.getlist("roles"),
                   "clearance": form.get("clearance")}
        _act(lambda: ops.update_account(db.session, actor, target, changes),
             N_("Đã lưu thông tin người dùng."))
    elif action in {"deactivate", "activate"}:
        _act(lambda: ops.update_account(db.session, actor, target,
                                        {"active": action == "activate"}),
             N_("Đã khóa tài khoản; mọi phiên làm việc đã kết thúc.") if action == "deactivate"
             else N_("Đã mở khóa tài khoản."))
    elif action == "reset":
        password: str | None = _act(lambda: ops.reset_password(db.session, actor, target),
                                    N_("Đã cấp mật khẩu dùng một lần mới."))
        return password
    elif action == "token":
        _act(lambda: credentials.set_token(db.session, actor, target,
                                           form.get("token_label", ""),
                                           form.get("key_label", "")),
             N_("Đã gán thiết bị ký số."))
    elif action == "signature":
        _act(lambda: credentials.set_signature_image(db.session, actor, target,
                                                     _upload("image")),
             N_("Đã gán ảnh chữ ký."))
    elif action == "p12":
        _act(lambda: credentials.set_p12(db.session, actor, target, _upload("p12")),
             N_("Đã gán khóa ký số lưu trên máy chủ."))
    elif action == "clear":
        _act(lambda: credentials.clear_credentials(db.session, actor, target),
             N_("Đã gỡ chứng thư ký số."))
    else:
        raise Invalid("Thao tác không hợp lệ.", code="invalid_action")
    return None


@bp.route("/users/<username>/signature.png")
@roles(Role.ADMIN)
def signature_preview(username: str):
    target = ops.get_account(db.session, acting_user(), username)
    return _png(target.signature_image, N_("Chưa có ảnh chữ ký."))


def _png(image: bytes | Path | None, missing: str) -> Any:
    """A stored PNG (an uploaded image or an installed file), never cached by the browser."""
    data = stored.read(image)
    if data is None:
        raise ops.NotFound(missing)
    return send_file(io.BytesIO(data), mimetype="image/png", max_age=0)


@bp.route("/users/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def import_users():
    """Upload → preview (bad rows named) → confirm: the valid rows are created together."""
    actor = acting_user()
    if request.method == "GET":
        return render_template("admin/import.html", preview=None)
    stage = request.form.get("stage", "preview")
    data = (_upload("file") if stage == "preview"
            else request.form.get("csv", "").encode("utf-8"))
    try:
        checked = importing.preview(db.session, actor, data)
    except AppError as exc:
        flash_error(exc)
        return render_template("admin/import.html", preview=None), 422
    if stage == "preview":
        return render_template("admin/import.html", preview=checked,
                               csv=data.decode("utf-8-sig"))
    created = _act(lambda: importing.apply(db.session, actor, checked),
                   N_("Đã nhập người dùng từ tệp CSV."))
    if created is None:
        return render_template("admin/import.html", preview=checked,
                               csv=data.decode("utf-8-sig")), 409
    return render_template("admin/import_done.html", created=created,
                           passwords=importing.passwords_csv(created))


# --- the agency: seal, trust anchors, policy ------------------------------------------------
@bp.route("/agency", methods=["GET", "POST"])
@roles(Role.ADMIN)
def agency():
    actor = acting_user()
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "seal_image":
            _act(lambda: credentials.set_seal_image(db.session, actor,
                                                    _upload("image")), N_("Đã gán ảnh con dấu."))
        elif action == "seal_token":
            _act(lambda: credentials.set_seal_credential(
                db.session, actor, token_label=request.form.get("token_label"),
                key_label=request.form.get("key_label")), N_("Đã gán khóa con dấu."))
        elif action == "seal_p12":
            _act(lambda: credentials.set_seal_credential(db.session, actor, p12=_upload("p12")),
                 N_("Đã gán khóa con dấu."))
        elif action == "anchor_add":
            _act(lambda: credentials.add_trust_anchor(db.session, actor,
                                                      _upload("certificate")),
                 N_("Đã cài chứng thư gốc tin cậy."))
        elif action == "anchor_remove":
            _act(lambda: credentials.remove_trust_anchor(
                db.session, actor, request.form.get("fingerprint", "")),
                N_("Đã gỡ chứng thư gốc tin cậy."))
        elif action == "policy":
            _act(lambda: credentials.update_policy(
                db.session, actor, allow_server_keys=request.form.get("allow_server_keys")
                == "1", revocation=request.form.get("revocation", "offline")),
                N_("Đã lưu chính sách ký số."))
        else:
            raise Invalid("Thao tác không hợp lệ.", code="invalid_action")
        return redirect(url_for("accounts.agency"))
    settings = actor.agency.settings or {}
    return render_template("admin/agency.html", agency=actor.agency, settings=settings,
                           anchors=credentials.trust_anchors(db.session, actor.agency_id),
                           modes=credentials.REVOCATION_MODES)


@bp.route("/agency/seal.png")
@roles(Role.ADMIN)
def seal_preview():
    agency = acting_user().agency
    return _png(stored.of(agency, (agency.settings or {}).get("seal_png")),
                N_("Chưa có ảnh con dấu."))



# --- dashboard panels (real counts) ---------------------------------------------------------
def _register_panels() -> None:
    from eoffice.web.dashboard import PanelItem, panel_provider

    @panel_provider("users")
    def _users(user: User) -> list[PanelItem]:
        return [PanelItem(title=u.full_name, url=url_for("accounts.user", username=u.username),
                          subtitle=f"{u.username} · {u.department.abbreviation}"
                          + (" · " + _("Chờ đăng nhập lần đầu") if u.must_change_password
                             else ""))
                for u in ops.users_of(db.session, user.agency_id) if u.active]

    @panel_provider("audit")
    def _audit(user: User) -> list[PanelItem]:
        from eoffice.admin.labels import action_label
        from eoffice.admin.views import agency_entries
        from eoffice.audit.visibility import visible_entries

        entries = visible_entries(db.session, user, limit=100, scope=agency_entries(user))
        return [PanelItem(title=action_label(e.action, _),
                          url=url_for("admin.audit_log", actor=e.actor or ""),
                          subtitle=f"{e.actor or '—'} · {e.at:%d/%m/%Y %H:%M}")
                for e in entries]

    @panel_provider("agencies")
    def _agencies(_user: User) -> list[PanelItem]:
        return [PanelItem(title=("— " * depth) + a.name, url=url_for("accounts.agencies"),
                          subtitle=a.agency_code) for depth, a in ops.agency_tree(db.session)]


_register_panels()

