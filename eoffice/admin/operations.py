"""Administration of the agency tree and of each agency's people.

``sysadmin`` creates agencies and names their admins; an agency's ``admin`` manages its
departments and users. Operations take the acting user, flush, never commit; every
permission change (roles, clearance, department, activation, password reset) is audited.
Anything of another agency answers NotFound, exactly as if it did not exist.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import Actor, Agency, Clearance, Department, Role, User
from eoffice.auth.operations import create_user, hash_password
from eoffice.auth.sessions import end_all_sessions
from eoffice.errors import Conflict, Forbidden, Invalid, NotFound
from eoffice.rendering.types import nfc

AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DEPT_CODE = re.compile(r"^[A-Za-zĐđ0-9]{1,16}$")
ADMIN_ROLES = {Role.ADMIN}
GRANTABLE_ROLES = {r for r in Role if r is not Role.SYSADMIN}
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
NO_USER = "Không tìm thấy người dùng."
NO_DEPARTMENT = "Không tìm thấy phòng ban."
NO_AGENCY = "Không tìm thấy cơ quan."


def one_time_password(length: int = 14) -> str:
    """A random password the user must replace at first login (no look-alike letters)."""
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(length))


def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    text = nfc(str(value or "")).strip()
    if required and not text:
        raise Invalid("Thiếu trường bắt buộc: %(field)s.", code="missing_field",
                      values={"field": field})
    if len(text) > limit:
        raise Invalid("Trường %(field)s dài quá %(limit)s ký tự.", code="invalid_field",
                      values={"field": field, "limit": limit})
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise Invalid("Trường %(field)s chứa ký tự điều khiển.", code="invalid_field",
                      values={"field": field})
    return text


# --- permissions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OperatorActor:
    """The person at the server's console (``eoffice`` CLI): may do what sysadmin and the
    agency's admin may, inside the agency named on the command line. Audited as ``cli``."""

    agency_id: int
    username: str = "cli"
    id: int = 0

    def has_role(self, *_roles: Any) -> bool:
        return True

    @property
    def roles(self) -> set[Role]:
        return {Role.SYSADMIN, Role.ADMIN}

    @property
    def agency(self) -> Agency:
        raise AttributeError("agency")


def require_sysadmin(actor: Actor) -> None:
    if not actor.has_role(Role.SYSADMIN):
        raise Forbidden("Chỉ quản trị hệ thống được thực hiện thao tác này.")


def require_admin(actor: Actor) -> None:
    if not actor.has_role(Role.ADMIN):
        raise Forbidden("Chỉ quản trị của cơ quan được thực hiện thao tác này.")


# --- agencies -------------------------------------------------------------------------------
def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalar(sa.select(Agency).where(Agency.agency_code == str(code or "")))
    if agency is None:
        raise NotFound(NO_AGENCY)
    return agency


