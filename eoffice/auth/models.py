"""Agency, departments, users and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.db import Base, enum_column, utcnow


class Role(enum.StrEnum):
    CLERK = "clerk"
    LEADER = "leader"
    HEAD = "head"
    SPECIALIST = "specialist"
    SECRETARY = "secretary"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CLERK: "Văn thư",
    Role.LEADER: "Lãnh đạo",
    Role.HEAD: "Trưởng/phó phòng",
    Role.SPECIALIST: "Chuyên viên",
    Role.SECRETARY: "Thư ký cuộc họp",
    Role.ADMIN: "Quản trị",
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
    Clearance.NONE: "Thường",
    Clearance.MAT: "Mật",
    Clearance.TOI_MAT: "Tối mật",
    Clearance.TUYET_MAT: "Tuyệt mật",
}


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    parent_name: Mapped[str] = mapped_column(sa.String(255), default="")
    abbreviation: Mapped[str] = mapped_column(sa.String(32))
    agency_code: Mapped[str] = mapped_column(sa.String(13), unique=True)
    place: Mapped[str] = mapped_column(sa.String(128), default="")

    departments: Mapped[list[Department]] = relationship(back_populates="agency")

    __table_args__ = (sa.CheckConstraint("length(agency_code) = 13", name="agency_code_len"),)


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    name: Mapped[str] = mapped_column(sa.String(255))
    abbreviation: Mapped[str] = mapped_column(sa.String(32))

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
    # Signing credential: a PKCS#12 file in the instance's PKI, or a PKCS#11 token/key label.
    p12_path: Mapped[str | None] = mapped_column(sa.String(512), default=None)
    pkcs11_token_label: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    pkcs11_key_label: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    signature_image_path: Mapped[str | None] = mapped_column(sa.String(512), default=None)

    department: Mapped[Department] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

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

    def may_see_secrecy(self, secrecy: str) -> bool:
        return Clearance(self.clearance).allows(secrecy)

    def access_keys(self) -> set[str]:
        """Keys matched against a document's access rows (and the search index)."""
        keys = {"all", f"user:{self.username}", f"dept:{self.department_code}"}
        keys |= {f"role:{role.value}" for role in self.roles}
        return keys


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
