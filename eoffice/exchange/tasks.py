"""Exchange delivery as background work (:mod:`eoffice.background`).

With a broker (``EOFFICE_BROKER_URL``) and a hub (``EOFFICE_EXCHANGE_HUB``), ``eoffice
worker`` processes do the exchange beside indexing:

- ``exchange.relay`` publishes the outbox; the web process asks for it after committing a
  package (and every worker sweeps every few seconds, for a lost message);
- the ``exchange.receive`` service (a thread of every worker) consumes the hub: batches
  verified, applied, committed, then acknowledged;
- ``exchange.check_pdfs`` checks the PDF signatures of received packages (verdict
  ``pending`` until then), asked for when the receiving side goes idle, and swept.

Without a broker, ``eoffice exchange worker`` does all of it in one process. The outbox and
the applied message ids stay the durable record either way.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from eoffice import background
from eoffice.exchange.worker import ExchangeWorker

log = logging.getLogger(__name__)

_local = threading.local()  # a hub connection is not thread-safe: one worker per thread
_relay_lock = threading.Lock()  # one publisher per process (SKIP LOCKED between processes)
_check_lock = threading.Lock()


def _configured(app: Flask) -> bool:
    return bool(app.config.get("EXCHANGE_HUB"))


def _worker(app: Flask) -> ExchangeWorker:
    worker: ExchangeWorker | None = getattr(_local, "worker", None)
    if worker is None or worker.app is not app:
        worker = ExchangeWorker(app)
        _local.worker = worker
    return worker


@background.task("exchange.relay")
def relay(app: Flask) -> None:
    """Publish the due outbox rows (batched, publisher confirms)."""
    if not _configured(app):
        return
    with _relay_lock:
        _worker(app).relay()


@background.task("exchange.check_pdfs")
def check_pdfs(app: Flask, limit: int = 50) -> None:
    """The deferred PDF verdicts of received packages."""
    if not _configured(app) or not _check_lock.acquire(blocking=False):
        return  # another thread of this process is checking them
    try:
        _worker(app).check_pdfs(limit=limit)
    finally:
        _check_lock.release()


background.sweep("exchange.relay", every=5.0)
background.sweep("exchange.check_pdfs", every=10.0)


@background.service("exchange.receive")
def receive(app: Flask, stop: threading.Event) -> None:
    """Consume the hub until ``stop``; when the queues go idle after documents came in,
    ask for their PDF checks (deliveries first)."""
    if not _configured(app):
        return
    worker = ExchangeWorker(app)
    worker.on_idle = lambda: background.submit("exchange.check_pdfs", app)
    worker.run(stop=stop, relay=False, checks=False)


def nudge_relay(session: Session) -> None:
    """After this transaction commits, ask a worker to publish the outbox now (with a
    broker; without one ``eoffice exchange worker`` polls the outbox)."""
    from eoffice.documents.classified import after_commit

    if not current_app.config.get("BROKER_URL"):
        return
    # flask declares current_app as a Flask, hiding the LocalProxy that holds the app
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(session, lambda: background.submit("exchange.relay", app))
