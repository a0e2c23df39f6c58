"""Search in the app: the index of this instance, the writer, the search page and API."""

from __future__ import annotations

import atexit
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

import search
from eoffice import background
from eoffice.config import ConfigError
from eoffice.search_app.service import OutboxWorker, SearchContext

SEARCH_BACKENDS = ("whoosh", "postgres")


def build_index(app: Flask, engine: sa.Engine) -> search.SearchIndex:
    """The index chosen by ``SEARCH_BACKEND`` (``whoosh`` by default)."""
    backend = str(app.config.get("SEARCH_BACKEND") or "whoosh").strip().lower()
    if app.config.get("SEARCH_WORKER") == "off":
        return search.NullIndex()
    if backend == "whoosh":
        return search.WhooshIndex(Path(app.instance_path) / "search-index")
    if backend == "postgres":
        if engine.dialect.name != "postgresql":
            raise ConfigError("EOFFICE_SEARCH_BACKEND=postgres cần EOFFICE_DATABASE_URL là "
                              "PostgreSQL (postgresql+psycopg://…) / needs a PostgreSQL "
                              "database.")
        return search.PostgresIndex(engine)
    raise ConfigError(f"EOFFICE_SEARCH_BACKEND không hợp lệ: {backend!r} (chọn một trong "
                      f"{', '.join(SEARCH_BACKENDS)}) / unknown search backend.")


def build_context(app: Flask) -> SearchContext:
    from eoffice.db import db

    instance = Path(app.instance_path)
    assert db.engine is not None
    index = build_index(app, db.engine)
    return SearchContext(index=index, files=app.extensions["eoffice.files"],
                         text_cache=instance / "text-cache", engine=db.engine)


def register(app: Flask) -> None:
    from eoffice.extensions import csrf
    from eoffice.hooks import demo_ready, reclassified
    from eoffice.search_app import hooks
    from eoffice.search_app.views import api, bp
    from eoffice.web.nav import add_nav

    demo_ready.connect(_index_demo_documents)
    reclassified.connect(_forget_text)
    ctx = build_context(app)
    mode = app.config.get("SEARCH_WORKER", "thread")
    wake: Callable[[], None] | None = None
    if mode == "thread" and app.config.get("BROKER_URL"):
        mode = "celery"  # `eoffice worker` processes apply the outbox
        wake = partial(background.nudge, "search.drain", app)  # coalesced
    elif mode == "thread":
        worker = OutboxWorker(ctx)  # started lazily: CLI commands that only read need none
        app.before_request(worker.start)
        atexit.register(worker.stop)
        wake = worker.wake
    hooks.activate(ctx, mode, wake)
    app.extensions["eoffice.search"] = ctx
    app.register_blueprint(bp)
    csrf.exempt(api)
    app.register_blueprint(api)
    add_nav(app, "Tìm kiếm", "search.page", None, order=60)


@background.task("search.drain")
def _drain(app: Flask) -> None:
    """Apply the search outbox (claimed rows; several workers share the work)."""
    from eoffice.search_app.service import drain_outbox

    drain_outbox(app.extensions["eoffice.search"])


background.sweep("search.drain", every=2.0)


def _forget_text(document: Any, *, session: Any) -> None:
    """A newly classified document's extracted text leaves the text cache now, and again
    after the commit (in case the index writer was extracting it meanwhile); the index
    entry itself is purged after the commit by the search hooks."""
    from eoffice.documents.classified import after_commit

    if not document.is_classified:
        return
    cache = context().text_cache
    shas = {f.sha256 for f in document.files} | {document.current_file_sha} - {None}
    paths = [cache / f"{sha}.txt" for sha in shas]

    def forget() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    forget()
    after_commit(session, forget)


def _index_demo_documents(app: Flask) -> None:
    """The demo's sample documents are searchable as soon as the server starts."""
    from eoffice.search_app.service import drain_outbox

    drain_outbox(app.extensions["eoffice.search"])


def context() -> SearchContext:
    return current_app.extensions["eoffice.search"]
