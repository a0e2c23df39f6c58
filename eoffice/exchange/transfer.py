"""edXML by hand: a document's signed package for download, the import of a received one,
and the quarantine list (what was refused, and why)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import Role, User
from eoffice.documents.models import Direction, Document
from eoffice.errors import Conflict, Invalid, NotFound
from eoffice.exchange import deliveries, packages, service
from eoffice.exchange.models import SENT, ExchangeDelivery, ExchangeQuarantine
from eoffice.extensions import file_store
from signing import edxml

AGENCY_CODE = re.compile(r"^[0-9A-Z.]{13}$")
MAX_PACKAGE_BYTES = 60 * 1024 * 1024


def package_for(session: Session, document: Document, actor: User, code: str) -> bytes:
    """The signed package of an issued document for an agency it was dispatched to."""
    if not AGENCY_CODE.match(code):
        raise Invalid("Mã định danh cơ quan nhận (to) không hợp lệ, ví dụ 000.00.00.H62.",
                      code="invalid_agency")
    deliveries.refuse_classified(document, actor, [code])
    if document.direction is not Direction.OUTGOING or document.code is None:
        raise Conflict("Chỉ tải được gói tin edXML của văn bản đi đã ban hành.",
                       code="not_issued")
    sender = deliveries.agency_of(actor)
    delivery = session.scalar(sa.select(ExchangeDelivery).where(
        ExchangeDelivery.side == SENT, ExchangeDelivery.outgoing_id == document.id,
        ExchangeDelivery.agency_id == sender.id, ExchangeDelivery.peer_code == code))
    if delivery is None:
        raise NotFound("Văn bản chưa được phát hành đến cơ quan này.")
    message = packages.document_message(session, file_store(), delivery, sender)
    body = packages.sign(edxml.build_document(message), service.exchange_seal())
    audit.append(session, "exchange.export", actor=actor, object_type="document",
                 object_id=document.id,
                 details={"to": code, "sha256": packages.message_id(body)})
    return body


def read_upload(upload: Any) -> bytes:
    data = upload.stream.read(MAX_PACKAGE_BYTES + 1)
    if len(data) > MAX_PACKAGE_BYTES:
        raise Invalid("Tệp quá lớn: giới hạn là %(value)s MB.",
                      code="too_large", values={"value": MAX_PACKAGE_BYTES // (1024 * 1024)})
    if not data:
        raise Invalid("Tệp tải lên rỗng.", code="missing_file")
    return data


def import_upload(session: Session, actor: User, upload: Any) -> packages.Outcome:
    """Apply an uploaded package for the actor's agency (or quarantine it with the reason)."""
    return import_bytes(session, actor, read_upload(upload))


def import_bytes(session: Session, actor: User, data: bytes) -> packages.Outcome:
    return packages.apply_package(
        session, file_store(), data, service.exchange_trust(), source="import",
        by=actor.username, pdf_verdict=service.pdf_verdict,
        only_agency=actor.department.agency_id)


def quarantined(session: Session, actor: User, limit: int = 200) -> list[ExchangeQuarantine]:
    agency_id = actor.department.agency_id
    mine = ExchangeQuarantine.agency_id == agency_id
    if actor.has_role(Role.ADMIN):
        mine = sa.or_(mine, ExchangeQuarantine.agency_id.is_(None))
    return list(session.scalars(sa.select(ExchangeQuarantine).where(mine)
                                .order_by(ExchangeQuarantine.id.desc()).limit(limit)))


def quarantine_json(row: ExchangeQuarantine) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat() + "Z", "source": row.source,
            "sender_code": row.sender_code, "subject": row.subject, "reason": row.reason,
            "reason_en": row.reason_en, "sha256": row.sha256, "size": row.size, "by": row.by}
