"""edXML packages for agencies outside the deployment: built and signed into the outbox,
and received packages verified and applied (or quarantined) exactly once.

Operations take plain values (session, file store, seal, trust material), flush and never
commit: the caller commits, then acknowledges the hub message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import Agency
from eoffice.db import utcnow
from eoffice.documents.models import Document
from eoffice.exchange import deliveries
from eoffice.exchange.models import (
    RECEIVED,
    SENT,
    ExchangeApplied,
    ExchangeDelivery,
    ExchangeEvent,
    ExchangeOutbox,
    ExchangeQuarantine,
)
from eoffice.storage import PDF, FileStore
from signing import edxml
from workflow import STATUS_TRANSITIONS

PRIORITY_OF_URGENCY = {"thuong": 0, "khan": 1, "thuong_khan": 2, "hoa_toc": 3}
URGENCY_OF_PRIORITY = {v: k for k, v in PRIORITY_OF_URGENCY.items()} | {4: "hoa_toc"}


@dataclass(frozen=True)
class Seal:
    """The agency seal that signs the packages (RSA key and its chain)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


@dataclass(frozen=True)
class Trust:
    """What received packages are checked against."""

    roots: Sequence[x509.Certificate]
    crls: Sequence[bytes] = ()


def message_id(body: bytes) -> str:
    """A package's identity: the SHA-256 of its bytes (a re-sent package keeps it)."""
    return hashlib.sha256(body).hexdigest()


# -- sending -------------------------------------------------------------------------------


def document_message(session: Session, store: FileStore, delivery: ExchangeDelivery,
                     sender: Agency) -> edxml.DocumentMessage:
    meta = delivery.meta or {}
    issued = date.fromisoformat(meta["issued_date"])
    number, _, notation = _code(delivery).partition("/")  # as printed: "01/KH-UBND"
    due = date.fromisoformat(meta["due_date"]) if meta.get("due_date") else None
    return edxml.DocumentMessage(
        sender=edxml.Organ(sender.agency_code, sender.name),
        recipients=[edxml.Organ(delivery.peer_code, delivery.peer_name)],
        code_number=number, code_notation=notation, promulgation_date=issued,
        subject=str(meta.get("subject") or ""), place=str(meta.get("place") or ""),
        type_code=str(meta.get("type_code") or ""), type_name=str(meta.get("type_name") or ""),
        signer_name=str(meta.get("signer_name") or ""),
        signer_position=str(meta.get("signer_position") or ""),
        competence=str(meta.get("competence") or ""), due_date=due,
        priority=PRIORITY_OF_URGENCY.get(str(meta.get("urgency")), 0),
        page_amount=int(meta.get("page_count") or 0),
        traces=[edxml.Trace(sender.agency_code, datetime.now(UTC))],
        attachments=[edxml.Attachment(f["name"], f["content_type"], store.get(f["sha256"]))
                     for f in delivery.files or []],
    )


def _code(delivery: ExchangeDelivery) -> str:
    """The document's Số/Ký hiệu as edXML writes it (``12/UBND-VP``)."""
    return delivery.exchange_id.split(",", 2)[2]


def sign(root: Any, seal: Seal) -> bytes:
    return edxml.sign_package(root, seal.key, seal.certificate, seal.chain)


def enqueue(session: Session, destination: str, kind: str, body: bytes) -> ExchangeOutbox:
    row = ExchangeOutbox(message_id=message_id(body), destination=destination, kind=kind,
                         body=body)
    session.add(row)
    session.flush()
    return row


def enqueue_document(session: Session, store: FileStore, seal: Seal,
                     delivery: ExchangeDelivery) -> ExchangeOutbox:
    sender = session.get(Agency, delivery.agency_id)
    assert sender is not None
    body = sign(edxml.build_document(document_message(session, store, delivery, sender)), seal)
    return enqueue(session, delivery.peer_code, "document", body)


