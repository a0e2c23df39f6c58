"""The exchange worker: gives the outbox to the hub and applies what the hub holds for the
deployment's agencies.

Outbox: each row is published with publisher confirms and marked sent in its own
transaction; a failure (hub down, no confirm) schedules the next try with an exponential
backoff, so nothing is lost when the hub or eoffice restarts (a row published but not yet
marked is published again: the receiver ignores the duplicate).

Inbox: a message is acknowledged only after its effect (and its message id) is committed;
a redelivered message whose id is already applied is acknowledged and ignored.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from eoffice.db import db, utcnow
from eoffice.exchange import amqp, packages, service
from eoffice.extensions import file_store

log = logging.getLogger(__name__)


@dataclass
class Counts:
    published: int = 0
    failed: int = 0
    applied: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class ExchangeWorker:
    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            url, prefix = service.hub_url(), service.queue_prefix()
        if not url:
            raise ValueError("EXCHANGE_HUB is not configured")
        self.hub = amqp.Hub(url, prefix=prefix)
        self.counts = Counts()

    def agency_codes(self) -> list[str]:
        from eoffice.auth.models import Agency

        with self.app.app_context():
            codes = list(db.session.scalars(sa.select(Agency.agency_code)))
            db.session.remove()
        return codes

    # -- outbox --------------------------------------------------------------------------
    def relay(self, limit: int = 200) -> int:
        """Publish the due outbox rows; returns how many the hub confirmed."""
        from datetime import timedelta

        done = 0
        with self.app.app_context():
            try:
                ids = [row.id for row in packages.pending(db.session, limit=limit)]
                db.session.rollback()
                for row_id in ids:
                    from eoffice.exchange.models import ExchangeOutbox

                    row = db.session.get(ExchangeOutbox, row_id)
                    if row is None or row.sent_at is not None:
                        db.session.rollback()
                        continue
                    destination, message_id, body, kind = (row.destination, row.message_id,
                                                           row.body, row.kind)
                    db.session.rollback()  # no database lock while talking to the hub
                    try:
                        self.hub.publish(destination, message_id, body, kind=kind)
                        error = ""
                    except (amqp.NotDelivered, *amqp.HubError) as exc:
                        error = f"{type(exc).__name__}: {exc}"[:500]
                        self.hub.close()
                    row = db.session.get(ExchangeOutbox, row_id)
                    assert row is not None
                    if error:
                        row.attempts += 1
                        row.last_error = error
                        row.next_attempt_at = utcnow() + timedelta(
                            seconds=amqp.backoff(row.attempts))
                        self.counts.failed += 1
                    else:
                        row.sent_at = utcnow()
                        done += 1
                    db.session.commit()
                    if error:
                        break  # the hub is away: try again after the backoff
            finally:
                db.session.remove()
        self.counts.published += done
        return done

    # -- inbox ---------------------------------------------------------------------------
    def _apply(self, message: amqp.Delivery) -> None:
        with self.app.app_context():
            try:
                outcome = packages.apply_package(
                    db.session, file_store(), message.body, service.exchange_trust(),
                    source="hub", msg_id=packages.message_id(message.body), by="hub")
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
        self.counts.applied += 1
        self.counts.outcomes[outcome.outcome] = self.counts.outcomes.get(outcome.outcome, 0) + 1

    def check_pdfs(self, limit: int = 20) -> int:
        """The PDF signatures of received packages, checked after the message was taken
        (in the sandbox, outside any transaction), so that the hub is never held up."""
        from eoffice.exchange.models import ExchangeDelivery

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
                    delivery = db.session.get(ExchangeDelivery, delivery_id)
                    if delivery is not None:
                        delivery.verdict = packages.combine_verdict(signer, verdicts)
                    db.session.commit()
                    done += 1
            finally:
                db.session.remove()
        return done

    def receive(self, seconds: float = 1.0) -> int:
        return self.hub.consume(self.agency_codes(), self._apply, seconds=seconds)

    # -- loop ----------------------------------------------------------------------------
    def step(self, seconds: float = 1.0) -> int:
        """One round: publish what is due, then apply what waits. Returns the work done."""
        try:
            work = self.relay() + self.receive(seconds)
            # deliveries first: the PDF checks (slow, sandboxed) run when the queues are idle
            return work or self.check_pdfs(limit=2)
        except amqp.HubError as exc:
            log.warning("exchange hub unreachable: %s", exc)
            self.hub.close()
            return 0

    def run(self, *, stop: threading.Event | None = None, idle_sleep: float = 0.5,
            max_seconds: float | None = None, until_idle: bool = False) -> Counts:
        started = time.monotonic()
        failures = 0
        while not (stop and stop.is_set()):
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
            try:
                work = self.step()
                failures = 0
            except Exception:  # noqa: BLE001 - a message that could not be applied stays queued
                failures += 1
                log.exception("exchange worker step failed")
                time.sleep(min(30.0, amqp.backoff(failures, base=1.5)))
                continue
            if work == 0:
                if until_idle:
                    break
                time.sleep(idle_sleep)
        self.hub.close()
        return self.counts
