"""The outbox: concurrent writers lose nothing; a killed writer leaves a gap that
`eoffice search verify` reports and `eoffice search reindex` repairs."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest

from eoffice.cli import cli


def _update_many(url: str, instance: str, worker: int, count: int) -> None:
    import sqlalchemy as sa

    from eoffice import create_app
    from eoffice.db import db
    from eoffice.documents.models import Document
    from eoffice.documents.operations import mark_changed

    app = create_app({"DATABASE_URL": url, "SEARCH_WORKER": "sync"}, instance=instance)
    with app.app_context():
        ids = db.session.scalars(sa.select(Document.id).order_by(Document.id)).all()
        db.session.rollback()
        for i in range(count):
            document = db.session.get(Document, ids[(worker + i) % len(ids)])
            document.subject = f"Công văn cập nhật lần {i} của tiến trình {worker} sigmaword"
            mark_changed(db.session, document)
            db.session.commit()


@pytest.mark.slow
def test_four_processes_updating_lose_nothing(app, docs, instance):
    for i in range(8):
        docs.create(f"Văn bản {i}")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_update_many,
                         args=(app.config["DATABASE_URL"], str(instance), w, 25))
             for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=300)
        assert proc.exitcode == 0
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["--instance", str(instance), "search", "verify"],
                           env={"EOFFICE_DATABASE_URL": app.config["DATABASE_URL"]})
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_killed_writer_gap_is_reported_and_repaired(app, docs, instance):
    app.config["SEARCH_WORKER"] = "external"
    from eoffice.search_app import hooks

    ctx = app.extensions["eoffice.search"]
    hooks.activate(ctx, "external", None)  # nothing applied in-process: the worker must do it
    for i in range(30):
        docs.create(f"Báo cáo tình hình {i}", content=f"Nội dung báo cáo số {i} kappaword")
    env = {**os.environ, "EOFFICE_DATABASE_URL": app.config["DATABASE_URL"]}
    worker = subprocess.Popen([sys.executable, "-m", "eoffice.cli", "--instance", str(instance),
                               "search", "worker", "--interval", "0.2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # mid-batch: text extraction of 30 PDFs takes longer than this
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    runner = app.test_cli_runner()
    cli_env = {"EOFFICE_DATABASE_URL": app.config["DATABASE_URL"]}
    result = runner.invoke(cli, ["--instance", str(instance), "search", "verify"], env=cli_env)
    assert result.exit_code == 1 and "Thiếu trong chỉ mục" in result.output
    result = runner.invoke(cli, ["--instance", str(instance), "search", "reindex"], env=cli_env)
    assert result.exit_code == 0 and "30" in result.output
    result = runner.invoke(cli, ["--instance", str(instance), "search", "verify"], env=cli_env)
    assert result.exit_code == 0, result.output


def test_embedded_writer_thread_applies_after_commit(app, docs, search_api):
    from eoffice.search_app import hooks
    from eoffice.search_app.service import OutboxWorker

    ctx = app.extensions["eoffice.search"]
    worker = OutboxWorker(ctx, interval=0.2)
    worker.start()
    hooks.activate(ctx, "thread", worker.wake)
    try:
        docs.create("Giấy mời họp giao ban lambdaword")
        deadline = time.monotonic() + 20
        while search_api("lambdaword")["total"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert search_api("lambdaword")["total"] == 1
    finally:
        worker.stop()


class _Broker:
    """A broker and one worker: messages are queued and handled in order by a thread."""

    def __init__(self, app) -> None:
        import queue
        import threading

        self.app = app
        self.sent: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._thread.start()

    def send_task(self, name: str, kwargs: dict, queue: str) -> None:
        self.sent.append(name)
        self._queue.put(name)

    def _work(self) -> None:
        from eoffice import background

        while (name := self._queue.get()) is not None:
            background.run(self.app, name)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(60)


@pytest.mark.parametrize("app_config", [{"BROKER_URL": "redis://broker.invalid",
                                         "SEARCH_WORKER": "thread"}])
def test_a_burst_of_commits_sends_few_nudges_and_every_document_is_found(
        app, docs, search_api, monkeypatch):
    """With a broker, each commit nudges the worker, but a burst of them sends one message
    per short window (and one after the last commit): nothing is left unindexed."""
    from eoffice import background

    monkeypatch.setattr(background, "NUDGE_WINDOW", 1.0)
    broker = _Broker(app)
    monkeypatch.setattr(app.extensions["eoffice.background"], "_celery", broker)
    try:
        count = 12
        for i in range(count):
            docs.create(f"Công văn đợt cao điểm số {i} omegaburst")
        deadline = time.monotonic() + 30
        while search_api("omegaburst")["total"] < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert search_api("omegaburst")["total"] == count
        assert 1 <= len(broker.sent) < count
    finally:
        broker.close()