def status_package(session: Session, seal: Seal, delivery: ExchangeDelivery,
                   event: ExchangeEvent) -> bytes:
    local = session.get(Agency, delivery.agency_id)
    assert local is not None
    message = edxml.StatusMessage(
        sender=edxml.Organ(local.agency_code, local.name),
        recipient=edxml.Organ(delivery.peer_code, delivery.peer_name),
        document_id=delivery.exchange_id, status_code=event.to_state,
        timestamp=event.at.replace(tzinfo=UTC), description=event.comment,
        staff=event.actor_name or event.actor,
        traces=[edxml.Trace(local.agency_code, datetime.now(UTC))])
    return sign(edxml.build_status(message), seal)


def enqueue_status(session: Session, seal: Seal, delivery: ExchangeDelivery,
                   event: ExchangeEvent) -> ExchangeOutbox:
    body = status_package(session, seal, delivery, event)
    return enqueue(session, delivery.peer_code, "status", body)


# -- receiving -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a received package did: ``applied``, ``duplicate``, ``ignored`` (a status that
    was overtaken) or ``quarantined`` (with the reason)."""

    outcome: str
    reason: str = ""
    delivery_id: int | None = None


def quarantine(session: Session, body: bytes, source: str, reason: str, reason_en: str = "",
               *, message: str = "", agency_id: int | None = None, sender: str = "",
               subject: str = "", by: str = "") -> ExchangeQuarantine:
    row = ExchangeQuarantine(agency_id=agency_id, source=source, message_id=message,
                             sha256=hashlib.sha256(body).hexdigest(), size=len(body),
                             sender_code=sender[:32], subject=subject[:500],
                             reason=reason, reason_en=reason_en, by=by)
    session.add(row)
    session.flush()
    audit.append(session, "exchange.quarantine", actor=by or "hub",
                 object_type="exchange_package", object_id=row.id,
                 details={"source": source, "sha256": row.sha256, "reason": reason,
                          "sender": sender})
    return row


def apply_package(session: Session, store: FileStore, body: bytes, trust: Trust, *,
                  source: str, msg_id: str = "", by: str = "",
                  pdf_verdict: Any = None, only_agency: int | None = None,
                  received: edxml.ReceivedPackage | None = None) -> Outcome:
    """Verify a received package and apply it once (the message id is remembered in the
    same transaction). A package that fails is quarantined with its reason.

    ``received``: the package already verified by :func:`read` (outside the transaction)."""
    msg_id = msg_id or message_id(body)
    if len(msg_id) > 64:
        msg_id = hashlib.sha256(msg_id.encode()).hexdigest()
    if session.get(ExchangeApplied, msg_id) is not None:
        return Outcome("duplicate")
    outcome = _apply(session, store, body, received or read(body, trust), source=source,
                     msg_id=msg_id, by=by, pdf_verdict=pdf_verdict, only_agency=only_agency)
    session.add(ExchangeApplied(message_id=msg_id, outcome=outcome.outcome))
    session.flush()
    return outcome


def read(body: bytes, trust: Trust) -> edxml.ReceivedPackage:
    """Parse and verify a package (pure computation: no database, no lock held)."""
    return edxml.read_package(body, trust.roots, crls=trust.crls)


def _apply(session: Session, store: FileStore, body: bytes, received: edxml.ReceivedPackage,
           *, source: str, msg_id: str, by: str, pdf_verdict: Any,
           only_agency: int | None) -> Outcome:
    message = received.message
    sender = getattr(message, "sender", None)
    context = {"message": msg_id, "by": by, "sender": sender.organ_id if sender else "",
               "subject": getattr(message, "subject", "") or ""}
    if not received.accepted or message is None:
        agency = _first_local(session, message)
        row = quarantine(session, body, source, received.reason or "Gói tin không hợp lệ.",
                         received.reason_en, agency_id=agency.id if agency else only_agency,
                         **context)
        return Outcome("quarantined", row.reason)
    if isinstance(message, edxml.DocumentMessage):
        return _receive_document(session, store, message, received, body, source, context,
                                 pdf_verdict, only_agency)
    return _receive_status(session, message, body, source, context, only_agency)


def _first_local(session: Session, message: Any) -> Agency | None:
    organs = []
    if isinstance(message, edxml.DocumentMessage):
        organs = message.recipients
    elif isinstance(message, edxml.StatusMessage):
        organs = [message.recipient]
    for organ in organs:
        agency = deliveries.agency_by_code(session, organ.organ_id)
        if agency is not None:
            return agency
    return None


def _urgency(priority: int) -> str:
    return URGENCY_OF_PRIORITY.get(priority, "thuong")


def _receive_document(session: Session, store: FileStore, message: edxml.DocumentMessage,
                      received: edxml.ReceivedPackage, body: bytes, source: str,
                      context: dict[str, Any], pdf_verdict: Any,
                      only_agency: int | None) -> Outcome:
    locals_ = [a for a in (deliveries.agency_by_code(session, o.organ_id)
                           for o in message.recipients) if a is not None]
    if only_agency is not None:
        locals_ = [a for a in locals_ if a.id == only_agency]
    if not locals_:
        row = quarantine(session, body, source,
                         "Gói tin không gửi cho cơ quan nào của hệ thống này.",
                         "The package is addressed to no agency of this deployment.",
                         agency_id=only_agency, **context)
        return Outcome("quarantined", row.reason)
    pdfs = [a for a in message.attachments if a.data.startswith(b"%PDF-")]
    if not pdfs:
        row = quarantine(session, body, source, "Gói tin không kèm tệp PDF của văn bản.",
                         "The package carries no PDF.", agency_id=locals_[0].id, **context)
        return Outcome("quarantined", row.reason)
    verdicts = [pdf_verdict(a.data) for a in pdfs] if pdf_verdict is not None else []
    if any(v.get("unreadable") for v in verdicts):
        row = quarantine(session, body, source,
                         "Tệp PDF đính kèm có cấu trúc bất thường (quá lớn khi giải nén hoặc bị "
                         "hỏng) nên không được tiếp nhận.",
                         "An attached PDF is malformed or a decompression bomb.",
                         agency_id=locals_[0].id, **context)
        return Outcome("quarantined", row.reason)
    from eoffice.documents.operations import store_bytes

    files = []
    for attachment in pdfs:
        stored = store_bytes(session, store, attachment.data, {PDF})
        files.append({"sha256": stored.sha256, "name": attachment.name[:200] or "van-ban.pdf",
                      "content_type": "application/pdf"})
    verdict = combine_verdict(received.verification.signer,
                              verdicts if pdf_verdict is not None else None)
    urgency = _urgency(message.priority)
    meta = {
        "code": message.code, "code_number": message.code_number,
        "code_notation": message.code_notation,
        "issued_date": message.promulgation_date.isoformat(), "type_code": message.type_code,
        "type_name": message.type_name, "subject": message.subject,
        "signer_name": message.signer_name, "signer_position": message.signer_position,
        "competence": message.competence, "urgency": urgency,
        "due_date": message.due_date.isoformat() if message.due_date else None,
        "page_count": message.page_amount or None, "issuer_name": message.sender.organ_name,
        "issuer_id": message.sender.organ_id, "place": message.place,
    }
    first: ExchangeDelivery | None = None
    for agency in locals_:
        existing = session.scalar(sa.select(ExchangeDelivery).where(
            ExchangeDelivery.side == RECEIVED, ExchangeDelivery.agency_id == agency.id,
            ExchangeDelivery.peer_code == message.sender.organ_id,
            ExchangeDelivery.exchange_id == message.document_id))
        if existing is not None:
            first = first or existing
            continue
        now = utcnow()
        delivery = ExchangeDelivery(
            side=RECEIVED, agency_id=agency.id, peer_code=message.sender.organ_id,
            peer_name=message.sender.organ_name, exchange_id=message.document_id,
            transport="hub" if source == "hub" else "manual", meta=meta,
            files=files, verdict=verdict, urgency_rank=deliveries.urgency_rank(urgency),
            created_at=now, updated_at=now)
        deliveries.start(session, delivery, deliveries.PeerAgency(
            username=message.sender.organ_id, full_name=message.sender.organ_name),
            message.sender.organ_name, at=now)
        audit.append(session, "exchange.receive", actor=context["by"] or "hub",
                     object_type="exchange_delivery", object_id=delivery.id,
                     details={"from": message.sender.organ_id, "document": message.document_id,
                              "source": source})
        first = first or delivery
    return Outcome("applied", delivery_id=first.id if first else None)


PENDING = "pending"


def combine_verdict(seal_signer: str | None,
                    pdf_verdicts: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The inbox verdict: the package's seal (already verified) and its PDF's signatures;
    ``pending`` while the PDF has not been checked yet (never ``valid`` before that)."""
    seal = f"Gói tin edXML được ký bởi {seal_signer or 'cơ quan gửi'}: chữ ký hợp lệ."
    verdict: dict[str, Any] = {"verdict": "valid", "label": "hợp lệ", "reasons": [seal],
                               "package": {"signer": seal_signer, "verdict": "valid"}}
    if pdf_verdicts is None:
        verdict.update(verdict=PENDING, label="đang kiểm tra chữ ký số của tệp")
        return verdict
    for pdf in pdf_verdicts:
        if pdf.get("unreadable") or pdf.get("verdict") != "valid":
            verdict.update(verdict=pdf.get("verdict") or "invalid",
                           label=pdf.get("label") or "không hợp lệ")
        verdict["reasons"] += pdf.get("reasons") or []
        verdict.setdefault("signatures", []).extend(pdf.get("signatures") or [])
    return verdict