def agency_tree(session: Session) -> list[tuple[int, Agency]]:
    """Every agency with its depth, parents before their children (for the tree view)."""
    agencies = list(session.scalars(sa.select(Agency).order_by(Agency.agency_code)))
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    out: list[tuple[int, Agency]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in children.get(parent, []):
            out.append((depth, child))
            walk(child.id, depth + 1)

    walk(None, 0)
    return out


@dataclass(frozen=True)
class AgencyInput:
    """A new agency: its 13-character code (mã định danh), name, abbreviation in reference
    codes, parent agency code and address."""

    code: str
    name: str
    abbreviation: str
    parent: str | None = None
    address: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> AgencyInput:
        code = _text(data.get("code"), "code", 13)
        if not AGENCY_CODE.match(code):
            raise Invalid("Mã định danh cơ quan phải có dạng 000.00.00.H62 (13 ký tự).",
                          code="invalid_code")
        return cls(code=code, name=_text(data.get("name"), "name", 255),
                   abbreviation=_text(data.get("abbreviation"), "abbreviation", 32),
                   parent=_text(data.get("parent"), "parent", 13, required=False) or None,
                   address=_text(data.get("address"), "address", 500, required=False))


def create_agency(session: Session, actor: Actor, data: AgencyInput) -> Agency:
    """A new agency in the tree, with a first department Văn phòng (VP) for its people."""
    require_sysadmin(actor)
    code, name, abbreviation, address = data.code, data.name, data.abbreviation, data.address
    parent_agency = agency_by_code(session, data.parent) if data.parent else None
    if session.scalar(sa.select(Agency.id).where(Agency.agency_code == code)) is not None:
        raise Conflict("Mã định danh %(code)s đã được dùng cho một cơ quan khác.",
                       code="duplicate_code", values={"code": code})
    agency = Agency(agency_code=code, name=name, abbreviation=abbreviation, address=address,
                    parent_id=parent_agency.id if parent_agency else None,
                    parent_name=parent_agency.name if parent_agency else "", settings={})
    session.add(agency)
    session.flush()
    session.add(Department(agency_id=agency.id, abbreviation="VP", name="Văn phòng"))
    session.flush()
    audit.append(session, "agency.create", actor=actor, object_type="agency",
                 object_id=agency.agency_code, agency_id=agency.id,
                 details={"name": name, "abbreviation": abbreviation,
                          "parent": parent_agency.agency_code if parent_agency else None})
    return agency


def name_admin(session: Session, actor: Actor, agency: Agency, *, username: str,
               full_name: str, department: str = "VP") -> tuple[User, str]:
    """The sysadmin names an agency's administrator: a new account with a one-time password."""
    require_sysadmin(actor)
    data = AccountInput.parse({"username": username, "full_name": full_name,
                               "department": department, "roles": ["admin"],
                               "position": "Quản trị"})
    return _create_account(session, actor, agency.id, data)


# --- departments ----------------------------------------------------------------------------
def departments_of(session: Session, agency_id: int, *, active_only: bool = False
                   ) -> list[Department]:
    query = sa.select(Department).where(Department.agency_id == agency_id)
    if active_only:
        query = query.where(Department.active.is_(True))
    return list(session.scalars(query.order_by(Department.abbreviation)))


def department_of(session: Session, agency_id: int, code: str) -> Department:
    dept = session.scalar(sa.select(Department).where(
        Department.agency_id == agency_id, Department.abbreviation == nfc(str(code or ""))))
    if dept is None:
        raise NotFound(NO_DEPARTMENT)
    return dept


def create_department(session: Session, actor: Actor, *, code: str, name: str) -> Department:
    require_admin(actor)
    code = _text(code, "code", 16)
    if not DEPT_CODE.match(code):
        raise Invalid("Mã phòng ban chỉ gồm chữ và số, tối đa 16 ký tự (ví dụ VHTT).",
                      code="invalid_code")
    name = _text(name, "name", 255)
    exists = session.scalar(sa.select(Department.id).where(
        Department.agency_id == actor.agency_id, Department.abbreviation == code))
    if exists is not None:
        raise Conflict("Phòng ban %(code)s đã có.", code="duplicate_department",
                       values={"code": code})
    dept = Department(agency_id=actor.agency_id, abbreviation=code, name=name)
    session.add(dept)
    session.flush()
    audit.append(session, "department.create", actor=actor, object_type="department",
                 object_id=dept.id, details={"code": code, "name": name})
    return dept


def update_department(session: Session, actor: Actor, dept: Department, *,
                      name: str | None = None, active: bool | None = None) -> None:
    """Rename or (de)activate; a department with active users cannot be deactivated."""
    require_admin(actor)
    if dept.agency_id != actor.agency_id:
        raise NotFound(NO_DEPARTMENT)
    if name is not None:
        new = _text(name, "name", 255)
        if new != dept.name:
            audit.append(session, "department.rename", actor=actor, object_type="department",
                         object_id=dept.id, details={"from": dept.name, "to": new})
            dept.name = new
    if active is not None and active != dept.active:
        if not active and session.scalar(sa.select(sa.func.count(User.id)).where(
                User.department_id == dept.id, User.active.is_(True))):
            raise Conflict("Phòng ban còn người dùng đang hoạt động; hãy chuyển họ sang phòng "
                           "ban khác trước.", code="department_in_use")
        dept.active = active
        audit.append(session, "department.activate" if active else "department.deactivate",
                     actor=actor, object_type="department", object_id=dept.id,
                     details={"code": dept.abbreviation})
    session.flush()


# --- users ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountInput:
    username: str
    full_name: str
    department: str
    roles: frozenset[Role]
    clearance: Clearance = Clearance.NONE
    position: str = ""

    @classmethod
    def parse(cls, data: dict[str, Any]) -> AccountInput:
        username = _text(data.get("username"), "username", 64).lower()
        if not USERNAME.match(username):
            raise Invalid("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch "
                          "dưới hoặc gạch ngang (2-64 ký tự).", code="invalid_username")
        return cls(username=username, full_name=_text(data.get("full_name"), "full_name", 255),
                   department=_text(data.get("department"), "department", 32),
                   roles=parse_roles(data.get("roles")),
                   clearance=parse_clearance(data.get("clearance") or "none"),
                   position=_text(data.get("position"), "position", 255, required=False))


def parse_roles(raw: Any) -> frozenset[Role]:
    if isinstance(raw, str):
        raw = [r for r in re.split(r"[,;\s]+", raw) if r]
    if not isinstance(raw, list | tuple | set | frozenset) or not raw:
        raise Invalid("Hãy chọn ít nhất một vai trò.", code="missing_field")
    roles: set[Role] = set()
    for value in raw:
        try:
            role = Role(str(value).strip())
        except ValueError:
            raise Invalid("Vai trò không hợp lệ: «%(value)s».", code="invalid_role",
                          values={"value": value}) from None
        if role not in GRANTABLE_ROLES:
            raise Invalid("Vai trò quản trị hệ thống không được cấp ở đây.", code="invalid_role")
        roles.add(role)
    return frozenset(roles)


def parse_clearance(raw: Any) -> Clearance:
    try:
        return Clearance(str(raw).strip())
    except ValueError:
        raise Invalid("Độ mật được xem không hợp lệ: «%(raw)s».",
                      code="invalid_clearance", values={"raw": raw}) from None


def users_of(session: Session, agency_id: int) -> list[User]:
    return list(session.scalars(sa.select(User).join(User.department)
                                .where(Department.agency_id == agency_id)
                                .order_by(User.username)).unique())


def get_account(session: Session, actor: Actor, username: str) -> User:
    """A user of the actor's agency; another agency's user is NotFound."""
    user = session.scalar(sa.select(User).where(User.username == str(username or "")))
    if user is None or user.agency_id != actor.agency_id:
        raise NotFound(NO_USER)
    return user


def create_account(session: Session, actor: Actor, data: AccountInput) -> tuple[User, str]:
    """The agency admin creates a user; returns the user and their one-time password."""
    require_admin(actor)
    return _create_account(session, actor, actor.agency_id, data)


def _create_account(session: Session, actor: Actor, agency_id: int, data: AccountInput
                    ) -> tuple[User, str]:
    dept = department_of(session, agency_id, data.department)
    if not dept.active:
        raise Invalid("Phòng ban đã ngừng hoạt động.", code="inactive_department")
    if session.scalar(sa.select(User.id).where(User.username == data.username)) is not None:
        raise Conflict("Tên đăng nhập «%(username)s» đã có người dùng.",
                       code="duplicate_username", values={"username": data.username})
    password = one_time_password()
    user = create_user(session, username=data.username, full_name=data.full_name,
                       password=password, department=dept, roles=set(data.roles),
                       clearance=data.clearance, position_title=data.position, actor=actor)
    user.must_change_password = True
    session.flush()
    return user, password


def update_account(session: Session, actor: Actor, user: User, changes: dict[str, Any]) -> None:
    """Edit full name, position, department, roles, clearance, activation (each audited)."""
    require_admin(actor)
    if user.agency_id != actor.agency_id:
        raise NotFound(NO_USER)
    before = account_facts(user)
    if "full_name" in changes:
        user.full_name = _text(changes["full_name"], "full_name", 255)
    if "position" in changes:
        user.position_title = _text(changes["position"], "position", 255, required=False)
    if "department" in changes:
        dept = department_of(session, user.agency_id, changes["department"])
        if not dept.active and dept.id != user.department_id:
            raise Invalid("Phòng ban đã ngừng hoạt động.", code="inactive_department")
        user.department_id = dept.id
        user.department = dept
    if "roles" in changes:
        roles = parse_roles(changes["roles"])
        if user.id == actor.id and Role.ADMIN not in roles:
            raise Conflict("Bạn không thể tự bỏ vai trò quản trị của mình.", code="self_lockout")
        user.set_roles(set(roles) | (user.roles & {Role.SYSADMIN}))
    if "clearance" in changes:
        user.clearance = parse_clearance(changes["clearance"])
    if "active" in changes and bool(changes["active"]) != user.active:
        if user.id == actor.id:
            raise Conflict("Bạn không thể tự khóa tài khoản của mình.", code="self_lockout")
        user.active = bool(changes["active"])
        if not user.active:
            end_all_sessions(session, user, reason="deactivated", actor=actor)
    session.flush()
    after = account_facts(user)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changed:
        audit.append(session, "user.update", actor=actor, object_type="user",
                     object_id=user.username, details=changed)
    for key, action in (("roles", "permission.roles"), ("clearance", "permission.clearance"),
                        ("active", "permission.active"), ("department", "permission.department")):
        if key in changed:
            audit.append(session, action, actor=actor, object_type="user",
                         object_id=user.username, details=changed[key])


def account_facts(user: User) -> dict[str, Any]:
    return {"full_name": user.full_name, "position": user.position_title,
            "department": user.department.abbreviation,
            "roles": sorted(r.value for r in user.roles),
            "clearance": Clearance(user.clearance).value, "active": user.active}


def reset_password(session: Session, actor: Actor, user: User) -> str:
    """A new one-time password; the user's sessions and tokens end at once."""
    require_admin(actor)
    if user.agency_id != actor.agency_id:
        raise NotFound(NO_USER)
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_all_sessions(session, user, reason="password_reset", actor=actor)
    audit.append(session, "user.password_reset", actor=actor, object_type="user",
                 object_id=user.username)
    return password


def usernames(users: Iterable[User]) -> list[str]:
    return [u.username for u in users]
