"""The web side of sessions: the cookie's session key and idle timeout, checked per request."""

from __future__ import annotations

import time

from flask import current_app, session
from flask_login import login_user, logout_user

from eoffice.auth.models import User
from eoffice.auth.sessions import end_session, open_session, session_user
from eoffice.db import db

KEY = "sid"
SEEN = "seen"
SEEN_RESOLUTION = 30  # seconds: the cookie is rewritten at most this often


def start(user: User) -> None:
    """Log ``user`` in with a fresh server-side session (call before the commit)."""
    key = open_session(db.session, user)
    session.clear()
    login_user(user)
    session[KEY] = key
    session[SEEN] = int(time.time())


def end() -> None:
    """End this browser's session on the server and in the cookie (call before the commit)."""
    key = session.get(KEY)
    if isinstance(key, str):
        end_session(db.session, key)
    logout_user()
    session.clear()


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while their server-side session is open and
    was used within the idle timeout."""
    key, seen = session.get(KEY), session.get(SEEN)
    if not isinstance(key, str) or not isinstance(seen, int) or not user_id.isdigit():
        return None
    now = int(time.time())
    if now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        return None
    user = session_user(db.session, int(user_id), key)
    if user is not None and now - seen >= SEEN_RESOLUTION:
        session[SEEN] = now
    return user
