"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from eoffice.db import utcnow


def canonical_json(entry_id: int, at: datetime, actor: str | None, action: str,
                   object_type: str | None, object_id: str | None,
                   details: dict[str, Any], agency_id: int | None = None) -> str:
    """The exact bytes that are hashed: sorted keys, no whitespace, UTF-8 kept. The agency
    is hashed when set (entries from before agencies keep their original bytes)."""
    payload: dict[str, Any] = {
        "id": entry_id,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
    }
    if agency_id is not None:
        payload["agency_id"] = agency_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append(session: Session, action: str, *, actor: Any = None, object_type: str | None = None,
           object_id: Any = None, details: dict[str, Any] | None = None,
           agency_id: int | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (to ``agency_id``, default the actor's).

    The UPDATE of the head row takes a row lock (PostgreSQL) or the write lock (SQLite) that is
    held until commit, so concurrent appends queue up and never fork the chain.
    """
    actor_name = getattr(actor, "username", actor)
    if agency_id is None:
        agency_id = getattr(actor, "agency_id", None)
    details = json.loads(json.dumps(details or {}, default=str))  # what is stored is what is hashed
    head = session.execute(
        sa.update(AuditHead).where(AuditHead.id == 1)
        .values(last_id=AuditHead.last_id + 1)
        .returning(AuditHead.last_id, AuditHead.last_hash)
    ).one_or_none()
    if head is None:
        session.add(AuditHead(id=1, last_id=1, last_hash=GENESIS_HASH))
        session.flush()
        entry_id, prev_hash = 1, GENESIS_HASH
    else:
        entry_id, prev_hash = head
    at = utcnow()
    obj_id = None if object_id is None else str(object_id)
    digest = chain_hash(prev_hash, canonical_json(entry_id, at, actor_name, action, object_type,
                                                   obj_id, details, agency_id))
    entry = AuditEntry(id=entry_id, at=at, actor=actor_name, action=action,
                       object_type=object_type, object_id=obj_id, details=details,
                       agency_id=agency_id, prev_hash=prev_hash, hash=digest)
    session.add(entry)
    session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    reason: str


def verify_entries(entries: Iterable[AuditEntry]) -> ChainProblem | None:
    """Recompute the chain; return the first broken entry, or None when intact."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    for entry in entries:
        if entry.id != expected_id:
            return ChainProblem(expected_id, f"mục {expected_id} bị thiếu (gặp mục {entry.id})")
        if entry.prev_hash != prev_hash:
            return ChainProblem(entry.id, "liên kết với mục trước không khớp")
        canonical = canonical_json(entry.id, entry.at, entry.actor, entry.action,
                                   entry.object_type, entry.object_id, entry.details or {},
                                   entry.agency_id)
        if chain_hash(prev_hash, canonical) != entry.hash:
            return ChainProblem(entry.id, "nội dung đã bị thay đổi (hash không khớp)")
        prev_hash = entry.hash
        expected_id += 1
    return None


def verify_chain(session: Session) -> tuple[int, ChainProblem | None]:
    """Verify the whole chain; returns (entries checked, first problem or None)."""
    count = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0
    entries = session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    )
    problem = verify_entries(entries)
    if problem is None:
        head = session.get(AuditHead, 1)
        if head is not None and head.last_id != count:
            problem = ChainProblem(head.last_id, "mục cuối cùng đã bị xoá")
    return count, problem
