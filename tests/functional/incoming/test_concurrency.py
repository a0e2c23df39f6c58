"""64 registrations by 8 concurrent processes get arrival numbers 1..64 exactly once
(SQLite here, PostgreSQL with EOFFICE_TEST_DATABASE_URL); the classified register keeps its
own series meanwhile."""

from __future__ import annotations

import multiprocessing

import sqlalchemy as sa
from numbering import register_series

WORKERS = 8
PER_WORKER = 8


def test_concurrent_registrations_get_each_number_once(app, database, instance, scan):
    from eoffice.db import db
    from eoffice.documents.models import Document

    with app.app_context():
        url = str(db.engine.url.render_as_string(hide_password=False))
    # the file check (a sandboxed child per file) is tested elsewhere; done once here so the
    # test measures the numbering, not 56 interpreter starts
    from eoffice.incoming.registration import analyse
    from eoffice.signing_services import TrustMaterial

    check = analyse(scan, TrustMaterial())
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WORKERS) as pool:
        results = pool.starmap(register_series, [(url, str(instance), "vanthu", w, PER_WORKER,
                                                  scan, check) for w in range(WORKERS)])
    got = [n for part in results for n in part]
    general = sorted(n for reg, n in got if reg == "chung")
    secret = sorted(n for reg, n in got if reg == "mat")
    assert general == list(range(1, WORKERS * (PER_WORKER - 1) + 1))
    assert secret == list(range(1, WORKERS + 1))
    with app.app_context():
        stored = db.session.execute(sa.select(Document.register, Document.arrival_number)
                                    .order_by(Document.id)).all()
    assert sorted(n for reg, n in stored if reg == "chung") == general
