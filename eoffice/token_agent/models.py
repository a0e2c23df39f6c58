"""Pairings with local token agents, one-time pairing codes, signatures waiting for the token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.auth.models import User
from eoffice.db import Base, utcnow


class AgentPairing(Base):
    """The agent on a user's computer: shared key and the certificate of their token."""

    __tablename__ = "token_agent_pairings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key_hex: Mapped[str] = mapped_column(sa.String(64))
    cert_sha256: Mapped[str] = mapped_column(sa.String(64))
    cert_subject: Mapped[str] = mapped_column(sa.String(255))
    agent_url: Mapped[str] = mapped_column(sa.String(255))
    paired_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class PairingCode(Base):
    """A one-time pairing code (its sha256), valid for a few minutes."""

    __tablename__ = "token_agent_codes"

    code_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]


class PendingSignature(Base):
    """A prepared document (PDF with an empty signature) waiting for the token's value."""

    __tablename__ = "pending_signatures"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32), default="outgoing-sign",
                                      server_default="outgoing-sign")
    """``outgoing-sign`` (``document_id``), ``meeting-agenda`` / ``meeting-minutes``
    (``target_id`` = the meeting)."""
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True, default=None)
    target_id: Mapped[int | None] = mapped_column(default=None)
    source_sha: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    expires_at: Mapped[datetime]
