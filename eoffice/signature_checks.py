"""Signature validation of a registered file, deferred to the background workers.

A registration answers with its arrival number at once; the signatures of the file are
validated afterwards by a worker. Until then the document page and the API show the verdict
``pending`` — "đang kiểm tra chữ ký", the same verdict the exchange inbox shows for a package
whose PDF is not checked yet — and never ``valid``.

What stays synchronous: the hostile-file structure check (sandboxed), so a file that must be
refused is refused before anything is stored; and, from the same sandboxed call, the verdict
of a file without any filled signature field (``unsigned``, or ``invalid`` for data after
``%%EOF``), which needs no cryptography: nothing is queued for it.

The durable record is a :class:`SignatureCheck` row written in the registration's
transaction. The background task ``signatures.check`` claims rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL), validates the stored file in the sandbox, writes the verdict and
deletes the row in one transaction; its sweep re-runs it, so a lost message or a worker
killed mid-check loses nothing. ``eoffice repair`` checks that every pending verdict has its
row (and ``--fix`` queues it again).

Chosen by ``SIGNATURE_CHECK``: ``background`` or ``sync``; empty (default) means
``background`` when a broker is configured, ``sync`` (embedded, unchanged) otherwise.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice import background
from eoffice.db import Base, unit_of_work, utcnow

log = logging.getLogger(__name__)

PENDING = "pending"
PENDING_LABEL = "đang kiểm tra chữ ký"
TASK = "signatures.check"


class SignatureCheck(Base):
    """A document whose current file's signatures are still to be validated."""

    __tablename__ = "signature_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def pending_validation() -> dict[str, Any]:
    """The stored verdict of a file whose signatures are not validated yet."""
    return {"verdict": PENDING, "label": PENDING_LABEL, "signatures": [],
            "reasons": ["Chữ ký số của tệp đang được kiểm tra; kết quả hiện ở đây khi kiểm "
                        "tra xong (thường sau vài giây)."]}


def is_pending(validation: dict[str, Any] | None) -> bool:
    return (validation or {}).get("verdict") == PENDING


def deferred(app: Flask) -> bool:
    """Whether registrations leave the signature validation to the background."""
    mode = str(app.config.get("SIGNATURE_CHECK") or "").strip().lower()
    if mode in {"background", "sync"}:
        return mode == "background"
    return bool(app.config.get("BROKER_URL"))


def queue(session: Session, document_id: int, sha256: str) -> None:
    """Record (in the caller's transaction) that the file must be validated, and nudge the
    background once the transaction has committed."""
    from flask import current_app, has_app_context

    from eoffice.documents.classified import after_commit

    session.add(SignatureCheck(document_id=document_id, sha256=sha256))
    if not has_app_context():
        return  # the sweep takes it
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def nudge() -> None:
        try:
            background.nudge(TASK, app)  # one message per burst of registrations
        except Exception:  # noqa: BLE001 - the row stays; the sweep takes it
            log.exception("could not ask for the signature check of document %s", document_id)

    after_commit(session, nudge)


def _anchors_of(session: Session, document_id: int) -> list[bytes]:
    """The trust anchors the document's agency installed (the agency admin's page)."""
    from eoffice.admin.credentials import anchor_pems
    from eoffice.documents.models import Document

    agency_id = session.scalar(sa.select(Document.agency_id).where(Document.id == document_id))
    return anchor_pems(session, agency_id) if agency_id is not None else []


def _validate(data: bytes, anchors: list[bytes]) -> dict[str, Any]:
    """The full pipeline (structure and signatures, sandboxed) for a stored file, trusting
    the deployment's anchors and ``anchors`` (its agency's)."""
    from eoffice.settings import trust_material, with_anchors
    from eoffice.untrusted import FileRefused, check_bytes

    trust = with_anchors(trust_material(), anchors)
    try:
        report = check_bytes(data, validate=True, text=False, roots=trust.roots, crls=trust.crls,
                             online=trust.online, revocation_cache=trust.revocation_cache)
    except FileRefused as refused:  # passed the structure check at registration: say so
        return {"verdict": "invalid", "label": "không hợp lệ", "signatures": [],
                "reasons": [refused.message]}
    return report.report.to_dict()


