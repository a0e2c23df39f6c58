"""Search in the app: the index of this instance, the writer, the search page and API."""

from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask, current_app

from eoffice.search_app.service import OutboxWorker, SearchContext


def build_context(app: Flask) -> SearchContext:
    import search
    from eoffice.db import db

    instance = Path(app.instance_path)
    index = (search.NullIndex() if app.config.get("SEARCH_WORKER") == "off"
             else search.WhooshIndex(instance / "search-index"))
    assert db.engine is not None
    return SearchContext(index=index, files=app.extensions["eoffice.files"],
                         text_cache=instance / "text-cache", engine=db.engine)


def register(app: Flask) -> None:
    from eoffice.extensions import csrf
    from eoffice.hooks import on_demo_prepared
    from eoffice.search_app import hooks
    from eoffice.search_app.views import api, bp
    from eoffice.web.nav import add_nav

    on_demo_prepared(_index_demo_documents)
    ctx = build_context(app)
    mode = app.config.get("SEARCH_WORKER", "thread")
    worker = None
    if mode == "thread":
        worker = OutboxWorker(ctx)  # started lazily: CLI commands that only read need none
        app.before_request(worker.start)
        atexit.register(worker.stop)
    hooks.activate(ctx, mode, worker)
    app.extensions["eoffice.search"] = ctx
    app.register_blueprint(bp)
    csrf.exempt(api)
    app.register_blueprint(api)
    add_nav("Tìm kiếm", "search.page", None, order=60)


def _index_demo_documents(app: Flask) -> None:
    """The demo's sample documents are searchable as soon as the server starts."""
    from eoffice.search_app.service import drain_outbox

    drain_outbox(app.extensions["eoffice.search"])


def context() -> SearchContext:
    return current_app.extensions["eoffice.search"]
