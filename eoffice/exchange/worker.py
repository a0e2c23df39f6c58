"""The exchange worker: gives the outbox to the hub and applies what the hub holds for the
deployment's agencies.

Outbox: the due rows are published as one batch (publisher confirms) and marked sent in one
transaction; on PostgreSQL they are claimed with ``FOR UPDATE SKIP LOCKED`` so that several
workers share the outbox. A failure (hub down, no confirm) schedules the next try with an
exponential backoff, so nothing is lost when the hub or eoffice restarts (a row published
but not yet marked is published again: the receiver ignores the duplicate).

Inbox: the hub pushes messages (prefetch); each batch of what has arrived is verified
outside any transaction (XML signature, signer's chain), applied in one transaction (one
savepoint per message, its message id remembered with its effect), committed, and only
then acknowledged. A redelivered message whose id is already applied is acknowledged and
ignored.

The PDF signatures of received documents are checked afterwards (``check_pdfs``, in the
sandbox), when the queues are idle: their verdict is ``pending`` until then.

Transactions: the worker runs outside any request, so it writes through
:meth:`eoffice.db.Database.transaction` (commit on success, rollback on error) in three
units of work, none spanning a call to the hub or the sandbox: (1) an outbox batch marked
sent, or its failures and next tries, once the hub has answered; (2) a batch of received
messages applied (a savepoint each), committed before they are acknowledged; (3) one
received delivery's PDF verdict, after its sandboxed check. Reads are rolled back before
any call to the hub or the sandbox (on PostgreSQL the claimed outbox rows stay locked
until (1)).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from eoffice.db import db, utcnow
from eoffice.exchange import amqp, packages, service
from eoffice.exchange.models import ExchangeDelivery, ExchangeOutbox
from eoffice.extensions import file_store

log = logging.getLogger(__name__)

BATCH = 20
IDLE_BEFORE_CHECKS = 1.0
"""Seconds without any message before the (slow, sandboxed) PDF checks run, one at a time:
deliveries first, a message that arrives waits for one check at most."""
"""Messages applied per transaction: one commit (one fsync) for all of them, while the
audit chain's head row stays locked for a fraction of a second only."""


