"""Agencies outside the deployment: signed packages go to the outbox (the durable record)
whenever a delivery moves; the worker (:mod:`eoffice.exchange.worker`, or a Celery worker
asked after the commit: :mod:`eoffice.exchange.tasks`) gives them to the hub.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from eoffice.documents.models import Document
from eoffice.exchange import packages, service, tasks
from eoffice.exchange.models import ExchangeDelivery, ExchangeEvent
from eoffice.extensions import file_store


def enqueue_document(session: Session, delivery: ExchangeDelivery, _document: Document) -> None:
    packages.enqueue_document(session, file_store(), service.exchange_seal(), delivery)
    tasks.nudge_relay(session)


def send_status(delivery: ExchangeDelivery, *, session: Session, event: ExchangeEvent) -> None:
    """A status change of a delivery with an agency outside goes back through the hub."""
    if delivery.peer_id is None and service.hub_url():
        packages.enqueue_status(session, service.exchange_seal(), delivery, event)
        tasks.nudge_relay(session)
