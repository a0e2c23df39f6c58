"""Credential files an agency admin uploads (seal image and key, users' signature images and
server-held keys, trust anchors), kept in the database so that every app server and worker
of a deployment sees the same ones (issue 13).

They are small (an image ≤ 1 MB, a key or certificate ≤ 64 KB), security-relevant and
written in the admin action's transaction together with its audit entry: nothing
half-written, and a server reads the current one on every use (no restart, no copy). A key
is kept as uploaded: a PKCS#12 encrypted under its passphrase, which the server never holds.

A row is never changed: a new upload is a new row (the old one is deleted in the same
transaction), referenced from the owner as ``agency-file:<id>``. A reference that is a
path names a file an operator installed on every machine (the demo PKI, ``eoffice demo``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from eoffice.db import Base, utcnow

SCHEME = "agency-file:"
TRUST_ANCHOR = "trust_anchor"


class AgencyFile(Base):
    __tablename__ = "agency_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    """seal_png, seal_p12, signature_png, user_p12, trust_anchor"""
    name: Mapped[str] = mapped_column(sa.String(64), default="")
    """The user's name, or a trust anchor's fingerprint (sha256 of its DER)."""
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_agency_files_agency_kind", "agency_id", "kind"),)


def keep(session: Session, agency_id: int, kind: str, data: bytes, *, name: str = "",
         replaces: str | None = None) -> str:
    """Store ``data`` for the agency; delete what ``replaces`` referenced; the reference."""
    forget(session, agency_id, replaces)
    row = AgencyFile(agency_id=agency_id, kind=kind, name=name, data=data,
                     sha256=hashlib.sha256(data).hexdigest())
    session.add(row)
    session.flush()
    return f"{SCHEME}{row.id}"


def forget(session: Session, agency_id: int, ref: str | None) -> None:
    """Delete the stored file ``ref`` names (a path is left alone: not ours)."""
    row_id = _row_id(ref)
    if row_id is not None:
        session.execute(sa.delete(AgencyFile).where(AgencyFile.id == row_id,
                                                    AgencyFile.agency_id == agency_id))


def _row_id(ref: str | None) -> int | None:
    if ref and ref.startswith(SCHEME) and ref[len(SCHEME):].isdigit():
        return int(ref[len(SCHEME):])
    return None


def material(session: Session | None, ref: str | None) -> bytes | Path | None:
    """What ``ref`` names: the stored bytes, a path installed on every machine, or None
    (no reference, or a stored file that is gone)."""
    if not ref:
        return None
    row_id = _row_id(ref)
    if row_id is None:
        return Path(ref)
    if session is None:
        return None
    return session.scalar(sa.select(AgencyFile.data).where(AgencyFile.id == row_id))


def of(owner: object, ref: str | None) -> bytes | Path | None:
    """:func:`material` in the session ``owner`` (a User or Agency row) was loaded in."""
    return material(object_session(owner), ref)


def read(value: bytes | Path | None) -> bytes | None:
    """The bytes of a :func:`material` value (None when absent)."""
    if isinstance(value, bytes) or value is None:
        return value
    try:
        return value.read_bytes()
    except OSError:
        return None


def anchors(session: Session, agency_id: int) -> list[tuple[str, bytes]]:
    """The agency's trust anchors: (fingerprint, PEM), by fingerprint."""
    rows = session.execute(sa.select(AgencyFile.name, AgencyFile.data).where(
        AgencyFile.agency_id == agency_id, AgencyFile.kind == TRUST_ANCHOR
    ).order_by(AgencyFile.name))
    return [(name, data) for name, data in rows]
