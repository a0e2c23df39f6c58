"""Paperless meetings: the meeting, its participants, agenda, materials, openings, minutes and
notifications.

Times (``starts_at``/``ends_at``) are the agency's local wall-clock time as typed by the
secretary (naive); bookkeeping times (``created_at``, ``opened_at``…) are naive UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.auth.models import Department, User
from eoffice.db import Base, utcnow
from eoffice.documents.models import Document
from eoffice.i18n import N_
from eoffice.workflow_store import EventRow

MEETING_KINDS = {
    "giao_ban": N_("Họp giao ban"),
    "chuyen_de": N_("Họp chuyên đề"),
    "hoi_nghi": N_("Hội nghị"),
    "hoi_thao": N_("Hội thảo"),
    "khac": N_("Cuộc họp khác"),
}


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[str] = mapped_column(sa.String(32), default="khac")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    location: Mapped[str] = mapped_column(sa.String(500), default="")
    chair_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    secretary_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(sa.String(32), default="draft", index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    """The agency holding the meeting (its secretary's, when left empty)."""
    agenda_sha: Mapped[str | None] = mapped_column(
        sa.ForeignKey("stored_files.sha256"), default=None)
    """The agenda PDF currently in force (unsigned draft, then the chair-signed file)."""
    agenda_signed: Mapped[bool] = mapped_column(default=False)
    distributed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    extra: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    chair: Mapped[User] = relationship(foreign_keys=[chair_id], lazy="joined")
    secretary: Mapped[User] = relationship(foreign_keys=[secretary_id], lazy="joined")
    participants: Mapped[list[MeetingParticipant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MeetingParticipant.id")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position")
    materials: Mapped[list[MeetingMaterial]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingMaterial.id")

    # attributes read by the workflow guards (workflow/definitions.py)
    @property
    def chair_username(self) -> str:
        return self.chair.username

    @property
    def secretary_username(self) -> str:
        return self.secretary.username

    @property
    def kind_label(self) -> str:
        return MEETING_KINDS.get(self.kind, self.kind)


@sa.event.listens_for(Meeting, "before_insert")
def _agency_from_secretary(_mapper: Any, connection: sa.Connection, target: Meeting) -> None:
    if target.agency_id is None:
        target.agency_id = connection.scalar(
            sa.select(Department.agency_id).join(User, User.department_id == Department.id)
            .where(User.id == target.secretary_id))


class MeetingParticipant(Base):
    """A participant: one user, or a whole department (all its active users)."""

    __tablename__ = "meeting_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id"), default=None)

    user: Mapped[User | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.full_name
        return self.department.name if self.department is not None else ""


class AgendaItem(Base):
    __tablename__ = "meeting_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    time: Mapped[str] = mapped_column(sa.String(64), default="")
    title: Mapped[str] = mapped_column(sa.String(1000))
    presenter: Mapped[str] = mapped_column(sa.String(255), default="")


class MeetingMaterial(Base):
    """A signed/issued document of the system, or an uploaded working paper (tài liệu tham
    khảo). A withdrawn material stays listed for the secretary but leaves the pack."""

    __tablename__ = "meeting_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), default=None, index=True)
    sha256: Mapped[str | None] = mapped_column(
        sa.ForeignKey("stored_files.sha256"), default=None)
    """The uploaded file of a working paper (documents use their current file)."""
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    mime: Mapped[str] = mapped_column(sa.String(128), default="application/pdf")
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_reason: Mapped[str] = mapped_column(sa.Text, default="")

    document: Mapped[Document | None] = relationship(lazy="joined")

    @property
    def is_working_paper(self) -> bool:
        return self.document_id is None

    @property
    def kind_label(self) -> str:
        return N_("Tài liệu tham khảo") if self.is_working_paper else N_("Văn bản")

    @property
    def title(self) -> str:
        if self.document is not None:
            code = self.document.code
            return f"{self.document.type_name}{' số ' + code if code else ''}: " \
                   f"{self.document.subject}"
        return self.filename


class MeetingEvent(EventRow, Base):
    """Append-only history of the meeting's workflow (MEETING machine)."""

    __tablename__ = "meeting_events"

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)


class MeetingOpening(Base):
    """Who opened the distributed meeting (read receipt): first and last time, count."""

    __tablename__ = "meeting_openings"

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    count: Mapped[int] = mapped_column(default=1)
    downloaded_pack: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")


class MeetingMinutes(Base):
    """Biên bản: its content, the generated PDF and its two signatures."""

    __tablename__ = "meeting_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(sa.String(500), default="")
    attendees: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    absentees: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    content: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    conclusions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    pdf_sha: Mapped[str | None] = mapped_column(sa.ForeignKey("stored_files.sha256"),
                                                default=None)
    state: Mapped[str] = mapped_column(sa.String(32), default="draft")
    """draft → secretary_signed → signed (by the chair) → distributed."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    distributed_at: Mapped[datetime | None] = mapped_column(default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


MINUTES_STATES = {
    "draft": N_("Dự thảo biên bản"),
    "secretary_signed": N_("Thư ký đã ký, chờ chủ trì ký"),
    "signed": N_("Đã ký đủ"),
    "distributed": N_("Đã gửi người dự họp"),
}


class MeetingNotification(Base):
    """A message in a user's meetings inbox (changes after distribution, withdrawals…)."""

    __tablename__ = "meeting_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    read: Mapped[bool] = mapped_column(default=False)
