"""Deliveries between agencies (liên thông): send, accept, refuse, report, recall.

Operations take the acting user, flush and never commit; the caller commits once. Every
status change goes through :data:`workflow.DELIVERY`; the other side learns it directly
(same deployment: its row is updated in the same transaction) or through a signed status
package (an agency outside: :mod:`eoffice.exchange.hub`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import Session

import workflow
from eoffice import workflow_store
from eoffice.audit import operations as audit
from eoffice.auth.models import Agency, Clearance, User
from eoffice.db import utcnow
from eoffice.documents.models import Direction, Document, Urgency
from eoffice.errors import AuditedRefusal, Conflict, Invalid, NotFound
from eoffice.exchange.models import RECEIVED, SENT, ExchangeDelivery, ExchangeEvent
from signing.edxml import STATUS_LABELS_EN
from workflow.definitions import DELIVERY_STATES

DELIVERY = workflow.DELIVERY
RECALLABLE = frozenset({"01", "03", "04", "05", "06", "16"})
CLASSIFIED_REFUSAL = ("Văn bản mật không được gửi liên thông điện tử: theo quy định bảo vệ bí "
                      "mật nhà nước, văn bản mật chỉ được chuyển bằng bản giấy.")


@dataclass(frozen=True)
class PeerAgency:
    """The other agency as the actor of a mirrored status (guards: role ``exchange``)."""

    username: str
    full_name: str = ""
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"exchange"}))
    department_code: str | None = None


@dataclass(frozen=True)
class SystemActor:
    """A status the system reports (direction, handling, completion) on behalf of a person."""

    username: str
    full_name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)
    department_code: str | None = None


remote_status = Namespace().signal("remote-status", doc="""Sender: a delivery whose peer is
an agency outside the deployment; ``session``, ``event`` (the status change to carry there:
the hub module connects to it).""")


# -- reading ---------------------------------------------------------------------------------


def agency_of(user: User) -> Agency:
    return user.department.agency


def agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalar(sa.select(Agency).where(Agency.agency_code == code))


def status_label(code: str) -> str:
    return DELIVERY_STATES.get(code, code)


def urgency_rank(value: str | Urgency | None) -> int:
    try:
        return Urgency(value or "thuong").rank
    except ValueError:
        return 0


def sent_deliveries(session: Session, document: Document) -> list[ExchangeDelivery]:
    return list(session.scalars(sa.select(ExchangeDelivery).where(
        ExchangeDelivery.side == SENT, ExchangeDelivery.outgoing_id == document.id)
        .order_by(ExchangeDelivery.id)))


def event_json(ev: ExchangeEvent) -> dict[str, Any]:
    return {"status": ev.to_state, "status_label": status_label(ev.to_state),
            "from": ev.from_state if ev.from_state != DELIVERY.initial else None,
            "action": ev.transition, "actor": ev.actor, "actor_name": ev.actor_name,
            "at": ev.at.isoformat() + "Z", "reason": ev.comment}


def delivery_json(d: ExchangeDelivery, *, history: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": d.id, "agency_code": d.peer_code, "agency_name": d.peer_name,
        "status": d.status, "status_label": status_label(d.status),
        "status_label_en": STATUS_LABELS_EN.get(d.status, d.status),
        "updated_at": d.updated_at.isoformat() + "Z", "transport": d.transport,
    }
    if history:
        body["history"] = [event_json(e) for e in d.events]
    return body


def inbox_json(d: ExchangeDelivery) -> dict[str, Any]:
    meta = d.meta or {}
    verdict = d.verdict or {}
    return {
        "id": d.id, "status": d.status, "status_label": status_label(d.status),
        "sender_code": d.peer_code, "sender_name": d.peer_name, "document_id": d.exchange_id,
        "number": meta.get("code_number"), "code": meta.get("code"),
        "issued_date": meta.get("issued_date"), "type_code": meta.get("type_code"),
        "type_name": meta.get("type_name"), "subject": meta.get("subject"),
        "signer_name": meta.get("signer_name"), "signer_position": meta.get("signer_position"),
        "urgency": meta.get("urgency") or "thuong", "urgent": d.urgency_rank > 0,
        "due_date": meta.get("due_date"), "received_at": d.created_at.isoformat() + "Z",
        "verdict": verdict.get("verdict"), "verdict_label": verdict.get("label"),
        "verdict_reasons": verdict.get("reasons") or [],
        "files": [{"name": f.get("name"), "sha256": f.get("sha256")} for f in d.files or []],
        "registered_document_id": d.document_id,
        "recall_reason": _last_reason(d, "recall") if d.status == "13" else None,
    }


def _last_reason(d: ExchangeDelivery, transition: str) -> str:
    for ev in reversed(d.events):
        if ev.transition == transition:
            return ev.comment
    return ""


def inbox(session: Session, actor: User, *, statuses: Sequence[str] = ("01", "13"),
          limit: int = 200) -> list[ExchangeDelivery]:
    """The agency's received deliveries waiting for its clerk: urgent first, then oldest."""
    return list(session.scalars(
        sa.select(ExchangeDelivery).where(
            ExchangeDelivery.side == RECEIVED,
            ExchangeDelivery.agency_id == actor.department.agency_id,
            ExchangeDelivery.status.in_(list(statuses)))
        .order_by(ExchangeDelivery.urgency_rank.desc(), ExchangeDelivery.id)
        .limit(limit)))


