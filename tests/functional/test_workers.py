"""Background work on Celery (issue 13, acceptance 3): a worker killed with SIGKILL in the
middle of 500 index jobs loses nothing — after a restart `eoffice search verify` exits 0.

Real parts: PostgreSQL (the outbox, claimed with FOR UPDATE SKIP LOCKED, and the search
backend), Redis (the broker), `eoffice worker` processes.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("EOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
EOFFICE = str(Path(sys.executable).parent / "eoffice")


@pytest.fixture
def distributed(instance: Path, cheap_passwords: None) -> Iterator[dict[str, str]]:
    """Settings of a deployment on PostgreSQL + Redis, in a private schema and queue."""
    schema = "w_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    env = {"EOFFICE_DATABASE_URL": f"{PG_URL}{sep}options=-csearch_path%3D{schema}",
           "EOFFICE_SEARCH_BACKEND": "postgres", "EOFFICE_BROKER_URL": REDIS_URL,
           "EOFFICE_BROKER_QUEUE": f"eoffice-test-{schema}",
           "EOFFICE_STORAGE_URL": os.environ.get("EOFFICE_STORAGE_URL", "")}
    from eoffice.migrate import upgrade

    upgrade(env["EOFFICE_DATABASE_URL"])
    yield env
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def app(distributed: dict[str, str], instance: Path, storage_url: str | None):
    """This test's app: the web side of the deployment (it only writes the outbox)."""
    from eoffice import create_app
    from eoffice.db import db
    from eoffice.demo import seed_agency

    config = {k.removeprefix("EOFFICE_"): v for k, v in distributed.items()}
    config.update({"TESTING": True, "SEARCH_WORKER": "external", "STORAGE_URL": storage_url})
    app = create_app(config, instance=instance)
    with app.app_context(), db.transaction() as session:
        seed_agency(session)
    yield app
    db.session.remove()
    db.engine.dispose()


def _env(distributed: dict[str, str], instance: Path) -> dict[str, str]:
    env = {**os.environ, **distributed, "EOFFICE_INSTANCE": str(instance)}
    if os.environ.get("EOFFICE_STORAGE_URL"):
        env["EOFFICE_STORAGE_URL"] = os.environ["EOFFICE_STORAGE_URL"]
    return env


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([EOFFICE, "worker", "--concurrency", "2"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _pending(app) -> int:
    from eoffice.db import db
    from eoffice.documents.models import SearchOutbox

    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
        db.session.rollback()
        return int(count or 0)


def _wait(predicate, what: str, limit: float = 600.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def _verify(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EOFFICE, "search", "verify"], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.distributed
def test_a_worker_killed_mid_500_index_jobs_loses_nothing(app, docs, distributed, instance,
                                                          tmp_path):
    ids = [docs.create(f"Công văn số {i} về chuyển đổi số",
                       content=f"Nội dung văn bản {i} mã {uuid.uuid4().hex[:8]}")
           for i in range(500)]
    assert _pending(app) == 500
    env = _env(distributed, instance)
    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    try:
        _wait(lambda: _pending(app) < 500 or worker.poll() is not None, "first batch")
        assert worker.poll() is None, log.read_text()
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # kill -9, mid-work
        worker.wait()
    left = _pending(app)
    assert 0 < left < 500, "the worker was killed in the middle of the jobs"
    before = _verify(env)
    assert before.returncode == 1 and "Thiếu" in before.stdout  # the gap is real

    worker = _start_worker(env, log)
    try:
        _wait(lambda: _pending(app) == 0, "the restarted worker drains the outbox")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    after = _verify(env)
    assert after.returncode == 0, after.stdout + after.stderr
    search_ctx = app.extensions["eoffice.search"]
    assert set(search_ctx.index.stamps()) == {str(i) for i in ids}


@pytest.mark.distributed
def test_deadline_reminders_are_sent_by_the_celery_worker(app, api, distributed, instance,
                                                          tmp_path):
    """The reminder sweep runs in `eoffice worker` (Celery on Redis), not in the web."""
    from datetime import date

    from hostile_files import plain_pdf

    from eoffice.db import db
    from eoffice.incoming.models import Reminder

    app.config["TODAY"] = date(2026, 3, 2)
    resp = api.post("/api/v1/incoming", "vanthu", content_type="multipart/form-data", data={
        "issuer_name": "Sở Nội vụ", "subject": "Về việc báo cáo",
        "file": (io.BytesIO(plain_pdf()), "vb.pdf", "application/pdf")})
    assert resp.status_code == 201, resp.get_json()
    doc_id = resp.get_json()["id"]
    # no signature at all: its verdict comes with the registration, nothing is left to check
    assert resp.get_json()["validation"]["verdict"] == "unsigned"
    resp = api.post(f"/api/v1/incoming/{doc_id}/direction", "chutich", json={
        "instruction": "Giao VHTT.", "lead": "VHTT", "deadline": "2026-03-10"})
    assert resp.status_code == 200, resp.get_json()

    def reminders() -> list[str]:
        with app.app_context():
            kinds = list(db.session.scalars(sa.select(Reminder.kind).where(
                Reminder.document_id == doc_id, Reminder.sender_id.is_(None))))
            db.session.rollback()
            return kinds

    def verdict() -> str:
        doc = api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()
        return str(doc["validation"]["verdict"])

    env = {**_env(distributed, instance), "EOFFICE_TODAY": "2026-03-11"}
    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    try:
        _wait(lambda: reminders() == ["overdue"] or worker.poll() is not None, "the reminder")
        assert worker.poll() is None, log.read_text()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    assert verdict() == "unsigned"
