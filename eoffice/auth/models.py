"""Agency, departments, users and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.db import Base, enum_column, utcnow
from eoffice.i18n import N_


class Role(enum.StrEnum):
    CLERK = "clerk"
    LEADER = "leader"
    HEAD = "head"
    SPECIALIST = "specialist"
    SECRETARY = "secretary"
    ADMIN = "admin"
    SYSADMIN = "sysadmin"


ROLE_LABELS = {
    Role.CLERK: N_("Văn thư"),
    Role.LEADER: N_("Lãnh đạo"),
    Role.HEAD: N_("Trưởng/phó phòng"),
    Role.SPECIALIST: N_("Chuyên viên"),
    Role.SECRETARY: N_("Thư ký cuộc họp"),
    Role.ADMIN: N_("Quản trị"),
    Role.SYSADMIN: N_("Quản trị hệ thống"),
}


class Clearance(enum.StrEnum):
    """Secrecy levels, ordered: none < mat < toi_mat < tuyet_mat."""

    NONE = "none"
    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"

    @property
    def rank(self) -> int:
        return list(Clearance).index(self)

    def allows(self, secrecy: Clearance | str) -> bool:
        return self.rank >= Clearance(secrecy).rank


CLEARANCE_LABELS = {
    Clearance.NONE: N_("Thường"),
    Clearance.MAT: N_("Mật"),
    Clearance.TOI_MAT: N_("Tối mật"),
    Clearance.TUYET_MAT: N_("Tuyệt mật"),
}


class Agency(Base):
    """A tenant: one agency of the deployment's tree (UBND tỉnh → sở, UBND huyện → xã).

    Everything an agency owns (departments, users, documents, registers, meetings, number
    series, seal, trust anchors) is scoped by its id; another agency never sees it."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), default=None,
                                                  index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    parent_name: Mapped[str] = mapped_column(sa.String(255), default="")
    abbreviation: Mapped[str] = mapped_column(sa.String(32))
    agency_code: Mapped[str] = mapped_column(sa.String(13), unique=True)
    place: Mapped[str] = mapped_column(sa.String(128), default="")
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    """Per-agency administration: seal credential and image, trust anchors, revocation mode,
    whether server-held PKCS#12 keys are allowed (see ``eoffice.admin``)."""

    departments: Mapped[list[Department]] = relationship(back_populates="agency")
    parent: Mapped[Agency | None] = relationship(remote_side=[id], lazy="joined",
                                                 join_depth=1)

    __table_args__ = (sa.CheckConstraint("length(agency_code) = 13", name="agency_code_len"),)

    @property
    def code(self) -> str:
        return self.agency_code


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    name: Mapped[str] = mapped_column(sa.String(255))
    abbreviation: Mapped[str] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship(back_populates="departments")
    users: Mapped[list[User]] = relationship(back_populates="department")

    __table_args__ = (sa.UniqueConstraint("agency_id", "abbreviation", name="dept_abbr"),)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    position_title: Mapped[str] = mapped_column(sa.String(255), default="")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    clearance: Mapped[Clearance] = mapped_column(
        enum_column(Clearance, "clearance"), default=Clearance.NONE
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Signing credential: a PKCS#12 (uploaded: ``agency-file:<id>``, see eoffice.admin.stored;
    # or a file installed on every machine), or a PKCS#11 token/key label.
    p12_path: Mapped[str | None] = mapped_column(sa.String(512), default=None)
    pkcs11_token_label: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    pkcs11_key_label: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    signature_image_path: Mapped[str | None] = mapped_column(sa.String(512), default=None)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    """Set by an administrator's one-time password: the user must choose their own first."""

    department: Mapped[Department] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def signature_image(self) -> bytes | Path | None:
        """The signature image (uploaded, or a file installed on every machine)."""
        from eoffice.admin import stored

        return stored.of(self, self.signature_image_path)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def set_roles(self, roles: set[Role] | set[str]) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in wanted - self.roles:
            self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: Role | str) -> bool:
        return bool(self.roles & {Role(r) for r in roles})

    @property
    def department_code(self) -> str:
        return self.department.abbreviation

    @property
    def agency_id(self) -> int:
        """The agency the user works in (through their department)."""
        return self.department.agency_id

    @property
    def agency(self) -> Agency:
        return self.department.agency

    def may_see_secrecy(self, secrecy: str) -> bool:
        return Clearance(self.clearance).allows(secrecy)

    def access_keys(self) -> set[str]:
        """Keys matched against a document's access rows (and the search index)."""
        keys = {"all", f"user:{self.username}", f"dept:{self.department_code}"}
        keys |= {f"role:{role.value}" for role in self.roles}
        return keys

    def search_keys(self) -> set[str]:
        """The access keys qualified by the user's agency (what the search index holds)."""
        return {tenant_key(self.agency_id, key) for key in self.access_keys()}


def in_agency(agency_id: int) -> sa.ColumnElement[bool]:
    """SQL condition on ``User``: works in the agency (through a department of it)."""
    return User.department_id.in_(sa.select(Department.id).where(
        Department.agency_id == agency_id))


def tenant_key(agency_id: int, key: str) -> str:
    """An access key valid only inside one agency (``3/role:clerk``)."""
    return f"{agency_id}/{key}"


class Actor(Protocol):
    """Who acts in an administrative operation: a signed-in :class:`User`, or the console
    operator of the CLI (:class:`eoffice.admin.operations.OperatorActor`)."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...

    @property
    def agency_id(self) -> int: ...

    def has_role(self, *roles: Role) -> bool: ...


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(Base):
    """A web login: the cookie carries a random key whose sha256 is stored here.

    Logout ends this row; a password change or deactivation ends all rows of the user, so a
    copied cookie stops working at once (the signed cookie alone is not enough).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(Base):
    """Failed logins, for throttling per username and per address (see auth.operations)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