def get_received(session: Session, actor: User, delivery_id: Any) -> ExchangeDelivery:
    """A delivery received by the actor's agency; anything else is 404 (as a missing id)."""
    try:
        key = int(delivery_id)
    except (TypeError, ValueError):
        raise NotFound("Không tìm thấy văn bản điện tử.") from None
    delivery = session.get(ExchangeDelivery, key)
    if (delivery is None or delivery.side != RECEIVED
            or delivery.agency_id != actor.department.agency_id):
        raise NotFound("Không tìm thấy văn bản điện tử.")
    return delivery


# -- the state machine -----------------------------------------------------------------------


def track(delivery: ExchangeDelivery) -> workflow_store.Track:
    """The delivery's history (DELIVERY machine, states are the status codes)."""
    return workflow_store.Track(ExchangeEvent, {"delivery_id": delivery.id}, holder=delivery,
                                object_type="exchange_delivery", object_id=None,
                                action="exchange", attribute="status",
                                collection=delivery.events)


def fire(session: Session, delivery: ExchangeDelivery, actor: Any, transition: str, *,
         reason: str = "", actor_name: str = "", at: Any = None,
         propagate: bool = True) -> ExchangeEvent:
    """Fire a delivery transition through the workflow store (who/when/why, audited; a
    missing reason is bad input, 422), and tell the other side."""
    row = workflow_store.fire(
        session, DELIVERY, track(delivery), actor, transition, comment=reason, at=at,
        comment_code="reason_required",
        details={"side": delivery.side, "peer": delivery.peer_code,
                 "document": delivery.exchange_id, "reason": reason},
        actor_name=actor_name or str(getattr(actor, "full_name", "") or ""))
    assert isinstance(row, ExchangeEvent)
    delivery.updated_at = row.at
    if propagate:
        _tell_peer(session, delivery, row)
    return row


def start(session: Session, delivery: ExchangeDelivery, actor: Any, actor_name: str, *,
          at: Any = None) -> ExchangeEvent:
    """A new delivery (either side) is sent (00 → 01) in the transaction that creates it."""
    session.add(delivery)
    session.flush()
    return fire(session, delivery, actor, "send", actor_name=actor_name, at=at,
                propagate=False)


def _tell_peer(session: Session, delivery: ExchangeDelivery, event: ExchangeEvent) -> None:
    if delivery.peer_id is not None:
        peer = session.get(ExchangeDelivery, delivery.peer_id)
        if peer is not None:
            mirror(session, peer, event.transition, actor=event.actor,
                   actor_name=_who(session, delivery, event), reason=event.comment, at=event.at)
        return
    remote_status.send(delivery, session=session, event=event)


def _who(session: Session, delivery: ExchangeDelivery, event: ExchangeEvent) -> str:
    agency = session.get(Agency, delivery.agency_id)
    name = event.actor_name or event.actor
    return f"{name} ({agency.name})" if agency else name


def mirror(session: Session, delivery: ExchangeDelivery, transition: str, *, actor: str,
           actor_name: str, reason: str = "", at: Any = None) -> ExchangeEvent | None:
    """Apply a status the other agency reported. A status that cannot follow the current one
    (a duplicate, or one overtaken by a later status) is ignored, never an error."""
    peer = PeerAgency(username=actor[:128], full_name=actor_name)
    if not workflow_store.can(session, DELIVERY, track(delivery), peer, transition):
        return None
    return fire(session, delivery, peer, transition, reason=reason, actor_name=actor_name,
                at=at, propagate=False)


