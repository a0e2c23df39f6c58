"""Database layer: declarative base, naming convention, enum columns, engine and sessions."""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware current time in UTC (stored as naive UTC for portability)."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A portable enum column: stored as its string value, guarded by a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def make_engine(url: str, *, pool_size: int = 12, **kwargs: Any) -> sa.Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE;
    a server database keeps ``pool_size`` connections open (see DATABASE_POOL_SIZE).

    BEGIN IMMEDIATE makes every SQLite transaction take the write lock up front, which is what
    keeps counters (document numbers, arrival numbers, the audit chain) free of duplicates and
    gaps when several processes write at once (see FIELD-NOTES).
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = sa.create_engine(url, pool_size=max(1, min(pool_size, 500)), **kwargs)
    ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 1.0
"""A pooled connection unused for longer is pinged before it is handed out."""
_IDLE_SINCE = "eoffice.idle_since"


def ping_when_idle(engine: sa.Engine) -> None:
    """Ping a pooled connection on checkout only when it has been idle for longer than
    :data:`IDLE_PING_SECONDS`
    (``pool_pre_ping`` pings on every checkout: a round trip per request under load, where
    connections come back to the pool and leave again within milliseconds). A failed ping
    invalidates the whole pool (as ``pool_pre_ping`` does: the server restarted) and the
    checkout takes a new connection, so a request after a quiet period never meets a dead
    one."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # a new connection, or one in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            if not engine.dialect.is_disconnect(exc, dbapi_conn, None):
                raise
            alive = False
        if not alive:
            raise sa.exc.InvalidatePoolError()


def rows_changed(session: Session, statement: sa.Update | sa.Delete) -> int:
    """Run a bulk UPDATE or DELETE and return how many rows it changed."""
    result = session.execute(statement)
    if not isinstance(result, sa.CursorResult):  # pragma: no cover - DML yields a cursor
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount


@contextmanager
def keeping_loaded(session: Session, *objects: Any) -> Iterator[None]:
    """Keep these unchanged objects of ``session`` as they are loaded through a rollback in
    the block (a rollback expires every object: the next read of one queries it again).
    They leave the session for the block and come back after it, with their loaded
    relationships' objects (their cascade)."""
    kept = [obj for obj in objects
            if obj is not None and obj in session and not session.is_modified(obj)]
    for obj in kept:
        session.expunge(obj)
    try:
        yield
    finally:
        for obj in kept:
            session.add(obj)


class ScopedSession(Session):
    """How the code sees ``db.session``: the current scope's :class:`Session` (the scoped
    registry proxies every Session method to it), plus the registry's own ``remove`` and
    ``configure``. Typing only: at run time it is a :class:`scoped_session`."""

    def remove(self) -> None:
        raise NotImplementedError  # pragma: no cover - provided by scoped_session

    def configure(self, **kwargs: Any) -> None:
        raise NotImplementedError  # pragma: no cover - provided by scoped_session

    def __call__(self) -> Session:
        raise NotImplementedError  # pragma: no cover - provided by scoped_session


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """A unit of work outside a request: commit on success, roll back on error.

    With the request boundary (:mod:`eoffice.web.transaction`) this is the only place that
    commits. Its users: the CLI (``eoffice agency|users …``, ``repair --fix``), demo
    seeding, and the background loops, each unit of work named where it is used: the
    exchange worker (three, :mod:`eoffice.exchange.worker`), the deadline reminder sweep
    (one per reminder, :mod:`eoffice.incoming.deadlines`), the deferred signature checks
    (one per document, :mod:`eoffice.signature_checks`). The search writer commits its
    outbox deletes on its own engine (``with session.begin()`` in
    :mod:`eoffice.search_app.service`)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


class Database:
    """Engine plus a scoped session, bound to a Flask app by ``init_app`` (or used alone)."""

    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        self.session: ScopedSession = cast(ScopedSession, scoped_session(sessionmaker()))

    def configure(self, url: str, pool_size: int = 12) -> None:
        if self.engine is not None:
            self.session.remove()
            self.engine.dispose()
        self.engine = make_engine(url, pool_size=pool_size)
        self.session.configure(bind=self.engine, expire_on_commit=False)

    def init_app(self, app: Any) -> None:
        self.configure(app.config["DATABASE_URL"], int(app.config["DATABASE_POOL_SIZE"]))

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work outside a request on ``db.session`` (see :func:`unit_of_work`)."""
        with unit_of_work(self.session()) as session:
            yield session


db = Database()
