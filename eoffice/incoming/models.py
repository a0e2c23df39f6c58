"""Incoming work: handler assignments (lead/coordinating) with deadlines, notes, reminders.

The document itself is :class:`eoffice.documents.models.Document` (direction ``incoming``);
the direction (bút phê) text is kept in ``document.extra["direction"]``.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.auth.models import Department, User
from eoffice.db import Base, utcnow
from eoffice.documents.models import Document
from eoffice.i18n import N_

LEAD = "lead"
COORDINATOR = "coordinator"
ROLE_LABELS = {LEAD: N_("Chủ trì"), COORDINATOR: N_("Phối hợp")}


class Assignment(Base):
    """One handler of an incoming document: a department (then its head assigns a person)
    or a person, with its own deadline. State follows the ASSIGNMENT machine."""

    __tablename__ = "incoming_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None,
                                                    index=True)
    deadline: Mapped[date | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(sa.String(16), default="assigned")
    active: Mapped[bool] = mapped_column(default=True)
    assigned_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_on: Mapped[date | None] = mapped_column(default=None)
    result: Mapped[str] = mapped_column(sa.Text, default="")
    reply_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="SET NULL"), default=None)

    document: Mapped[Document] = relationship(foreign_keys=[document_id], lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    notes: Mapped[list[ProgressNote]] = relationship(
        order_by="ProgressNote.id", cascade="all, delete-orphan", lazy="selectin")

    # attributes read by the workflow guards (ASSIGNMENT machine)
    @property
    def assignee_username(self) -> str | None:
        return self.assignee.username if self.assignee else None

    @property
    def department_code(self) -> str:
        return self.department.abbreviation

    @property
    def handler_label(self) -> str:
        if self.assignee is not None:
            return f"{self.assignee.full_name} ({self.department.abbreviation})"
        return self.department.name

    @property
    def is_open(self) -> bool:
        return self.active and self.state != "done"

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < today

    def done_on_time(self) -> bool:
        return (self.state == "done" and self.completed_on is not None
                and (self.deadline is None or self.completed_on <= self.deadline))


class ProgressNote(Base):
    """A handler's progress report on an assignment."""

    __tablename__ = "incoming_progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incoming_assignments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)

    author: Mapped[User] = relationship(lazy="joined")


LEADER_REMINDER = "leader"
DUE_SOON = "due_soon"
OVERDUE = "overdue"


class Reminder(Base):
    """A leader's reminder (đôn đốc) about an incoming document or one of its handlers, or
    an automatic deadline reminder (``kind`` due_soon/overdue, no sender) to a handler —
    at most one of each kind per assignment and deadline."""

    __tablename__ = "incoming_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incoming_assignments.id", ondelete="CASCADE"), default=None)
    sender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(16), default=LEADER_REMINDER,
                                      server_default=LEADER_REMINDER)
    deadline: Mapped[date | None] = mapped_column(default=None)

    sender: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "kind", "deadline",
                            name="uq_incoming_reminders_automatic"),
    )
