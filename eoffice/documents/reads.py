"""Per-user read state: the "Mới" markers of lists and dashboard panels.

A document is new to a user while someone else has moved it on (an event in its history by
another actor) since the user last opened it: an incoming document directed or assigned to
them, a draft waiting for their review or signature, their own draft sent back. A delivery
of the exchange inbox is new until the clerk has seen it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eoffice.db import utcnow
from eoffice.documents.models import DocumentEvent, ReadMark

DOCUMENT = "document"
DELIVERY = "delivery"


def mark_seen(session: Session, user: Any, kind: str, item_ids: Iterable[int]) -> None:
    """Record that the user has seen these items now (an upsert: two tabs opening the same
    document at once do not collide)."""
    ids = sorted(set(item_ids))
    if not ids or user is None or not getattr(user, "id", None):
        return
    now = utcnow()
    rows = [{"user_id": user.id, "kind": kind, "item_id": i, "seen_at": now} for i in ids]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ReadMark).values(rows)
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "kind", "item_id"],
        set_={"seen_at": statement.excluded.seen_at}))
    session.flush()


def _seen(session: Session, user: Any, kind: str, ids: set[int]) -> dict[int, Any]:
    return dict(session.execute(sa.select(ReadMark.item_id, ReadMark.seen_at).where(
        ReadMark.user_id == user.id, ReadMark.kind == kind,
        ReadMark.item_id.in_(sorted(ids)))).all())


def new_documents(session: Session, user: Any, document_ids: Iterable[int]) -> set[int]:
    """The documents among ``document_ids`` that someone else has moved on since the user
    last opened them (two queries whatever the number of documents)."""
    ids = {int(i) for i in document_ids}
    if not ids:
        return set()
    seen = _seen(session, user, DOCUMENT, ids)
    latest = session.execute(
        sa.select(DocumentEvent.document_id, sa.func.max(DocumentEvent.at))
        .where(DocumentEvent.document_id.in_(sorted(ids)), DocumentEvent.actor != user.username)
        .group_by(DocumentEvent.document_id)).all()
    return {doc_id for doc_id, at in latest
            if at is not None and (doc_id not in seen or at > seen[doc_id])}


def unseen(session: Session, user: Any, kind: str, item_ids: Iterable[int]) -> set[int]:
    """The items the user has never seen (exchange deliveries)."""
    ids = {int(i) for i in item_ids}
    if not ids:
        return set()
    return ids - set(_seen(session, user, kind, ids))