# -- sending ---------------------------------------------------------------------------------


def exchange_id_of(document: Document, agency: Agency) -> str:
    from signing.edxml import document_id

    assert document.issued_date is not None and document.code is not None
    return document_id(agency.agency_code, document.issued_date, document.code)


def metadata_of(document: Document, agency: Agency) -> dict[str, Any]:
    extra = document.extra or {}
    return {
        "code": document.code, "code_number": document.code_number,
        "code_notation": document.code_notation,
        "issued_date": document.issued_date.isoformat() if document.issued_date else None,
        "type_code": document.type_code, "type_name": document.type_name,
        "subject": document.subject, "signer_name": document.signer_name,
        "signer_position": document.signer_position,
        "competence": str(extra.get("authority") or ""),
        "urgency": Urgency(document.urgency).value,
        "due_date": document.due_date.isoformat() if document.due_date else None,
        "page_count": document.page_count, "issuer_name": agency.name,
        "issuer_id": agency.agency_code, "place": agency.place,
    }


def files_of(document: Document) -> list[dict[str, Any]]:
    if document.current_file_sha is None:
        return []
    name = f"{(document.code or str(document.id)).replace('/', '-')}.pdf"
    return [{"sha256": document.current_file_sha, "name": name,
             "content_type": "application/pdf"}]


def refuse_classified(document: Document, actor: User, codes: Sequence[str]) -> None:
    if Clearance(document.secrecy) is not Clearance.NONE:
        raise AuditedRefusal(CLASSIFIED_REFUSAL, code="classified", action="exchange.refused",
                             actor=actor.username, object_type="document",
                             object_id=document.id, details={"recipients": list(codes)})


@dataclass
class SendContext:
    """What sending needs from the app: the local verdict of the issued file, and the
    transport for agencies outside the deployment (``None``: download by hand)."""

    verdict: Callable[[Document], dict[str, Any]]
    remote: Callable[[Session, ExchangeDelivery, Document], None] | None = None


def send(session: Session, document: Document, actor: User, codes: Sequence[str],
         ctx: SendContext) -> list[ExchangeDelivery]:
    """One delivery per recipient agency (status 01). An agency of this deployment receives
    it at once in its exchange inbox; an agency outside through the hub (or by hand)."""
    refuse_classified(document, actor, codes)
    if document.direction is not Direction.OUTGOING or document.code is None:
        raise Conflict("Chỉ gửi liên thông được văn bản đi đã ban hành.", code="not_issued")
    sender = agency_of(actor)
    exchange_id = exchange_id_of(document, sender)
    meta, files = metadata_of(document, sender), files_of(document)
    verdict: dict[str, Any] | None = None
    created: list[ExchangeDelivery] = []
    for code in dict.fromkeys(c.strip() for c in codes if c and c.strip()):
        if code == sender.agency_code:
            raise Invalid("Không gửi liên thông cho chính cơ quan mình; hãy chọn phòng ban.",
                          code="own_agency")
        existing = session.scalar(sa.select(ExchangeDelivery).where(
            ExchangeDelivery.side == SENT, ExchangeDelivery.agency_id == sender.id,
            ExchangeDelivery.peer_code == code, ExchangeDelivery.exchange_id == exchange_id))
        if existing is not None:
            continue  # already sent to this agency: dispatching again changes nothing
        local = agency_by_code(session, code)
        transport = "local" if local is not None else ("hub" if ctx.remote else "manual")
        now = utcnow()
        sent = ExchangeDelivery(
            side=SENT, agency_id=sender.id, peer_code=code,
            peer_name=local.name if local is not None else "", outgoing_id=document.id,
            exchange_id=exchange_id, transport=transport, meta=meta,
            files=files, urgency_rank=urgency_rank(meta["urgency"]), created_at=now,
            updated_at=now)
        start(session, sent, actor, actor.full_name, at=now)
        if local is not None:
            if verdict is None:
                verdict = ctx.verdict(document)
            received = ExchangeDelivery(
                side=RECEIVED, agency_id=local.id, peer_code=sender.agency_code,
                peer_name=sender.name, peer_id=sent.id, exchange_id=exchange_id,
                transport="local", meta=meta, files=files, verdict=verdict,
                urgency_rank=sent.urgency_rank, created_at=now, updated_at=now)
            start(session, received, actor, f"{actor.full_name} ({sender.name})", at=now)
            sent.peer_id = received.id
        elif ctx.remote is not None:
            ctx.remote(session, sent, document)
        audit.append(session, "exchange.send", actor=actor, object_type="document",
                     object_id=document.id,
                     details={"to": code, "transport": transport, "document": exchange_id})
        created.append(sent)
    session.flush()
    return created


