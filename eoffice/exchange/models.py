"""Exchange (liên thông) records: deliveries with their status history, the hub outbox,
the messages already applied, and quarantined packages.

A delivery is one document between two agencies, seen from one side: the sending agency
holds a ``sent`` row per recipient, the receiving agency a ``received`` row (its exchange
inbox). Inside one deployment both rows exist in the same database and point at each
other (``peer_id``); with an agency outside, each deployment holds its own row and the
status messages travel as signed edXML packages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.db import Base, utcnow
from eoffice.workflow_store import EventRow

SENT = "sent"
RECEIVED = "received"


class ExchangeDelivery(Base):
    __tablename__ = "exchange_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(sa.String(8))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    """The local agency: the sender of a ``sent`` row, the recipient of a ``received`` one."""
    peer_code: Mapped[str] = mapped_column(sa.String(13))
    peer_name: Mapped[str] = mapped_column(sa.String(255), default="")
    peer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exchange_deliveries.id"), default=None)
    outgoing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id"), default=None, index=True)
    """``sent``: the outgoing document."""
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id"), default=None, index=True)
    """``received``: the incoming document registered when the clerk accepted it."""
    exchange_id: Mapped[str] = mapped_column(sa.String(600))
    """The edXML DocumentId ``OrganId,YYYY/MM/DD,Số/Ký hiệu``."""
    status: Mapped[str] = mapped_column(sa.String(2), default="00")
    """The national status code (DELIVERY machine); "00" only until the ``send`` event."""
    transport: Mapped[str] = mapped_column(sa.String(16), default="local")
    meta: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    files: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    verdict: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    urgency_rank: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list[ExchangeEvent]] = relationship(
        back_populates="delivery", order_by="ExchangeEvent.id", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("side", "agency_id", "peer_code", "exchange_id",
                            name="exchange_delivery_unique"),
        sa.Index("ix_exchange_inbox", "agency_id", "side", "status"),
    )


class ExchangeEvent(EventRow, Base):
    """One status change of a delivery (DELIVERY machine; states are the status codes): who
    (person or agency, ``actor_name`` for display), when, why (``comment``)."""

    __tablename__ = "exchange_events"

    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exchange_deliveries.id", ondelete="CASCADE"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(255), default="")

    delivery: Mapped[ExchangeDelivery] = relationship(back_populates="events")


class ExchangeOutbox(Base):
    """A signed package waiting for (or already given to) the hub: the durable record."""

    __tablename__ = "exchange_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    destination: Mapped[str] = mapped_column(sa.String(13), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # document | status
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")


class ExchangeApplied(Base):
    """A message id whose effect is committed: a re-delivery is acknowledged and ignored."""

    __tablename__ = "exchange_applied"

    message_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(32), default="applied")


class ExchangeQuarantine(Base):
    """A package that was refused (bad signature, untrusted signer, hostile XML…): only its
    reason and fingerprint are kept, never its content."""

    __tablename__ = "exchange_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), default=None,
                                                  index=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # hub | import
    message_id: Mapped[str] = mapped_column(sa.String(64), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(default=0)
    sender_code: Mapped[str] = mapped_column(sa.String(32), default="")
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    reason: Mapped[str] = mapped_column(sa.Text)
    reason_en: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(sa.String(64), default="")