def _apply(session: Session, row: SignatureCheck, validation: dict[str, Any]) -> None:
    from eoffice.audit import operations as audit
    from eoffice.documents.models import Document
    from eoffice.documents.operations import mark_changed

    document = session.get(Document, row.document_id)
    if document is not None and document.current_file_sha == row.sha256 \
            and is_pending((document.extra or {}).get("validation")):
        document.extra = {**(document.extra or {}), "validation": validation,
                          "signatures": validation.get("signatures") or []}
        audit.append(session, "incoming.verify", actor="system",
                     object_type="document", object_id=document.id,
                     agency_id=document.agency_id,
                     details={"verdict": validation.get("verdict")})
        mark_changed(session, document)  # its index entry follows the new version
    session.delete(row)


def check_pending(session: Session, store: Any, *, limit: int = 20) -> int:
    """Validate up to ``limit`` queued files, one transaction each; returns how many.

    On PostgreSQL a row is claimed with ``FOR UPDATE SKIP LOCKED`` and stays locked until its
    verdict is committed, so several workers share the queue and a killed worker's row is
    taken by the next sweep. (SQLite has one writer: a plain read, and no transaction while
    the sandbox works.)"""
    claim = session.get_bind().dialect.name == "postgresql"
    done = 0
    skip: list[int] = []
    while done < limit:
        query = sa.select(SignatureCheck).order_by(SignatureCheck.id).limit(1)
        if skip:
            query = query.where(SignatureCheck.id.not_in(skip))
        if claim:
            query = query.with_for_update(skip_locked=True)
        row = session.scalars(query).first()
        if row is None:
            session.rollback()
            return done
        row_id, sha = row.id, row.sha256
        try:
            data = store.get(sha)
            anchors = _anchors_of(session, row.document_id)
        except Exception:  # noqa: BLE001 - a missing blob is repair's business; next row
            log.exception("signature check: file %s of document %s unreadable", sha,
                          row.document_id)
            skip.append(row_id)
            session.rollback()
            continue
        if not claim:
            session.rollback()
        validation = _validate(data, anchors)
        if not claim:
            row = session.get(SignatureCheck, row_id)
            if row is None:
                continue
        with unit_of_work(session):  # one document's verdict
            _apply(session, row, validation)
        done += 1
    return done


@background.task(TASK)
def _check(app: Flask) -> None:
    """Validate the queued files (several workers share the queue)."""
    from eoffice.db import db

    try:
        while check_pending(db.session, app.extensions["eoffice.files"]):
            pass
    finally:
        db.session.remove()


background.sweep(TASK, every=5.0, embedded=True)


# --- consistency (eoffice repair) ------------------------------------------------------


def check_queue(session: Session) -> tuple[list[int], list[int]]:
    """Documents whose verdict is pending without a queued check (a check lost: nobody would
    ever write their verdict), and queued checks of documents no longer pending."""
    from eoffice.documents.models import Document

    verdict = Document.extra["validation"]["verdict"].as_string()
    pending = set(session.scalars(sa.select(Document.id).where(verdict == PENDING)))
    queued = set(session.scalars(sa.select(SignatureCheck.document_id)))
    return sorted(pending - queued), sorted(queued - pending)


def fix_queue(session: Session, lost: list[int], stale: list[int]) -> None:
    """Queue the lost checks again; drop the stale rows."""
    from eoffice.documents.models import Document

    for doc_id in lost:
        document = session.get(Document, doc_id)
        if document is not None and document.current_file_sha:
            session.add(SignatureCheck(document_id=doc_id, sha256=document.current_file_sha))
        elif document is not None:  # no file any more: nothing to validate
            document.extra = {**(document.extra or {}), "validation": None, "signatures": []}
    if stale:
        session.execute(sa.delete(SignatureCheck).where(SignatureCheck.document_id.in_(stale)))
