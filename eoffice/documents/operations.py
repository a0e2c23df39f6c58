"""Domain operations on documents shared by every flow: files, visibility, history, secrecy.

Operations take the acting user, flush, and never commit; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import (
    Session,
    defaultload,
    joinedload,
    lazyload,
    make_transient_to_detached,
)
from sqlalchemy.orm.util import identity_key

import workflow
from eoffice import hooks, workflow_store
from eoffice.audit import operations as audit
from eoffice.auth.models import Clearance, User
from eoffice.documents.models import (
    Document,
    DocumentAccess,
    DocumentEvent,
    DocumentFile,
    SearchOutbox,
    StoredFile,
)
from eoffice.errors import Invalid, NotFound
from eoffice.storage import FileStore, require_type

_STORED_FILES = cast(sa.Table, StoredFile.__table__)
_STORE_ROW = {postgres: insert(_STORED_FILES).on_conflict_do_nothing(
    index_elements=[_STORED_FILES.c.sha256])
    for postgres, insert in ((True, postgresql.insert), (False, sqlite.insert))}
"""INSERT … ON CONFLICT DO NOTHING of a stored file's row (sha256, size, mime as parameters),
by dialect (PostgreSQL: True)."""


def store_bytes(session: Session, store: FileStore, data: bytes, accepted: set[str]) -> StoredFile:
    """Check the real type, write the blob atomically, record it. Raises Invalid on bad type."""
    try:
        mime = require_type(data, accepted)
    except ValueError as exc:
        raise Invalid(str(exc), code="unsupported_type") from exc
    blob = store.put(data)
    # INSERT … ON CONFLICT DO NOTHING: two requests storing the same bytes at once both succeed;
    # written now so that rows referring to it (documents, files) can follow in any order —
    # without flushing them first: a new document is then inserted with its file already.
    # (a Core statement on the table, built once: the ORM's bulk-insert path adds nothing here)
    postgres = session.get_bind().dialect.name == "postgresql"
    with session.no_autoflush:
        session.execute(_STORE_ROW[postgres], {"sha256": blob.sha256, "size": blob.size,
                                               "mime": mime})
    row = session.identity_map.get(identity_key(StoredFile, blob.sha256))
    if row is None:  # the row exists now: known without reading it back
        row = StoredFile(sha256=blob.sha256, size=blob.size, mime=mime)
        make_transient_to_detached(row)  # its other columns load if ever read
        session.add(row)
    return row


def attach_file(session: Session, store: FileStore, document: Document, kind: str, data: bytes,
                actor: User, *, accepted: set[str], filename: str = "",
                current: bool = True) -> DocumentFile:
    """Store ``data`` and attach it to the document; ``current`` makes it the file served."""
    stored = store_bytes(session, store, data, accepted)
    record = DocumentFile(document=document, kind=kind, sha256=stored.sha256,
                          filename=filename[:255], created_by_id=actor.id)
    session.add(record)
    if current:
        document.current_file_sha = stored.sha256
    session.flush()
    return record


def visible_filter(user: User) -> sa.ColumnElement[bool]:
    """SQL condition: the user's agency, clearance covering the secrecy, a matching access key."""
    allowed = [c.value for c in Clearance if Clearance(user.clearance).allows(c)]
    keyed = sa.select(DocumentAccess.document_id).where(
        DocumentAccess.key.in_(sorted(user.access_keys())))
    return sa.and_(Document.agency_id == user.agency_id, Document.secrecy.in_(allowed),
                   Document.id.in_(keyed))


def visible_documents(user: User) -> sa.Select[Document]:
    return sa.select(Document).where(visible_filter(user))


_VISIBLE_CANDIDATE = (
    sa.select(Document).where(Document.id == sa.bindparam("id"))
    .options(joinedload(Document.access_rows),
             defaultload(Document.created_by).lazyload(User.role_rows)))
"""A document with its access keys in the same query (its creator's roles only if something
asks): built once, as ``session.get`` would build it on every call."""
_VISIBLE_FILE_CANDIDATE = _VISIBLE_CANDIDATE.options(
    lazyload(Document.department), lazyload(Document.created_by))
