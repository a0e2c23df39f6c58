"""Server-side validity of web sessions and API tokens.

A web login opens a ``UserSession`` row; the (signed) cookie carries its random key. Each
request checks the row is still open, so logout, a password change or a deactivation end the
session even for a copy of the cookie. ``end_all_sessions`` is the one call that ends every web
session and API token of a user (password change, deactivation by an administrator).
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from eoffice.audit import operations as audit
from eoffice.auth.models import Actor, ApiToken, User, UserSession
from eoffice.db import rows_changed, utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(session: Session, user: User) -> str:
    """Start a web session for ``user``; returns the key to keep in the cookie."""
    key = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, key_hash=_digest(key)))
    return key


def session_user(session: Session, user_id: int, key: str) -> User | None:
    """The active user of an open web session, or None (ended, unknown, deactivated).
    One query: the session row's existence, the user, their department and roles."""
    open_row = sa.select(UserSession.id).where(
        UserSession.key_hash == _digest(key), UserSession.user_id == user_id,
        UserSession.ended_at.is_(None))
    user = session.scalars(
        sa.select(User).where(User.id == user_id, open_row.exists())
        .options(joinedload(User.role_rows))).unique().first()
    return user if user is not None and user.active else None


def end_session(session: Session, key: str) -> None:
    """End one web session (logout)."""
    session.execute(sa.update(UserSession).where(
        UserSession.key_hash == _digest(key), UserSession.ended_at.is_(None)
    ).values(ended_at=utcnow()))


def revoke_token(session: Session, token: str) -> bool:
    """Revoke one API token; False when it was unknown or already revoked."""
    return bool(rows_changed(session, sa.update(ApiToken).where(
        ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)
    ).values(revoked=True)))


def end_all_sessions(session: Session, user: User, *, reason: str,
                     actor: Actor | str | None = None) -> int:
    """End every web session and revoke every API token of ``user``; audited.

    Called on a password change and when an administrator deactivates the user. Returns how
    many sessions and tokens were ended. Flushes, never commits.
    """
    now = utcnow()
    ended = rows_changed(session, sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    ).values(ended_at=now))
    revoked = rows_changed(session, sa.update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked.is_(False)
    ).values(revoked=True))
    audit.append(session, "sessions_ended", actor=actor or user, object_type="user",
                 object_id=user.id, details={"reason": reason, "sessions": ended,
                                             "tokens": revoked})
    return ended + revoked
