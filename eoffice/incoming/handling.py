"""Direction (bút phê) and handling: assignments, re-assignment inside a unit, progress notes,
completion, reminders (đôn đốc). Workflow state from ``workflow.INCOMING``/``ASSIGNMENT``.

Operations take the acting user, flush and never commit; the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice import workflow_store
from eoffice.audit import operations as audit
from eoffice.auth.models import Department, Role, User
from eoffice.db import utcnow
from eoffice.documents.models import Direction, Document
from eoffice.documents.operations import fire, get_visible, history_of, track
from eoffice.errors import Conflict, Forbidden, Invalid, NotFound
from eoffice.incoming.forms import DirectionInput, HandlerSpec, nfc
from eoffice.incoming.models import (
    COORDINATOR,
    LEAD,
    LEADER_REMINDER,
    Assignment,
    ProgressNote,
    Reminder,
)
from workflow.definitions import is_assignee


@dataclass
class IncomingSubject:
    """What the INCOMING guards read about a document's handlers."""

    lead_username: str | None = None
    lead_department_code: str | None = None
    assignee_usernames: list[str] = field(default_factory=list)


def active_assignments(session: Session, document: Document) -> list[Assignment]:
    return list(session.scalars(sa.select(Assignment).where(
        Assignment.document_id == document.id, Assignment.active.is_(True))
        .order_by(Assignment.role.desc(), Assignment.id)))


def lead_of(session: Session, document: Document) -> Assignment | None:
    return next((a for a in active_assignments(session, document) if a.role == LEAD), None)


def incoming_subject(session: Session, document: Document) -> IncomingSubject:
    lead = lead_of(session, document)
    if lead is None:
        return IncomingSubject()
    return IncomingSubject(lead_department_code=lead.department_code,
                           assignee_usernames=[lead.assignee.username] if lead.assignee else [])


def get_incoming(session: Session, actor: User, document_id: Any) -> Document:
    document = get_visible(session, actor, document_id)
    if document.direction is not Direction.INCOMING:
        raise NotFound()
    return document


def get_assignment(session: Session, actor: User, assignment_id: Any) -> Assignment:
    try:
        assignment = session.get(Assignment, int(assignment_id))
    except (TypeError, ValueError):
        raise NotFound() from None
    if assignment is None or not assignment.document.can_view(actor):
        raise NotFound()
    return assignment


def resolve_handler(session: Session, agency_id: int, spec: HandlerSpec
                    ) -> tuple[Department, User | None]:
    """A department code (``VHTT``) or a username; the person's department comes with it."""
    dept = session.scalar(sa.select(Department).where(Department.agency_id == agency_id,
                                                      Department.abbreviation == spec.handler))
    if dept is not None:
        return dept, None
    user = session.scalar(sa.select(User).join(User.department).where(
        User.username == spec.handler, User.active.is_(True), Department.agency_id == agency_id))
    if user is None:
        raise Invalid("Không tìm thấy đơn vị hoặc người xử lý «%(handler)s».",
                      code="unknown_handler", values={"handler": spec.handler})
    return user.department, user


def _log(session: Session, document: Document, kind: str, entry: str, actor: User,
         comment: str, to_state: str = "") -> None:
    """A history entry that moves no machine (who was assigned, a progress note, a reminder)."""
    workflow_store.journal(session, track(document, kind), actor, entry, comment,
                           to_state=to_state)


