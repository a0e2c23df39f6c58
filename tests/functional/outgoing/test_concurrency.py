"""40 documents issued by 4 processes at once: numbers 01…40 exactly once each, every
code matching its number, in the PDF too (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import runpy
import subprocess
from pathlib import Path

import sqlalchemy as sa

from eoffice.db import db

WORKER = Path(__file__).with_name("issue_worker.py")
COUNT, PROCESSES = 40, 4


def _prepare_signed(app, count: int) -> list[int]:
    """``count`` documents ready to be issued, made with the real operations."""
    from eoffice.auth.models import User
    from eoffice.extensions import file_store
    from eoffice.outgoing import drafting, review, signature
    from eoffice.signing_services import settings_from_config

    with app.app_context(), db.transaction() as session:
        users = {u.username: u for u in session.scalars(sa.select(User))}
        settings = settings_from_config(app.config)
        ids = []
        for i in range(count):
            doc = drafting.create_draft(session, file_store(), users["chuyenvien"],
                                        drafting.DraftInput(
                type_code="KH", subject=f"Kế hoạch số thứ tự {i + 1}", signer="chutich",
                body=["Nội dung."], recipients=["Các phòng, ban"]))
            review.submit(session, doc, users["chuyenvien"])
            review.approve(session, doc, users["truongphong"])
            review.approve(session, doc, users["vanthu"])
            ids.append(doc.id)
        signature.sign_batch(session, file_store(), ids, users["chutich"], settings=settings,
                       passphrase="eoffice-demo")
    db.session.remove()
    return ids


def test_concurrent_issuance_is_gap_free(app, api, instance):
    ids = _prepare_signed(app, COUNT)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    processes = [ctx.Process(target=runpy.run_path, args=(str(WORKER),), kwargs={
        "run_name": "issue_worker",
        "init_globals": {"URL": app.config["DATABASE_URL"], "INSTANCE": str(instance),
                         "ROOTS": app.config["TRUST_ROOTS"], "IDS": ids[k::PROCESSES],
                         "BARRIER": barrier}}) for k in range(PROCESSES)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=600)
    assert [p.exitcode for p in processes] == [0] * PROCESSES

    from eoffice.documents.models import Document

    with app.app_context():
        docs = db.session.scalars(sa.select(Document).where(Document.id.in_(ids))).all()
        numbers = sorted(d.code_number for d in docs)
        assert numbers == list(range(1, COUNT + 1))
        assert all(d.code == f"{d.code_number:02d}/KH-UBND" and d.state == "issued"
                   for d in docs)
        db.session.remove()
    for doc_id in ids[:: 7]:
        meta = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
        pdf = api.get(f"/api/v1/documents/{doc_id}/file", "vanthu").data
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()
        assert f"Số: {meta['code']}" in text
