"""Audit entries and the chain head that serialises appends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.db import Base

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One action. ``hash`` = sha256(prev_hash + canonical JSON of the entry's content)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    agency_id: Mapped[int | None] = mapped_column(default=None, index=True)
    """The agency the entry belongs to (the actor's, or the administered one); part of the
    hash when set. Entries written before agencies were tenants have none."""
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditHead(Base):
    """A single row holding the last sequence number and hash; updating it locks the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)
