"""Two agencies number at the same time: concurrent registration and concurrent issuance in
both give each agency its own gap-free series from 1 (SQLite here, PostgreSQL with
EOFFICE_TEST_DATABASE_URL)."""

from __future__ import annotations

import multiprocessing
import runpy
from pathlib import Path

import sqlalchemy as sa
from hostile_files import plain_pdf
from numbering import register_series

from eoffice.db import db

WORKER = Path(__file__).with_name("number_worker.py")
PER_WORKER, WORKERS_PER_AGENCY = 6, 2
CLERKS = ("vanthu", "b_vanthu")


def test_concurrent_registration_in_two_agencies(app, agency_b):
    from eoffice.incoming.registration import analyse
    from eoffice.signing_services import TrustMaterial

    with app.app_context():
        url = str(db.engine.url.render_as_string(hide_password=False))
    pdf = plain_pdf("Cong van gui cac co quan")
    check = analyse(pdf, TrustMaterial())
    jobs = [(url, app.config["INSTANCE_PATH"], clerk, w, PER_WORKER, pdf, check)
            for w in range(WORKERS_PER_AGENCY) for clerk in CLERKS]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = [(clerk, reg, n) for (_, _, clerk, *_), part in
                   zip(jobs, pool.starmap(register_series, jobs), strict=True)
                   for reg, n in part]
    per_agency = WORKERS_PER_AGENCY * PER_WORKER
    for clerk in CLERKS:
        general = sorted(n for c, reg, n in results if c == clerk and reg == "chung")
        secret = sorted(n for c, reg, n in results if c == clerk and reg == "mat")
        assert general == list(range(1, per_agency - WORKERS_PER_AGENCY + 1)), clerk
        assert secret == list(range(1, WORKERS_PER_AGENCY + 1)), clerk


def _ready_to_issue(app, count: int, people: dict[str, str]) -> list[int]:
    """``count`` signed documents of one agency (drafter, head, clerk, leader given)."""
    from eoffice.auth.models import User
    from eoffice.extensions import file_store
    from eoffice.outgoing import drafting, review, signature
    from eoffice.settings import signing_settings

    with app.test_request_context(), db.transaction() as session:
        users = {u.username: u for u in session.scalars(sa.select(User))}
        settings = signing_settings()
        ids = []
        for i in range(count):
            doc = drafting.create_draft(
                session, file_store(), users[people["drafter"]],
                drafting.DraftInput(type_code="KH", subject=f"Kế hoạch {i + 1}",
                                    signer=people["leader"], body=["Nội dung."],
                                    recipients=["Các phòng, ban"]))
            review.submit(session, doc, users[people["drafter"]])
            review.approve(session, doc, users[people["head"]])
            review.approve(session, doc, users[people["clerk"]])
            ids.append(doc.id)
        signature.sign_batch(session, file_store(), ids, users[people["leader"]], settings=settings,
                       passphrase="eoffice-demo")
    db.session.remove()
    return ids


def _equip_agency_b(app, agency_b) -> None:
    """B's leader gets a key and B its own seal (issued by the instance's development CA)."""
    import signing
    from eoffice.admin import credentials
    from eoffice.auth.models import User

    pki = Path(app.config["INSTANCE_PATH"]) / "pki"
    leader = signing.issue_user(pki, "b_chutich", "Cán bộ b_chutich", passphrase="eoffice-demo")
    seal = signing.issue_user(pki, "seal-tam-dao", "UBND huyện Tam Đảo",
                              passphrase="eoffice-demo")
    with app.app_context(), db.transaction() as session:
        users = {u.username: u for u in session.scalars(sa.select(User))}
        users["b_chutich"].p12_path = str(leader.p12_path)
        admin = next(u for u in users.values()
                     if u.agency_id == agency_b.id and u.has_role("admin"))
        credentials.set_seal_credential(session, admin, p12=seal.p12_path.read_bytes())
    db.session.remove()


def test_concurrent_issuance_in_two_agencies(app, agency_b):
    from eoffice.documents.models import Document

    _equip_agency_b(app, agency_b)
    count = WORKERS_PER_AGENCY * 5
    ids = {"vanthu": _ready_to_issue(app, count, {"drafter": "chuyenvien", "head": "truongphong",
                                                  "clerk": "vanthu", "leader": "chutich"}),
           "b_vanthu": _ready_to_issue(app, count, {"drafter": "b_chuyenvien",
                                                    "head": "b_truongphong",
                                                    "clerk": "b_vanthu",
                                                    "leader": "b_chutich"})}
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2 * WORKERS_PER_AGENCY)
    processes = [ctx.Process(target=runpy.run_path, args=(str(WORKER),), kwargs={
        "run_name": "number_worker",
        "init_globals": {"URL": app.config["DATABASE_URL"], "INSTANCE": app.config[
            "INSTANCE_PATH"], "ROOTS": app.config["TRUST_ROOTS"], "CLERK": clerk,
            "IDS": ids[clerk][k::WORKERS_PER_AGENCY], "BARRIER": barrier}})
        for clerk in CLERKS for k in range(WORKERS_PER_AGENCY)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=600)
    assert [p.exitcode for p in processes] == [0] * len(processes)
    with app.app_context():
        for clerk in CLERKS:
            docs = db.session.scalars(sa.select(Document).where(
                Document.id.in_(ids[clerk]))).all()
            assert sorted(d.code_number for d in docs) == list(range(1, count + 1)), clerk
            assert {d.agency_id for d in docs} == (
                {agency_b.id} if clerk == "b_vanthu" else {docs[0].agency_id})
            assert all(d.code == f"{d.code_number:02d}/KH-UBND" for d in docs)
        db.session.remove()