def direct(session: Session, document: Document, actor: User, data: DirectionInput,
           *, today: date) -> list[Assignment]:
    """Bút phê: instruction, one lead and coordinating handlers, each with a deadline.

    A new direction replaces the open assignments of an earlier one.
    """
    if data.lead.deadline is not None and data.lead.deadline < today:
        raise Invalid("Hạn giải quyết không được trước ngày hôm nay.", code="invalid_deadline")
    agency_id = document.department.agency_id
    lead_dept, lead_user = resolve_handler(session, agency_id, data.lead)
    coords = [(resolve_handler(session, agency_id, c), c.deadline) for c in data.coordinators]
    fire(session, workflow.INCOMING, document, actor, "direct", comment=data.instruction,
         details={"lead": data.lead.handler,
                  "coordinators": [c.handler for c in data.coordinators]})
    for old in active_assignments(session, document):
        if old.state != "done":
            old.active = False
    created: list[Assignment] = []
    for role, (dept, user), deadline in [(LEAD, (lead_dept, lead_user), data.lead.deadline),
                                         *[(COORDINATOR, h, d) for h, d in coords]]:
        assignment = Assignment(document_id=document.id, role=role, department=dept,
                                assignee=user, deadline=deadline, assigned_by_id=actor.id,
                                result="")
        session.add(assignment)
        created.append(assignment)
        document.grant(f"dept:{dept.abbreviation}")
        if user is not None:
            document.grant(f"user:{user.username}")
    session.flush()
    for a in created:
        _log(session, document, "direction", "assign", actor,
             f"{'Chủ trì' if a.role == LEAD else 'Phối hợp'}: {a.handler_label}"
             + (f", hạn {a.deadline.strftime('%d/%m/%Y')}" if a.deadline else ""),
             to_state="assigned")
    document.extra = {**document.extra, "direction": {
        "instruction": data.instruction, "by": actor.username, "by_name": actor.full_name,
        "at": utcnow().isoformat() + "Z",
        "deadline": data.lead.deadline.isoformat() if data.lead.deadline else None},
        "handlers": [_handler_json(a) for a in created]}
    if document.due_date is None and data.lead.deadline is not None:
        document.due_date = data.lead.deadline
    return created


def _handler_json(a: Assignment) -> dict[str, Any]:
    return {"role": a.role, "department": a.department.abbreviation,
            "username": a.assignee.username if a.assignee else None,
            "deadline": a.deadline.isoformat() if a.deadline else None}


def _fire_assignment(session: Session, assignment: Assignment, actor: User, transition: str,
                     comment: str = "") -> workflow.Event:
    """One handler's own workflow, kept in the document's history under its own key."""
    return fire(session, workflow.ASSIGNMENT, assignment.document, actor, transition,
                comment=comment, subject=assignment, holder=assignment,
                history_key=f"assignment:{assignment.id}", audit_prefix="assignment",
                details={"assignment": assignment.id, "role": assignment.role})


def _require_open(assignment: Assignment) -> None:
    if not assignment.active:
        raise Conflict("Việc này đã được giao lại theo ý kiến chỉ đạo mới.", code="inactive")


def reassign(session: Session, assignment: Assignment, actor: User, username: str,
             *, deadline: date | None = None, comment: str = "") -> None:
    """The head of the unit (or a leader) gives the work to a person of that unit."""
    _require_open(assignment)
    person = session.scalar(sa.select(User).where(User.username == nfc(username),
                                                  User.active.is_(True)))
    if person is None or person.department_id != assignment.department_id:
        raise Invalid("Chỉ giao được cho người thuộc đơn vị được giao xử lý.", code="not_in_unit")
    _fire_assignment(session, assignment, actor, "reassign",
                     comment or f"Giao {person.full_name} xử lý")
    assignment.assignee = person
    if deadline is not None:
        assignment.deadline = deadline
    assignment.document.grant(f"user:{person.username}")
    _refresh_handlers(session, assignment.document)


def _refresh_handlers(session: Session, document: Document) -> None:
    document.extra = {**document.extra, "handlers": [
        _handler_json(a) for a in active_assignments(session, document)]}


