"""Dispatch to departments (their inbox) and outside agencies (recorded), and recall."""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice import hooks
from eoffice.auth.models import Department, User
from eoffice.documents.models import Document
from eoffice.documents.operations import fire
from eoffice.errors import AuditedRefusal, Conflict, Invalid
from eoffice.outgoing.common import MACHINE, ensure_allowed, subject_of
from eoffice.outgoing.models import OutgoingDispatch, OutgoingNotification

AGENCY_ID = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


def _classify(session: Session, document: Document, recipients: Sequence[str]
              ) -> list[tuple[str, str]]:
    """(kind, recipient) pairs; unknown names raise Invalid listing them."""
    agency_id = document.department.agency_id
    codes = set(session.scalars(sa.select(Department.abbreviation)
                                .where(Department.agency_id == agency_id)))
    pairs: list[tuple[str, str]] = []
    unknown: list[str] = []
    for raw in recipients:
        value = str(raw or "").strip()
        if not value:
            continue
        if value in codes:
            pairs.append(("department", value))
        elif AGENCY_ID.match(value):
            pairs.append(("external", value))
        else:
            unknown.append(value)
    if unknown:
        raise Invalid("Không rõ nơi nhận: %(names)s (dùng mã phòng ban hoặc mã định danh cơ "
                      "quan, ví dụ 000.00.00.H12).", code="unknown_recipient",
                      values={"names": ", ".join(unknown)})
    if not pairs:
        raise Invalid("Hãy chọn ít nhất một nơi nhận.", code="missing_field")
    return list(dict.fromkeys(pairs))


def dispatch(session: Session, document: Document, actor: User,
             recipients: Sequence[str]) -> list[OutgoingDispatch]:
    """Send an issued document: departments get access (``dept:<code>``, their inbox);
    outside agencies are recorded for the document exchange."""
    ensure_allowed(session, document, actor, "dispatch")
    pairs = _classify(session, document, recipients)
    external = [recipient for kind, recipient in pairs if kind == "external"]
    if document.is_classified and external:
        raise AuditedRefusal(
            "Văn bản mật không được gửi liên thông điện tử ra ngoài cơ quan: theo quy định "
            "bảo vệ bí mật nhà nước, văn bản mật chỉ được chuyển bằng bản giấy.",
            code="classified", action="exchange.refused", actor=actor.username,
            object_type="document", object_id=document.id, details={"recipients": external})
    rows = []
    for kind, recipient in pairs:
        if kind == "department":
            document.grant(f"dept:{recipient}")
        row = OutgoingDispatch(document_id=document.id, kind=kind, recipient=recipient,
                               by_id=actor.id)
        session.add(row)
        rows.append(row)
    fire(session, MACHINE, document, actor, "dispatch", subject=subject_of(document),
         details={"recipients": [r.recipient for r in rows]})
    if external:
        hooks.dispatched.send(document, session=session, actor=actor, codes=external)
    return rows


def dispatches_of(session: Session, document: Document) -> list[OutgoingDispatch]:
    return list(session.scalars(sa.select(OutgoingDispatch)
                                .where(OutgoingDispatch.document_id == document.id)
                                .order_by(OutgoingDispatch.id)))


def recall(session: Session, document: Document, actor: User, reason: str = "") -> str:
    """Recall (thu hồi): the document is frozen (no further transition) and every
    recipient gets a notification; agencies that received it electronically are asked to
    give it back (status 13). A document already recalled can be asked again from the
    agencies that refused to give it back."""
    if document.state == "recalled":
        if not hooks.recall(session, document, actor, reason):
            raise Conflict("Văn bản đã được thu hồi.", code="transition_not_allowed")
        return document.state
    fire(session, MACHINE, document, actor, "recall", comment=reason,
         subject=subject_of(document))
    hooks.recall(session, document, actor, reason)
    code = document.code or f"#{document.id}"
    message = f"Văn bản số {code} ({document.subject}) đã bị thu hồi."
    if reason.strip():
        message += f" Lý do: {reason.strip()}"
    keys = {f"dept:{d.recipient}" if d.kind == "department" else f"external:{d.recipient}"
            for d in dispatches_of(session, document)}
    keys.add(f"user:{document.created_by.username}")
    for key in sorted(keys):
        session.add(OutgoingNotification(document_id=document.id, recipient_key=key,
                                         message=message))
    extra = dict(document.extra or {})
    extra["recalled"] = {"by": actor.username, "reason": reason.strip()}
    document.extra = extra
    session.flush()
    return document.state


def received_query(user: User) -> sa.Select[Document]:
    """Documents dispatched to the user's department (its internal inbox), newest first."""
    from eoffice.outgoing.common import outgoing_query

    sent = sa.select(OutgoingDispatch.document_id).where(
        OutgoingDispatch.kind == "department",
        OutgoingDispatch.recipient == user.department_code)
    return outgoing_query(user).where(Document.id.in_(sent))


def notifications_for(session: Session, user: User, limit: int = 20
                      ) -> list[OutgoingNotification]:
    """Unread notifications addressed to one of the user's access keys."""
    return list(session.scalars(
        sa.select(OutgoingNotification)
        .join(Document, Document.id == OutgoingNotification.document_id)
        .where(OutgoingNotification.recipient_key.in_(sorted(user.access_keys())),
               Document.agency_id == user.agency_id,
               OutgoingNotification.read.is_(False))
        .order_by(OutgoingNotification.id.desc()).limit(limit)))