def pending_checks(session: Session, limit: int = 50) -> list[ExchangeDelivery]:
    """Received deliveries whose PDF signatures are still to be checked."""
    return list(session.scalars(sa.select(ExchangeDelivery).where(
        ExchangeDelivery.side == RECEIVED, ExchangeDelivery.status == "01",
        ExchangeDelivery.verdict["verdict"].as_string() == PENDING)
        .order_by(ExchangeDelivery.id.desc()).limit(limit)))


def _receive_status(session: Session, message: edxml.StatusMessage, body: bytes, source: str,
                    context: dict[str, Any], only_agency: int | None) -> Outcome:
    agency = deliveries.agency_by_code(session, message.recipient.organ_id)
    if agency is None or (only_agency is not None and agency.id != only_agency):
        row = quarantine(session, body, source,
                         "Gói tin trạng thái không gửi cho cơ quan nào của hệ thống này.",
                         "The status package is addressed to no agency of this deployment.",
                         agency_id=only_agency, **context)
        return Outcome("quarantined", row.reason)
    side = RECEIVED if message.status_code == "13" else SENT
    delivery = session.scalar(sa.select(ExchangeDelivery).where(
        ExchangeDelivery.side == side, ExchangeDelivery.agency_id == agency.id,
        ExchangeDelivery.peer_code == message.sender.organ_id,
        ExchangeDelivery.exchange_id == message.document_id))
    if delivery is None:
        row = quarantine(session, body, source,
                         "Gói tin trạng thái nói về một văn bản không có trong hệ thống.",
                         "The status package refers to an unknown document.",
                         agency_id=agency.id, **context)
        return Outcome("quarantined", row.reason)
    transition = STATUS_TRANSITIONS.get(message.status_code)
    if transition is None:
        return Outcome("ignored", delivery_id=delivery.id)
    name = message.staff or message.sender.organ_name or message.sender.organ_id
    label = f"{name} ({message.sender.organ_name})" if message.sender.organ_name else name
    applied = deliveries.mirror(session, delivery, transition, actor=message.sender.organ_id,
                                actor_name=label, reason=message.description,
                                at=message.timestamp.astimezone(UTC).replace(tzinfo=None))
    return Outcome("applied" if applied else "ignored", delivery_id=delivery.id)


def pending(session: Session, *, limit: int = 100) -> list[ExchangeOutbox]:
    """Outbox rows due for (another) try, oldest first."""
    return list(session.scalars(sa.select(ExchangeOutbox).where(
        ExchangeOutbox.sent_at.is_(None), ExchangeOutbox.next_attempt_at <= utcnow())
        .order_by(ExchangeOutbox.id).limit(limit)))


def sent_document(session: Session, document: Document) -> list[ExchangeDelivery]:
    return deliveries.sent_deliveries(session, document)
