"""One secret key for every app server of a deployment (issue 13).

Session cookies, CSRF tokens and "remember me" cookies are signed with Flask's ``SECRET_KEY``.
Servers behind one load balancer must share it, or a cookie made by one is refused by the
next (users logged out, forms failing at random). An explicitly configured key
(``EOFFICE_SECRET_KEY`` or the instance's ``config.py``) always wins. Without one, the key is
kept in the deployment's database, the one thing its servers already share: a row of
``deployment_settings`` created race-safely by the first server that needs it (INSERT … ON
CONFLICT DO NOTHING, then read back), read by every other one.

The first key stored is the instance's ``secret_key`` file when one exists, so a server that
ran before this keeps its users' sessions. The row is never shown by a route, the API, an
export or the audit log. Before the database is upgraded (``eoffice db upgrade`` builds an
app first) the instance file is used, as before.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.db import Base, db

SECRET_KEY_NAME = "secret_key"  # noqa: S105 - the row's name, not a key
_resolving = threading.Lock()


class DeploymentSetting(Base):
    """A setting shared by every server of a deployment; never shown to anyone."""

    __tablename__ = "deployment_settings"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)


def shared_secret(engine: sa.Engine, candidate: str) -> str | None:
    """The deployment's key, storing ``candidate`` if none is stored yet; None when the
    database has no ``deployment_settings`` table (not upgraded yet)."""
    if not sa.inspect(engine).has_table(DeploymentSetting.__tablename__):
        return None
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    row = DeploymentSetting
    with engine.begin() as conn:
        conn.execute(insert(row).values(name=SECRET_KEY_NAME, value=candidate)
                     .on_conflict_do_nothing(index_elements=[row.name]))
        return conn.scalar(sa.select(row.value).where(row.name == SECRET_KEY_NAME))


def _instance_key(instance: Path) -> str | None:
    path = instance / "secret_key"
    if not path.exists():
        return None
    return path.read_text().strip() or None


def resolve_secret(app: Flask) -> None:
    """Set ``app.secret_key`` from the database (once), unless it is already set."""
    if app.secret_key:
        return
    with _resolving:
        if app.secret_key:
            return
        from eoffice.config import instance_secret

        instance = Path(app.instance_path)
        candidate = _instance_key(instance) or secrets.token_urlsafe(48)
        assert db.engine is not None  # noqa: S101 - init_app configured it
        key = shared_secret(db.engine, candidate)
        app.secret_key = app.config["SECRET_KEY"] = key or instance_secret(instance)


class SharedKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the key read from the database on first use
    (a request, not the app factory: the database may be down or not upgraded then)."""

    def get_signing_serializer(self, app: Flask) -> Any:
        resolve_secret(app)
        return super().get_signing_serializer(app)


def init_app(app: Flask) -> None:
    """Without a configured key, take the deployment's key from the database when needed."""
    if not app.config.get("SECRET_KEY"):
        app.session_interface = SharedKeySessionInterface()