@dataclass
class Counts:
    published: int = 0
    failed: int = 0
    applied: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class ExchangeWorker:
    def __init__(self, app: Flask, *, batch: int | None = None) -> None:
        self.app = app
        with app.app_context():
            url, prefix = service.hub_url(), service.queue_prefix()
        if not url:
            raise ValueError("EXCHANGE_HUB is not configured")
        self.hub = amqp.Hub(url, prefix=prefix)
        self.batch = max(1, min(500, int(batch or app.config.get("EXCHANGE_BATCH") or BATCH)))
        self.counts = Counts()
        self._codes: tuple[float, list[str]] = (0.0, [])
        self._hub_failures = 0
        self._unchecked = 0
        self._last_message = 0.0
        self.on_idle: Callable[[], None] | None = None
        """Called when the queues go idle after documents came in (instead of checking
        their PDFs here: ``step(checks=False)``)."""

    def agency_codes(self) -> list[str]:
        """The deployment's agencies (read again every minute: a new agency gets its queue)."""
        from eoffice.auth.models import Agency

        read_at, codes = self._codes
        if codes and time.monotonic() - read_at < 60:
            return codes
        with self.app.app_context():
            codes = list(db.session.scalars(sa.select(Agency.agency_code)))
            db.session.remove()
        self._codes = (time.monotonic(), codes)
        return codes

    # -- outbox --------------------------------------------------------------------------
    def relay(self, limit: int = 200) -> int:
        """Publish the due outbox rows; returns how many the hub confirmed."""
        done = 0
        with self.app.app_context():
            try:
                while True:
                    sent, failed, full = self._relay_batch(limit)
                    done += sent
                    if failed or not full:
                        break  # the hub is away (try again after the backoff), or all sent
            finally:
                db.session.remove()
        self.counts.published += done
        return done

    def _relay_batch(self, limit: int) -> tuple[int, int, bool]:
        session = db.session
        query = (sa.select(ExchangeOutbox.id, ExchangeOutbox.destination,
                           ExchangeOutbox.message_id, ExchangeOutbox.body, ExchangeOutbox.kind,
                           ExchangeOutbox.attempts)
                 .where(ExchangeOutbox.sent_at.is_(None),
                        ExchangeOutbox.next_attempt_at <= utcnow())
                 .order_by(ExchangeOutbox.id).limit(limit))
        claimed = session.get_bind().dialect.name == "postgresql"
        if claimed:  # the rows stay locked (skipped by other workers) until marked
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        if not claimed:
            session.rollback()  # SQLite: no write lock held while talking to the hub
        if not rows:
            session.rollback()
            return 0, 0, False
        errors = self.hub.publish_many([
            amqp.Outgoing(r.destination, r.message_id, r.body, r.kind) for r in rows])
        now = utcnow()
        sent = [r.id for r, error in zip(rows, errors, strict=True) if error is None]
        failed = 0
        # unit of work 1: the batch's outcome (on PostgreSQL, in the transaction that claimed
        # the rows; on SQLite, a new one after the hub answered)
        with db.transaction():
            if sent:
                session.execute(
                    sa.update(ExchangeOutbox)
                    .where(ExchangeOutbox.id.in_(sent), ExchangeOutbox.sent_at.is_(None))
                    .values(sent_at=now))
            for row, error in zip(rows, errors, strict=True):
                if error is not None:
                    failed += 1
                    session.execute(
                        sa.update(ExchangeOutbox).where(ExchangeOutbox.id == row.id)
                        .values(attempts=row.attempts + 1, last_error=error[:500],
                                next_attempt_at=now + timedelta(
                                    seconds=amqp.backoff(row.attempts + 1))))
        self.counts.failed += failed
        return len(sent), failed, len(rows) == limit

    # -- inbox ---------------------------------------------------------------------------
    def _apply_batch(self, messages: list[amqp.Delivery]) -> list[amqp.Delivery]:
        """Verify the messages, apply them in one transaction, commit; returns those whose
        effect is committed (a message that raises is left to the hub with the rest)."""
        with self.app.app_context():
            trust = service.exchange_trust()
            verified = [packages.read(m.body, trust) for m in messages]  # no lock held
            committed: list[tuple[amqp.Delivery, str]] = []
            try:
                store = file_store()
                # unit of work 2: the batch's effects, committed before the acknowledgements
                with db.transaction() as session:
                    for message, received in zip(messages, verified, strict=True):
                        try:
                            with session.begin_nested():
                                outcome = packages.apply_package(
                                    session, store, message.body, trust, source="hub",
                                    msg_id=packages.message_id(message.body), by="hub",
                                    received=received)
                        except Exception:
                            log.exception("exchange message %s not applied",
                                          message.message_id)
                            break
                        committed.append((message, outcome.outcome))
            finally:
                db.session.remove()
        self._last_message = time.monotonic()
        for _message, name in committed:
            self._unchecked += name == "applied"
            self.counts.applied += 1
            self.counts.outcomes[name] = self.counts.outcomes.get(name, 0) + 1
        return [message for message, _ in committed]

    def check_pdfs(self, limit: int = 20) -> int:
        """The PDF signatures of received packages, checked after the message was taken
        (in the sandbox, outside any transaction), so that the hub is never held up."""
        done = 0
        with self.app.app_context():
            try:
                todo = [(d.id, [f["sha256"] for f in d.files or []],
                         (d.verdict or {}).get("package", {}).get("signer"))
                        for d in packages.pending_checks(db.session, limit)]
                db.session.rollback()
                store = file_store()
                for delivery_id, shas, signer in todo:
                    verdicts = [service.pdf_verdict(store.get(sha)) for sha in shas]
                    with db.transaction() as session:  # unit of work 3: one verdict
                        delivery = session.get(ExchangeDelivery, delivery_id,
                                               with_for_update=True)
                        if delivery is not None and (delivery.verdict or {}).get(
                                "verdict") == packages.PENDING:  # another worker was first?
                            delivery.verdict = packages.combine_verdict(signer, verdicts)
                    done += 1
            finally:
                db.session.remove()
        return done

    def receive(self, seconds: float = 1.0, idle: float = 0.2) -> int:
        """Apply what the hub pushes for up to ``seconds`` (less when nothing comes for
        ``idle`` seconds)."""
        return self.hub.consume_batches(self.agency_codes(), self._apply_batch,
                                        seconds=seconds, prefetch=5 * self.batch,
                                        batch=self.batch, idle=idle)

    # -- loop ----------------------------------------------------------------------------
    def step(self, seconds: float = 1.0, *, relay: bool = True, checks: bool = True,
             eager: bool = False) -> int:
        """One round: publish what is due, then apply what comes (waiting up to 0.2 s for
        it); when nothing came for a while (at once if ``eager``), one PDF check. Returns
        the work done."""
        try:
            work = (self.relay() if relay else 0) + self.receive(seconds)
            self._hub_failures = 0
        except amqp.HubError as exc:
            self._hub_failures += 1
            log.warning("exchange hub unreachable: %s", exc)
            self.hub.close()
            time.sleep(min(30.0, amqp.backoff(self._hub_failures, base=1.5)))
            return 0
        # deliveries first: the PDF checks (slow, sandboxed) run when the queues are idle
        if work:
            return work
        if not eager and time.monotonic() - self._last_message < IDLE_BEFORE_CHECKS:
            return 0
        if checks:
            return self.check_pdfs(limit=1)
        if self._unchecked and self.on_idle is not None:
            self._unchecked = 0
            self.on_idle()
        return 0

    def run(self, *, stop: threading.Event | None = None, max_seconds: float | None = None,
            until_idle: bool = False, relay: bool = True, checks: bool = True) -> Counts:
        started = time.monotonic()
        failures = 0
        while not (stop and stop.is_set()):
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
            try:
                work = self.step(relay=relay, checks=checks, eager=until_idle)
                failures = 0
            except Exception:  # noqa: BLE001 - a message that could not be applied stays queued
                failures += 1
                log.exception("exchange worker step failed")
                time.sleep(min(30.0, amqp.backoff(failures, base=1.5)))
                continue
            if work == 0 and until_idle:
                break
        self.hub.close()
        return self.counts
