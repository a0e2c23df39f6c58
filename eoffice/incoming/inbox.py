"""What each user has to do: inboxes (chờ xử lý, đang xử lý, đã xử lý, quá hạn), documents
to direct, work to assign; urgent first everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.auth.models import Role, User
from eoffice.documents.models import Direction, Document, Urgency
from eoffice.documents.operations import visible_filter
from eoffice.i18n import N_
from eoffice.incoming.models import Assignment

TABS = {"pending": N_("Chờ xử lý"), "in_progress": N_("Đang xử lý"), "done": N_("Đã xử lý"),
        "overdue": N_("Quá hạn")}
URGENCY_ORDER = sa.case({u.value: u.rank for u in Urgency}, value=Document.urgency, else_=0)


@dataclass
class WorkItem:
    document: Document
    assignment: Assignment | None = None

    @property
    def urgent(self) -> bool:
        return Urgency(self.document.urgency).is_urgent


def _mine(user: User) -> sa.ColumnElement[bool]:
    """Assignments given to the user, or to the user's unit while the user heads it."""
    own = Assignment.assignee_id == user.id
    if user.has_role(Role.HEAD):
        return sa.or_(own, sa.and_(Assignment.assignee_id.is_(None),
                                   Assignment.department_id == user.department_id))
    return own


def _assignments(session: Session, user: User, *conditions: sa.ColumnElement[bool]
                 ) -> list[WorkItem]:
    rows = session.scalars(
        sa.select(Assignment).join(Document, Document.id == Assignment.document_id)
        .where(Assignment.active.is_(True), visible_filter(user), *conditions)
        .order_by(URGENCY_ORDER.desc(), Assignment.deadline.is_(None), Assignment.deadline,
                  Document.arrival_number)).unique().all()
    return [WorkItem(a.document, a) for a in rows]


def inbox(session: Session, user: User, tab: str, today: date) -> list[WorkItem]:
    mine = _mine(user)
    if tab == "pending":
        return _assignments(session, user, mine, Assignment.state == "assigned")
    if tab == "in_progress":
        return _assignments(session, user, mine, Assignment.state == "in_progress")
    if tab == "done":
        return _assignments(session, user, mine, Assignment.state == "done")
    if tab == "overdue":
        return overdue(session, user, today, only_mine=not user.has_role(Role.LEADER))
    raise ValueError(tab)


def overdue(session: Session, user: User, today: date, *, only_mine: bool = False
            ) -> list[WorkItem]:
    """Open work past its deadline (a leader sees all of it, others their own)."""
    conditions = [Assignment.state != "done", Assignment.deadline < today]
    if only_mine:
        conditions.append(_mine(user))
    return _assignments(session, user, *conditions)


def to_assign(session: Session, user: User) -> list[WorkItem]:
    """Work given to the head's unit that no person has yet."""
    return _assignments(session, user, Assignment.assignee_id.is_(None),
                        Assignment.department_id == user.department_id,
                        Assignment.state != "done")


def documents(session: Session, user: User, *conditions: sa.ColumnElement[bool],
              limit: int | None = None) -> list[Document]:
    query = (sa.select(Document).where(Document.direction == Direction.INCOMING,
                                       visible_filter(user), *conditions)
             .order_by(URGENCY_ORDER.desc(), Document.arrival_date.desc(),
                       Document.arrival_number.desc()))
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query).unique())


def to_direct(session: Session, user: User) -> list[Document]:
    return documents(session, user, Document.state == "registered")