def _incoming_step(session: Session, assignment: Assignment, actor: User, transition: str,
                   comment: str) -> None:
    """Move the document itself when its lead handler starts or completes."""
    if assignment.role != LEAD:
        return
    document = assignment.document
    state = workflow.INCOMING.state_of(history_of(session, document, "incoming"))
    if workflow.INCOMING.find(transition, state) is None:
        return
    subject = incoming_subject(session, document)
    fire(session, workflow.INCOMING, document, actor, transition,
         comment=comment, subject=subject)


def start(session: Session, assignment: Assignment, actor: User) -> None:
    _require_open(assignment)
    _fire_assignment(session, assignment, actor, "start")
    _incoming_step(session, assignment, actor, "start", "")


def add_note(session: Session, assignment: Assignment, actor: User, text: str) -> ProgressNote:
    """A progress report by the handler (or the head of the unit)."""
    _require_open(assignment)
    text = nfc(text)
    if not text:
        raise Invalid("Nội dung báo cáo tiến độ không được để trống.", code="missing_field")
    is_head = actor.has_role(Role.HEAD) and actor.department_id == assignment.department_id
    if not (is_head or is_assignee(actor, assignment)):
        raise Forbidden("Chỉ người được giao xử lý được báo cáo tiến độ.", code="not_allowed")
    note = ProgressNote(assignment_id=assignment.id, author_id=actor.id, text=text)
    session.add(note)
    _log(session, assignment.document, "progress", "note", actor, text)
    audit.append(session, "assignment.note", actor=actor, object_type="document",
                 object_id=assignment.document_id,
                 details={"assignment": assignment.id, "text": text[:200]})
    session.flush()
    return note


def complete(session: Session, assignment: Assignment, actor: User, *, result: str = "",
             reply_document_id: int | None = None, today: date) -> None:
    """Finish the work, optionally linking the reply (an outgoing draft the actor may see)."""
    _require_open(assignment)
    if reply_document_id is not None:
        reply = get_visible(session, actor, reply_document_id)
        if reply.direction is not Direction.OUTGOING:
            raise Invalid("Văn bản trả lời phải là một văn bản đi.", code="not_outgoing")
    _fire_assignment(session, assignment, actor, "complete", nfc(result))
    assignment.completed_on = today
    assignment.result = nfc(result)
    assignment.reply_document_id = reply_document_id
    _incoming_step(session, assignment, actor, "complete", nfc(result))


def remind(session: Session, document: Document, actor: User, message: str = "",
           assignment: Assignment | None = None) -> int:
    """Đôn đốc: a leader reminds the handlers; returns how many reminders the document has."""
    if not actor.has_role(Role.LEADER):
        raise Forbidden("Chỉ lãnh đạo được đôn đốc xử lý văn bản.", code="not_allowed")
    if document.state not in {"directed", "in_progress"}:
        raise Conflict("Chỉ đôn đốc được văn bản đang trong quá trình xử lý.", code="not_open")
    message = nfc(message) or "Đề nghị khẩn trương giải quyết."
    session.add(Reminder(document_id=document.id, sender_id=actor.id, message=message,
                         assignment_id=assignment.id if assignment else None))
    _log(session, document, "reminder", "remind", actor, message)
    audit.append(session, "incoming.remind", actor=actor, object_type="document",
                 object_id=document.id, details={"message": message})
    session.flush()
    return reminder_count(session, document.id)


def reminder_count(session: Session, document_id: int) -> int:
    """How many times leaders have reminded (đôn đốc) about the document."""
    return session.scalar(sa.select(sa.func.count(Reminder.id)).where(
        Reminder.document_id == document_id, Reminder.kind == LEADER_REMINDER)) or 0


def reminders_of(session: Session, document_id: int, *,
                 automatic: bool = False) -> list[Reminder]:
    """The leaders' reminders, or (``automatic``) the deadline reminders of the system."""
    kind = Reminder.kind != LEADER_REMINDER if automatic else Reminder.kind == LEADER_REMINDER
    return list(session.scalars(sa.select(Reminder).where(Reminder.document_id == document_id,
                                                          kind).order_by(Reminder.id)))
