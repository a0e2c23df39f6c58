"""A server keeps as many database connections open as it serves requests at once: under
load it reuses them instead of opening (and the database forking) a new session for every
request beyond the pool; one the server dropped while it sat idle is replaced before a
request uses it."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest
import sqlalchemy as sa

from eoffice.config import load_config
from eoffice.db import make_engine

PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_pool_size_comes_from_the_environment(tmp_path, monkeypatch) -> None:
    assert load_config(tmp_path)["DATABASE_POOL_SIZE"] == 12
    monkeypatch.setenv("EOFFICE_DATABASE_POOL_SIZE", "30")
    assert load_config(tmp_path)["DATABASE_POOL_SIZE"] == 30


@pytest.mark.parametrize("threads", [8, 16])
def test_concurrent_requests_reuse_connections(threads: int) -> None:
    engine = make_engine(PG_URL, pool_size=threads + 4)
    opened: list[int] = []
    closed: list[int] = []
    sa.event.listen(engine, "connect", lambda *_: opened.append(1))
    sa.event.listen(engine.pool, "close", lambda *_: closed.append(1))
    rng = random.Random(7)
    pauses = [[rng.random() / 200 for _ in range(80)] for _ in range(threads)]

    def requests(mine: list[float]) -> None:  # requests of uneven length, back to back
        for pause in mine:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
                time.sleep(pause)

    try:
        workers = [threading.Thread(target=requests, args=(p,)) for p in pauses]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert len(opened) <= threads  # at most one session per thread, kept for the next
        assert not closed  # none closed while requests kept coming
    finally:
        engine.dispose()


@pytest.mark.skipif(not os.environ.get("EOFFICE_TEST_DATABASE_URL"),
                    reason="the app on PostgreSQL (EOFFICE_TEST_DATABASE_URL)")
def test_a_request_after_the_server_dropped_an_idle_connection_succeeds(app, api, monkeypatch):
    from eoffice import db as database
    from eoffice.db import db

    assert api.get("/api/v1/me", "vanthu").status_code == 200
    with app.app_context():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        db.session.rollback()
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:  # what a server restart does to every pooled connection
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # it has been idle long enough
    resp = api.get("/api/v1/me", "vanthu")
    assert resp.status_code == 200
    assert resp.get_json()["username"] == "vanthu"