"""The same without the document's department and creator (loaded only if something asks):
what serving a file reads is the document's own row."""


def get_visible(session: Session, user: User, document_id: Any, *,
                for_file: bool = False) -> Document:
    """The document if the user may see it; otherwise NotFound, exactly as if it did not exist.

    ``for_file``: the caller serves its file and reads nothing of its department or creator
    (a narrower query; they still load if asked)."""
    try:
        doc_id = int(document_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if identity_key(Document, doc_id) in session.identity_map:
        document = session.get(Document, doc_id)  # already loaded in this transaction
    else:
        statement = _VISIBLE_FILE_CANDIDATE if for_file else _VISIBLE_CANDIDATE
        document = session.scalars(statement, {"id": doc_id}).unique().first()
    if document is None or not document.can_view(user):
        raise NotFound()
    return document


def track(document: Document, key: str, *, holder: Any = None,
          audit_prefix: str | None = None) -> workflow_store.Track:
    """The document's history under ``key`` (a machine name, ``assignment:<id>`` for one
    handler's assignment, or a journal entry kind); ``holder`` caches the state (default the
    document)."""
    return workflow_store.Track(
        DocumentEvent, {"document_id": document.id, "machine": key},
        holder=document if holder is None else holder, object_type="document",
        object_id=document.id, action=audit_prefix or key)


def history_of(session: Session, document: Document, machine: str) -> list[workflow.Event]:
    return workflow_store.history(session, track(document, machine))


def fire(session: Session, machine: workflow.Machine, document: Document, actor: User,
         transition: str, *, comment: str = "", subject: Any = None,
         details: dict[str, Any] | None = None, history_key: str | None = None,
         holder: Any = None, audit_prefix: str | None = None,
         new: bool = False) -> workflow.Event:
    """Fire a workflow transition on the document (or on a part of it, such as one handler's
    assignment: ``subject``/``holder`` with its own ``history_key``) through the workflow
    store, then refresh the index. ``new``: the document was created in this transaction
    (no history to read yet)."""
    history = track(document, history_key or machine.name, holder=holder,
                    audit_prefix=audit_prefix)
    history.fresh = new
    # the index's outbox row is flushed with the event row (see mark_changed)
    queued = [] if document.id is None else [SearchOutbox(document_id=document.id)]
    row = workflow_store.fire(session, machine, history, actor, transition, comment=comment,
                              subject=subject, details=details, also=queued)
    if not queued:
        mark_changed(session, document)
    return row.as_event()


def mark_changed(session: Session, document: Document) -> None:
    """Queue the document for the search index (applied after commit by the index writer)."""
    session.flush()
    session.add(SearchOutbox(document_id=document.id))


def reclassify(session: Session, document: Document, secrecy: Clearance | str,
               actor: User, *, classified_files: bool = True, confirmed: bool = False,
               store: FileStore | None = None) -> None:
    """Change the secrecy level. A classified document leaves the search index and every
    derived trace in this transaction (the ``hooks.reclassified`` signal); without
    ``classified_files`` its files leave the store too, once ``confirmed`` (else
    ``FileRemovalNeedsConfirmation``)."""
    from eoffice.documents import classified

    new = Clearance(secrecy)
    if not actor.may_see_secrecy(new):
        raise Invalid("Bạn không thể đặt độ mật cao hơn độ mật mình được xem.")
    old = document.secrecy
    document.secrecy = new
    remove = classified.must_remove_files(document, classified_files)
    if remove and not confirmed:
        document.secrecy = old
        raise classified.FileRemovalNeedsConfirmation()
    audit.append(session, "reclassify", actor=actor, object_type="document",
                 object_id=document.id, details={"from": str(old), "to": new.value})
    hooks.reclassified.send(document, session=session)
    if remove:
        if store is None:
            raise ValueError("a file store is needed to remove classified files")
        classified.remove_files(session, document, actor, store)
    mark_changed(session, document)


def files_of_kind(document: Document, kinds: Sequence[str]) -> list[DocumentFile]:
    return [f for f in document.files if f.kind in kinds]
