"""Which audit entries a reader may see: nothing about a document above their clearance.

An entry is about a document when its object is the document or its details name it
(``document_id``, e.g. a meeting material). For a reader without the clearance the answer is
as for a document that does not exist: the entries are simply not there.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit.models import AuditEntry
from eoffice.auth.models import Clearance, User


def _hidden_ids(reader: User, as_text: bool = False) -> sa.Select:
    """Ids of the documents whose secrecy is above ``reader``'s clearance."""
    from eoffice.documents.models import Document

    above = [level for level in Clearance if not reader.may_see_secrecy(level)]
    column = sa.cast(Document.id, sa.String) if as_text else Document.id
    return sa.select(column).where(Document.secrecy.in_(above))


def visible_entries(session: Session, reader: User, *, document_id: int | None = None,
                    limit: int = 200, scope: sa.ColumnElement[bool] | None = None,
                    offset: int = 0) -> Sequence[AuditEntry]:
    """The newest ``limit`` entries ``reader`` may see (about one document if given),
    within ``scope`` (e.g. the reader's agency)."""
    query = sa.select(AuditEntry).where(sa.true() if scope is None else scope, sa.or_(
        AuditEntry.object_type.is_(None), AuditEntry.object_type != "document",
        AuditEntry.object_id.not_in(_hidden_ids(reader, as_text=True))))
    if document_id is not None:
        query = query.where(AuditEntry.object_type == "document",
                            AuditEntry.object_id == str(document_id))
    entries = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset)
                              .limit(limit)).all()
    hidden = set(session.scalars(_hidden_ids(reader))) if entries else set()
    return [e for e in entries if _named_document(e) not in hidden]


def _named_document(entry: AuditEntry) -> int | None:
    value = (entry.details or {}).get("document_id")
    return value if isinstance(value, int) else None
