"""Automatic deadline reminders (nhắc hạn xử lý): an open assignment whose deadline is
tomorrow (``DEADLINE_REMINDER_DAYS``, default 1) or today gets one "sắp đến hạn" reminder,
one past its deadline gets one "quá hạn" reminder — once per assignment, kind and deadline
(a new deadline gets its own). They appear on the document page beside the leaders'
đôn đốc, sent by the system.

A periodic background sweep: on the Celery workers when a broker is configured, in a thread
of the web process otherwise (:mod:`eoffice.background`). Several workers may sweep at the
same time: a unique key (assignment, kind, deadline) keeps one reminder each.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eoffice import background
from eoffice.db import unit_of_work
from eoffice.incoming.models import DUE_SOON, OVERDUE, Assignment, Reminder

log = logging.getLogger(__name__)
TASK = "incoming.deadline_reminders"


def message_for(kind: str, deadline: date, handler: str) -> str:
    when = deadline.strftime("%d/%m/%Y")
    if kind == OVERDUE:
        return f"Nhắc hạn tự động: {handler} đã quá hạn xử lý ({when})."
    return f"Nhắc hạn tự động: {handler} sắp đến hạn xử lý ({when})."


def due_assignments(session: Session, today: date, days: int) -> list[tuple[Assignment, str]]:
    """Open assignments due by ``today + days`` still without their reminder."""
    sent = sa.select(Reminder.id).where(
        Reminder.assignment_id == Assignment.id, Reminder.deadline == Assignment.deadline,
        Reminder.kind == sa.case((Assignment.deadline < today, OVERDUE), else_=DUE_SOON))
    rows = session.scalars(sa.select(Assignment).where(
        Assignment.active.is_(True), Assignment.state != "done",
        Assignment.deadline.is_not(None), Assignment.deadline <= today + timedelta(days=days),
        ~sa.exists(sent)).order_by(Assignment.id))
    return [(a, OVERDUE if a.deadline < today else DUE_SOON)  # type: ignore[operator]
            for a in rows]


def send_reminders(session: Session, today: date, *, days: int = 1) -> int:
    """Write the reminders that are due, each in its own transaction (a concurrent sweep
    that wrote the same one first wins: the unique key refuses the second); returns how
    many this call wrote."""
    from eoffice.audit import operations as audit

    due = [(a.id, a.document_id, a.document.agency_id, a.deadline, kind, a.handler_label)
           for a, kind in due_assignments(session, today, days)]
    session.rollback()
    written = 0
    for assignment_id, document_id, agency_id, deadline, kind, handler in due:
        assert deadline is not None
        try:
            with unit_of_work(session):  # one reminder, with its audit entry
                session.add(Reminder(document_id=document_id, assignment_id=assignment_id,
                                     kind=kind, deadline=deadline, sender_id=None,
                                     message=message_for(kind, deadline, handler)))
                audit.append(session, "incoming.remind", actor="system",
                             object_type="document", object_id=document_id,
                             agency_id=agency_id,
                             details={"assignment": assignment_id, "kind": kind,
                                      "deadline": deadline.isoformat()})
        except IntegrityError:
            continue  # another worker's sweep sent it (rolled back)
        written += 1
    return written


@background.task(TASK)
def _sweep(app: Flask) -> None:
    from eoffice import settings
    from eoffice.db import db

    try:
        days = int(app.config.get("DEADLINE_REMINDER_DAYS") or 1)
        count = send_reminders(db.session, settings.today(), days=days)
        if count:
            log.info("%d deadline reminders sent", count)
    finally:
        db.session.remove()


background.sweep(TASK, every=300.0, embedded=True)
