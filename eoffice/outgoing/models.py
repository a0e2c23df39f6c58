"""Outgoing documents: dispatch records and recall notifications.

The document itself is the shared :class:`eoffice.documents.models.Document` (direction
``outgoing``); its drafting data (named signer, authority, body) lives in ``extra``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.db import Base, utcnow


class OutgoingDispatch(Base):
    """One recipient an issued document was sent to: a department of the agency (its
    inbox) or an agency outside (recorded for the later document exchange)."""

    __tablename__ = "outgoing_dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "department" | "external"
    recipient: Mapped[str] = mapped_column(sa.String(255))  # department code or agency id
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)


class OutgoingNotification(Base):
    """A message for the recipients of a document (e.g. its recall)."""

    __tablename__ = "outgoing_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    recipient_key: Mapped[str] = mapped_column(sa.String(96), index=True)  # dept:VHTT, ...
    message: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    read: Mapped[bool] = mapped_column(default=False)
