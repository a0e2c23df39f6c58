"""Status reports that nobody sends by hand: when a received document is directed, handled
or completed, its delivery moves to 04, 05 or 06 and the sender is told.

The incoming workflow knows nothing of the exchange: the document events it writes are
noted after each flush and turned into delivery transitions just before the commit, in
the same transaction (a rollback drops both).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from eoffice.documents.models import DocumentEvent

_KEY = "eoffice.exchange.progress"
_installed = False


def _note_events(session: Session, _context: Any) -> None:
    from eoffice.exchange.deliveries import progress_transition

    for obj in session.new:
        if isinstance(obj, DocumentEvent):
            transition = progress_transition(obj.machine, obj.transition)
            if transition is not None:
                session.info.setdefault(_KEY, []).append(
                    (obj.document_id, transition, obj.actor))


def _report(session: Session) -> None:
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    from eoffice.exchange.deliveries import report_progress
    from eoffice.exchange.models import RECEIVED, ExchangeDelivery

    ids = {doc_id for doc_id, _, _ in pending}
    with session.no_autoflush:
        received = set(session.scalars(sa.select(ExchangeDelivery.document_id).where(
            ExchangeDelivery.side == RECEIVED, ExchangeDelivery.document_id.in_(ids))))
    order = {"assign": 0, "progress": 1, "complete": 2}
    for doc_id, transition, actor in sorted(pending, key=lambda p: order[p[1]]):
        if doc_id in received:
            report_progress(session, doc_id, transition, actor)
    session.flush()


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KEY, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _note_events)
    event.listen(Session, "before_commit", _report)
    event.listen(Session, "after_rollback", _forget)
    _installed = True
