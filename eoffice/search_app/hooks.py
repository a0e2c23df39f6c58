"""After-commit hooks: apply the outbox once the database has committed.

``after_flush`` notes the documents queued in the outbox by this session; ``after_commit``
removes newly classified ones from the index synchronously (before the request returns) and
either applies the rest at once (``SEARCH_WORKER = "sync"``) or wakes the writer (the
embedded thread, or a Celery worker through the broker).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from eoffice.documents.models import Document, SearchOutbox
from eoffice.search_app.service import SearchContext, apply_documents

log = logging.getLogger(__name__)
_contexts: dict[Any, tuple[SearchContext, str, Callable[[], None] | None]] = {}


def activate(ctx: SearchContext, mode: str, wake: Callable[[], None] | None) -> None:
    _contexts[ctx.engine] = (ctx, mode, wake)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, SearchOutbox):
            document = session.identity_map.get(identity_key(Document, obj.document_id))
            note_queued(session, obj.document_id,
                        classified=bool(document is not None and document.is_classified))


def note_queued(session: Session, document_id: int, *, classified: bool) -> None:
    """An outbox row of ``document_id`` in this transaction (flushed, or inserted with a
    Core statement): applied after the commit, at once when the document is classified."""
    queued = session.info.setdefault("search_queued", {})
    queued[document_id] = queued.get(document_id, False) or classified


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("search_queued", None)


@event.listens_for(Session, "after_commit")
def _apply(session: Session) -> None:
    queued: dict[int, bool] = session.info.pop("search_queued", {})
    if not queued:
        return
    entry = _contexts.get(session.get_bind())
    if entry is None:
        return
    ctx, mode, wake = entry
    urgent = {doc_id for doc_id, classified in queued.items() if classified or mode == "sync"}
    if urgent:
        apply_documents(ctx, urgent)
    if wake is not None and len(urgent) < len(queued):
        wake()
