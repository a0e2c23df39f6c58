"""64 registrations by 8 concurrent processes get arrival numbers 1..64 exactly once
(SQLite here, PostgreSQL with EOFFICE_TEST_DATABASE_URL); the classified register keeps its
own series meanwhile."""

from __future__ import annotations

import multiprocessing
from datetime import date

import sqlalchemy as sa

WORKERS = 8
PER_WORKER = 8


def _worker(url: str, instance: str, worker: int, pdf: bytes, check: object
            ) -> list[tuple[str, int]]:
    from eoffice import create_app
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.extensions import file_store
    from eoffice.incoming.forms import IncomingInput
    from eoffice.incoming.registration import register_incoming
    from eoffice.signing_services import TrustMaterial

    app = create_app({"DATABASE_URL": url}, instance=instance)
    numbers = []
    with app.app_context():
        for i in range(PER_WORKER):
            clerk = db.session.scalar(sa.select(User).where(User.username == "vanthu"))
            db.session.commit()  # do not hold the SQLite write lock during the file check
            secret = i == 0
            data = IncomingInput.parse({"issuer_name": f"Sở {worker}",
                                        "subject": f"Văn bản {worker}-{i}",
                                        "secrecy": "mat" if secret else "none"})
            result = register_incoming(db.session, file_store(), clerk, data,
                                       file=None if secret else pdf, trust=TrustMaterial(),
                                       classified_files=False, today=date(2026, 5, 4),
                                       check=None if secret else check)
            numbers.append((result.document.register, result.document.arrival_number))
            db.session.commit()
    return numbers


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
        results = pool.starmap(_worker, [(url, str(instance), w, scan, check)
                                              for w in range(WORKERS)])
    got = [n for part in results for n in part]
    general = sorted(n for reg, n in got if reg == "chung")
    secret = sorted(n for reg, n in got if reg == "mat")
    assert general == list(range(1, WORKERS * (PER_WORKER - 1) + 1))
    assert secret == list(range(1, WORKERS + 1))
    with app.app_context():
        stored = db.session.execute(sa.select(Document.register, Document.arrival_number)
                                    .order_by(Document.id)).all()
    assert sorted(n for reg, n in stored if reg == "chung") == general
