"""The document record (national metadata list), its files and its access keys."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.auth.models import Clearance, Department, User
from eoffice.db import Base, enum_column, utcnow
from eoffice.i18n import N_
from eoffice.workflow_store import EventRow


class Direction(enum.StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Urgency(enum.StrEnum):
    THUONG = "thuong"
    KHAN = "khan"
    THUONG_KHAN = "thuong_khan"
    HOA_TOC = "hoa_toc"

    @property
    def is_urgent(self) -> bool:
        return self is not Urgency.THUONG

    @property
    def rank(self) -> int:
        """Higher is more urgent (used to list urgent documents first)."""
        return list(Urgency).index(self)


URGENCY_LABELS = {
    Urgency.THUONG: N_("Thường"),
    Urgency.KHAN: N_("Khẩn"),
    Urgency.THUONG_KHAN: N_("Thượng khẩn"),
    Urgency.HOA_TOC: N_("Hỏa tốc"),
}


class StoredFile(Base):
    """A blob in the content-addressed store (the database's record of it)."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    mime: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    # national metadata list (SPEC §2)
    type_code: Mapped[str] = mapped_column(sa.String(16), default="CV")
    type_name: Mapped[str] = mapped_column(sa.String(64), default="Công văn")
    code_number: Mapped[int | None] = mapped_column(default=None)
    code_notation: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    issued_date: Mapped[date | None] = mapped_column(default=None)
    issuer_name: Mapped[str] = mapped_column(sa.String(255), default="")
    issuer_id: Mapped[str | None] = mapped_column(sa.String(13), default=None)
    subject: Mapped[str] = mapped_column(sa.String(500))
    language: Mapped[str] = mapped_column(sa.String(8), default="vi")
    page_count: Mapped[int | None] = mapped_column(default=None)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    signer_position: Mapped[str] = mapped_column(sa.String(255), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(255), default="")
    recipients: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"),
                                             default=Urgency.THUONG)
    secrecy: Mapped[Clearance] = mapped_column(enum_column(Clearance, "secrecy"),
                                               default=Clearance.NONE)
    copies: Mapped[int] = mapped_column(default=1)
    due_date: Mapped[date | None] = mapped_column(default=None)
    # incoming
    arrival_date: Mapped[date | None] = mapped_column(default=None)
    arrival_number: Mapped[int | None] = mapped_column(default=None)
    arrival_year: Mapped[int | None] = mapped_column(default=None)
    # bookkeeping
    register: Mapped[str] = mapped_column(sa.String(64), default="")
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    """The agency that registered or drafted it (set from the department when left empty)."""
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    signer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None,
                                                  index=True)
    """The official named to sign an outgoing document (who must sign it)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    current_file_sha: Mapped[str | None] = mapped_column(
        sa.ForeignKey("stored_files.sha256"), default=None
    )
    extra: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    department: Mapped[Department] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[created_by_id])
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id])
    files: Mapped[list[DocumentFile]] = relationship(
        back_populates="document", order_by="DocumentFile.id", cascade="all, delete-orphan"
    )
    access_rows: Mapped[list[DocumentAccess]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.UniqueConstraint("agency_id", "direction", "arrival_year", "register",
                            "arrival_number", name="arrival_unique"),
        sa.Index("ix_documents_code_year", "direction", "code_number", "code_notation",
                 "issued_date"),
    )

    @property
    def code(self) -> str | None:
        """The reference code without the 'Số:' label, e.g. ``82/KH-UBND``."""
        if self.code_number is None or not self.code_notation:
            return None
        return f"{self.code_number:02d}/{self.code_notation}"

    @property
    def is_classified(self) -> bool:
        return Clearance(self.secrecy) is not Clearance.NONE

    @property
    def access_keys(self) -> set[str]:
        return {row.key for row in self.access_rows}

    def grant(self, *keys: str) -> None:
        """Add access keys (``dept:VHTT``, ``user:chuyenvien``, ``role:leader``, ``all``)."""
        have = self.access_keys
        for key in keys:
            if key not in have:
                self.access_rows.append(DocumentAccess(key=key))
                have.add(key)

    def can_view(self, user: User) -> bool:
        """Same agency, clearance at least the document's secrecy, and one shared access key."""
        return (self.agency_id == user.agency_id and user.may_see_secrecy(self.secrecy)
                and bool(self.access_keys & user.access_keys()))


@sa.event.listens_for(Document, "before_insert")
def _agency_from_department(_mapper: Any, connection: sa.Connection, target: Document) -> None:
    """A document belongs to the agency of the department that registered or drafted it."""
    if target.agency_id is None:
        if target.department is not None:
            target.agency_id = target.department.agency_id
        else:
            target.agency_id = connection.scalar(
                sa.select(Department.agency_id).where(Department.id == target.department_id))


class DocumentFile(Base):
    """Every file a document has had (draft PDF, DOCX, signed, issued, received original)."""

    __tablename__ = "document_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")  # display only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)

    document: Mapped[Document] = relationship(back_populates="files")


class DocumentAccess(Base):
    __tablename__ = "document_access"

    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(sa.String(96), primary_key=True, index=True)


class Counter(Base):
    """Per-scope counters (document numbers, arrival numbers): gap-free, never reused."""

    __tablename__ = "counters"

    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class DocumentEvent(EventRow, Base):
    """Append-only history of a document's workflows, one ``machine`` key each (``outgoing``,
    ``incoming``, ``registration``, ``assignment:<id>``; journal entries such as ``progress``)."""

    __tablename__ = "document_events"

    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    machine: Mapped[str] = mapped_column(sa.String(32))


class ReadMark(Base):
    """When a user last opened an item of their lists (the "Mới" markers): a document, or a
    delivery of the exchange inbox."""

    __tablename__ = "read_marks"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # document | delivery
    item_id: Mapped[int] = mapped_column(primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchOutbox(Base):
    """Documents whose index entry must be refreshed; written in the same transaction as the
    change, applied by the single index writer after commit."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
