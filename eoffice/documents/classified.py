"""Hygiene when a document becomes classified (văn bản mật).

Derived traces (search index, text cache, anything a feature keeps about the content) are
removed in the reclassifying transaction through ``hooks.reclassified`` receivers. When
the deployment stores no classified files (``EOFFICE_CLASSIFIED_FILES`` off), the document's
files leave the store too, once the clerk has confirmed they keep the original offline; each
removal is audited with the file's sha256. Blobs are deleted after the commit (a crash in
between leaves an unreferenced blob, which ``eoffice repair --fix`` removes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import User
from eoffice.db import Base
from eoffice.documents.models import Document, StoredFile
from eoffice.errors import Conflict
from eoffice.storage import FileStore

MASKED_SUBJECT = "Văn bản mật"
FILE_REMOVAL_NOTICE = (
    "Hệ thống không lưu tệp của văn bản mật: khi xác nhận, tệp của văn bản này sẽ bị xóa khỏi "
    "kho lưu trữ. Hãy giữ bản gốc ngoại tuyến (bản giấy hoặc thiết bị lưu trữ không kết nối "
    "mạng) theo quy định bảo vệ bí mật nhà nước trước khi xác nhận.")
_AFTER_COMMIT = "eoffice.after_commit"


class FileRemovalNeedsConfirmation(Conflict):
    """Reclassifying would delete the stored files: the clerk must confirm first."""

    code = "confirm_file_removal"

    def __init__(self) -> None:
        super().__init__(FILE_REMOVAL_NOTICE)


def masked_subject(document: Document) -> str:
    """The subject for general and tracking registers: never a classified one."""
    return MASKED_SUBJECT if document.is_classified else document.subject


def must_remove_files(document: Document, classified_files: bool) -> bool:
    return document.is_classified and not classified_files and bool(
        document.files or document.current_file_sha)


def remove_files(session: Session, document: Document, actor: User, store: FileStore) -> None:
    """Forget the document's files (audited with their sha256); blobs that nothing else refers
    to are deleted from the store after the commit."""
    shas = {f.sha256 for f in document.files}
    if document.current_file_sha:
        shas.add(document.current_file_sha)
    for stored in list(document.files):
        audit.append(session, "classified_file_removed", actor=actor, object_type="document",
                     object_id=document.id, details={"sha256": stored.sha256,
                                                     "kind": stored.kind})
        session.delete(stored)
    document.current_file_sha = None
    session.flush()
    orphans = sorted(sha for sha in shas if not _referenced(session, sha))
    if orphans:
        session.execute(sa.delete(StoredFile).where(StoredFile.sha256.in_(orphans)))
        after_commit(session, lambda: [store.delete(sha) for sha in orphans])


def _referenced(session: Session, sha: str) -> bool:
    """Whether any row (of any table) still refers to the stored file."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.target_fullname == "stored_files.sha256" for fk in column.foreign_keys):
                if session.scalar(sa.select(sa.literal(1)).select_from(table)
                                  .where(column == sha).limit(1)):
                    return True
    return False


def after_commit(session: Session, action: Callable[[], Any]) -> None:
    """Run ``action`` once this session's transaction has committed (never on rollback)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
