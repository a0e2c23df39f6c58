"""JSON form of a document (SPEC §2 metadata names)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.documents.models import Document, DocumentEvent

METADATA_FIELDS = ["type_code", "type_name", "code_number", "code_notation", "issued_date",
                   "issuer_name", "issuer_id", "subject", "language", "page_count",
                   "description", "signer_position", "signer_name", "recipients", "urgency",
                   "secrecy", "copies", "due_date"]
INCOMING_FIELDS = ["arrival_date", "arrival_number", "arrival_year"]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def document_json(session: Session, document: Document) -> dict[str, Any]:
    data: dict[str, Any] = {"id": document.id, "direction": document.direction.value,
                            "state": document.state, "code": document.code,
                            "department": document.department.abbreviation,
                            "created_by": document.created_by.username}
    for name in METADATA_FIELDS:
        data[name] = _plain(getattr(document, name))
    if document.direction.value == "incoming":
        for name in INCOMING_FIELDS:
            data[name] = _plain(getattr(document, name))
        data["handlers"] = document.extra.get("handlers", [])
        data["direction_instruction"] = document.extra.get("direction")
    data["signatures"] = document.extra.get("signatures", [])
    data["validation"] = document.extra.get("validation")
    data["has_file"] = document.current_file_sha is not None
    events = session.scalars(sa.select(DocumentEvent).where(
        DocumentEvent.document_id == document.id).order_by(DocumentEvent.id)).all()
    data["history"] = [{"at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.transition,
                        "from": e.from_state, "to": e.to_state, "comment": e.comment}
                       for e in events]
    return data
