"""Passwords (Argon2), login throttling and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, TypedDict

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, joinedload

from eoffice.audit import operations as audit
from eoffice.auth.models import Actor, ApiToken, Clearance, Department, LoginAttempt, Role, User
from eoffice.auth.sessions import end_all_sessions
from eoffice.db import utcnow

_hasher = PasswordHasher()
# A real hash to compare against when the user does not exist (keeps timing similar).
_DUMMY_HASH = _hasher.hash("not-a-password")


def configure_hasher(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Change Argon2 cost parameters (tests use cheap ones; production keeps the defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _DUMMY_HASH = _hasher.hash("not-a-password")


class AuthError(Exception):
    """Authentication failed; the message is for the user."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


THROTTLE_MESSAGE = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút."


class TooManyAttempts(AuthError):
    """Login refused for a while; ``minutes`` says how long to wait."""

    def __init__(self, minutes: int) -> None:
        super().__init__(THROTTLE_MESSAGE % {"minutes": minutes})
        self.minutes = minutes


def _wait_seconds(session: Session, condition: Any, limit: int, window: int) -> int:
    """Seconds until fewer than ``limit`` failures matching ``condition`` remain in the window."""
    since = utcnow() - timedelta(seconds=window)
    times = session.scalars(
        sa.select(LoginAttempt.at).where(condition, LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc()).limit(limit)).all()
    if len(times) < limit:
        return 0
    return max(1, int((times[-1] - since).total_seconds()))


def throttle_wait(session: Session, username: str, address: str, *, max_failures: int,
                  address_max_failures: int, window: int) -> int:
    """Seconds to wait before another login try: per username (any address) and per address
    (any username, against password spraying). 0 when not throttled."""
    return max(_wait_seconds(session, LoginAttempt.username == username, max_failures, window),
               _wait_seconds(session, LoginAttempt.address == address, address_max_failures,
                             window))


class Throttle(TypedDict):
    """The throttling keyword arguments of :func:`authenticate`."""

    max_failures: int
    address_max_failures: int
    window: int


def throttle_settings(config: Any) -> Throttle:
    """The throttling keyword arguments of ``authenticate`` from the app configuration."""
    return Throttle(max_failures=int(config["LOGIN_MAX_FAILURES"]),
                    address_max_failures=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
                    window=int(config["LOGIN_WINDOW_SECONDS"]))


def authenticate(session: Session, username: str, password: str, address: str, *,
                 max_failures: int = 10, window: int = 900, address_max_failures: int = 30,
                 channel: str = "web") -> User:
    """Return the user for valid credentials, or raise AuthError / TooManyAttempts.

    Failures are recorded (throttling and audit) even though the caller's request fails:
    the caller must commit after catching AuthError.
    """
    username = (username or "").strip()[:64]
    address = address[:64]
    wait = throttle_wait(session, username, address, max_failures=max_failures,
                         address_max_failures=address_max_failures, window=window)
    if wait:
        audit.append(session, "login_throttled", actor=username or None,
                     details={"address": address, "channel": channel})
        raise TooManyAttempts(minutes=-(-wait // 60))
    user = session.scalar(sa.select(User).where(User.username == username))
    if not check_password(user, password) or user is None or not user.active:
        session.add(LoginAttempt(username=username, address=address))
        audit.append(session, "login_failed", actor=username or None,
                     details={"address": address, "channel": channel})
        raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.")
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username,
                                                  LoginAttempt.address == address))
    audit.append(session, "login", actor=user, details={"address": address, "channel": channel})
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise AuthError("Mật khẩu hiện tại không đúng.")
    if len(new) < 10:
        raise AuthError("Mật khẩu mới phải có ít nhất 10 ký tự.")
    if new == current:
        raise AuthError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit.append(session, "password_change", actor=user, object_type="user", object_id=user.id)
    end_all_sessions(session, user, reason="password_change")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, hours: int = 12) -> str:
    """Create an API token; only its sha256 is stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token),
                         expires_at=utcnow() + timedelta(hours=hours)))
    return token


_TOKEN_USER = (
    sa.select(User).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == sa.bindparam("digest"), ApiToken.revoked.is_(False),
           ApiToken.expires_at >= sa.bindparam("now"), User.active.is_(True))
    .options(joinedload(User.role_rows)))
"""The active user of an unrevoked, unexpired token, with department and roles: built once
(the statement is the same on every request; only its parameters change)."""


def user_for_token(session: Session, token: str) -> User | None:
    """The active user of a valid API token (one query: user, department, roles; the token
    row itself is not loaded)."""
    return session.scalars(_TOKEN_USER, {"digest": _token_digest(token),
                                         "now": utcnow()}).unique().first()


def create_user(session: Session, *, username: str, full_name: str, password: str,
                department: Department, roles: set[Role] | set[str],
                clearance: Clearance | str = Clearance.NONE, position_title: str = "",
                actor: Actor | str | None = None) -> User:
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AuthError(f"Tên đăng nhập '{username}' đã tồn tại.")
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                department=department, clearance=Clearance(clearance),
                position_title=position_title)
    user.set_roles(set(roles))
    session.add(user)
    session.flush()
    audit.append(session, "user_create", actor=actor, object_type="user", object_id=user.id,
                 agency_id=department.agency_id,
                 details={"username": username, "roles": sorted(str(r) for r in roles),
                          "clearance": str(clearance)})
    return user