# -- receiving -------------------------------------------------------------------------------


Register = Callable[[ExchangeDelivery], Document]


def accept(session: Session, delivery: ExchangeDelivery, actor: User,
           register: Register) -> Document:
    """Tiếp nhận: register the document with the next arrival number, then status 03."""
    if delivery.status != "01":
        raise Conflict("Văn bản đang ở trạng thái «%(value)s», không tiếp nhận được nữa.",
                       code="transition_not_allowed",
                       values={"value": status_label(delivery.status)})
    workflow_store.ensure_allowed(session, DELIVERY, track(delivery), actor, "accept")
    document = register(delivery)
    delivery.document_id = document.id
    extra = dict(document.extra or {})
    extra["exchange"] = {"delivery": delivery.id, "from": delivery.peer_code,
                         "from_name": delivery.peer_name, "document_id": delivery.exchange_id}
    document.extra = extra
    fire(session, delivery, actor, "accept")
    return document


def refuse(session: Session, delivery: ExchangeDelivery, actor: User, reason: str) -> None:
    """Từ chối tiếp nhận with a reason (02 back to the sender)."""
    fire(session, delivery, actor, "refuse", reason=reason)


# -- recall ----------------------------------------------------------------------------------


def recall(session: Session, document: Document, actor: User,
           reason: str) -> list[ExchangeDelivery]:
    """Lấy lại: ask every recipient that still holds the document (13)."""
    asked = []
    for delivery in sent_deliveries(session, document):
        if delivery.status in RECALLABLE:
            fire(session, delivery, actor, "recall", reason=reason)
            asked.append(delivery)
    if not asked:
        raise Conflict("Không có nơi nhận nào để lấy lại văn bản.", code="nothing_to_recall")
    return asked


def answer_recall(session: Session, delivery: ExchangeDelivery, actor: User, *, agree: bool,
                  reason: str = "") -> None:
    """The receiving clerk agrees (15: the document leaves its handlers, the register keeps a
    note) or refuses (16, with a reason)."""
    fire(session, delivery, actor, "accept_recall" if agree else "refuse_recall",
         reason=reason)
    if agree and delivery.document_id is not None:
        withdraw(session, delivery, actor.username, reason or _last_reason(delivery, "recall"))


def withdraw(session: Session, delivery: ExchangeDelivery, by: str, reason: str) -> None:
    """The registered document stays in the register (clerks) and leaves everyone else."""
    from eoffice.documents.models import DocumentAccess
    from eoffice.documents.operations import mark_changed

    document = session.get(Document, delivery.document_id)
    if document is None:
        return
    session.execute(sa.delete(DocumentAccess).where(
        DocumentAccess.document_id == document.id, DocumentAccess.key != "role:clerk"))
    session.expire(document, ["access_rows"])
    document.grant("role:clerk")
    extra = dict(document.extra or {})
    extra["recalled_by_sender"] = {"at": utcnow().isoformat() + "Z", "by": by,
                                   "from": delivery.peer_name or delivery.peer_code,
                                   "reason": reason}
    document.extra = extra
    mark_changed(session, document)


# -- automatic reports from the receiver's handling ------------------------------------------

PROGRESS = {("incoming", "direct"): "assign", ("incoming", "start"): "progress",
            ("progress", "note"): "progress", ("incoming", "complete"): "complete"}


def progress_transition(machine: str, transition: str) -> str | None:
    if machine.startswith("assignment:") and transition == "start":
        return "progress"
    return PROGRESS.get((machine, transition))


def report_progress(session: Session, document_id: int, transition: str, username: str) -> None:
    """Direction (04), handling (05) and completion (06) of a received document go back to
    the sender by themselves."""
    delivery = session.scalar(sa.select(ExchangeDelivery).where(
        ExchangeDelivery.side == RECEIVED, ExchangeDelivery.document_id == document_id))
    if delivery is None or (transition == "progress" and delivery.status == "05"):
        return  # handling already reported: a further step is no news for the sender
    user = session.scalar(sa.select(User).where(User.username == username))
    actor = SystemActor(username=username, full_name=user.full_name if user else username)
    if workflow_store.can(session, DELIVERY, track(delivery), actor, transition):
        fire(session, delivery, actor, transition)
