"""The app's side of search: documents → index entries, the outbox applier, reindex, verify.

The index changes only after the database commits: operations write ``SearchOutbox`` rows in
their transaction; after commit, the rows are applied by one writer (a thread in the embedded
setup, ``eoffice search worker`` with several web workers). A document that became classified
is removed synchronously, before the request returns.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

import search
from eoffice.auth.models import Clearance, tenant_key
from eoffice.documents.models import Document, DocumentAccess, SearchOutbox, StoredFile
from eoffice.storage import DOCX, PDF, FileStore
from search.extract import Kind

log = logging.getLogger(__name__)


@dataclass
class SearchContext:
    """Everything the applier needs, without Flask: index, file store, text cache, engine."""

    index: search.SearchIndex
    files: FileStore
    text_cache: Path
    engine: sa.Engine

    def session(self) -> Session:
        return Session(bind=self.engine, expire_on_commit=False)


class Indexed(Protocol):
    """What the index's version of a document is computed from: a :class:`Document`, or a
    row of :data:`SNAPSHOT_COLUMNS` with its access keys (:class:`_Facts`)."""

    @property
    def agency_id(self) -> int: ...
    @property
    def access_keys(self) -> set[str]: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def state(self) -> str: ...
    @property
    def secrecy(self) -> Any: ...
    @property
    def current_file_sha(self) -> str | None: ...
    @property
    def subject(self) -> str: ...
    @property
    def code(self) -> str | None: ...


def visibility_of(document: Indexed) -> frozenset[str]:
    """The document's access keys, qualified by its agency (users of another agency, whose
    keys carry their own agency, never match)."""
    return frozenset(tenant_key(document.agency_id, key) for key in document.access_keys)


def version_of(document: Indexed) -> str:
    """Changes whenever what the index holds for the document should change."""
    raw = "|".join([document.updated_at.isoformat(), document.state, str(document.secrecy),
                    document.current_file_sha or "", ",".join(sorted(visibility_of(document))),
                    document.subject, document.code or ""])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Snapshot:
    """What the index needs of a document, read inside a short transaction; the file's text
    is extracted afterwards, outside any transaction (it can take seconds)."""

    entry: search.IndexedDocument
    file_sha: str | None
    file_kind: Kind | None


_KINDS: dict[str, Kind] = {PDF: "pdf", DOCX: "docx"}

#: The columns a snapshot reads (no ORM object: no relationships, no history).
SNAPSHOT_COLUMNS = (
    Document.id, Document.secrecy, Document.type_code, Document.code_number,
    Document.code_notation, Document.issuer_name, Document.subject, Document.signer_name,
    Document.issued_date, Document.arrival_date, Document.created_at, Document.register,
    Document.direction, Document.urgency, Document.agency_id, Document.updated_at,
    Document.state, Document.current_file_sha)


class _Facts:
    """A row of :data:`SNAPSHOT_COLUMNS` (plus the file's type) seen as an :class:`Indexed`."""

    def __init__(self, row: Any, access_keys: set[str]) -> None:
        self.row = row
        self.access_keys = access_keys

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)

    @property
    def code(self) -> str | None:  # as Document.code
        number, notation = self.row.code_number, self.row.code_notation
        return None if number is None or not notation else f"{number:02d}/{notation}"


def _snapshot(facts: _Facts) -> Snapshot:
    row = facts.row
    when = row.issued_date or row.arrival_date or row.created_at.date()
    entry = search.IndexedDocument(
        id=str(row.id), secrecy=str(row.secrecy), type_code=row.type_code,
        code=facts.code or "", issuer_name=row.issuer_name, subject=row.subject,
        signer_name=row.signer_name, issued_date=row.issued_date,
        arrival_date=row.arrival_date, year=when.year, register=row.register,
        direction=row.direction.value, urgency=str(row.urgency),
        visibility=visibility_of(facts), version=version_of(facts))
    classified = Clearance(row.secrecy) is not Clearance.NONE
    kind = None if classified else _KINDS.get(row.mime or "")
    return Snapshot(entry, row.current_file_sha if kind else None, kind)


def read_snapshots(conn: sa.Connection, document_ids: set[int]) -> list[Snapshot]:
    """The snapshots of those of ``document_ids`` that exist, in id order: two statements
    for the whole batch (the documents with their file's type, then their access keys)."""
    ids = sorted(document_ids)
    rows = conn.execute(
        sa.select(*SNAPSHOT_COLUMNS, StoredFile.mime)
        .outerjoin(StoredFile, StoredFile.sha256 == Document.current_file_sha)
        .where(Document.id.in_(ids)).order_by(Document.id)).all()
    if not rows:
        return []
    keys: dict[int, set[str]] = {}
    for doc_id, key in conn.execute(sa.select(DocumentAccess.document_id, DocumentAccess.key)
                                    .where(DocumentAccess.document_id.in_(ids))):
        keys.setdefault(doc_id, set()).add(key)
    return [_snapshot(_Facts(row, keys.get(row.id, set()))) for row in rows]


def file_text(ctx: SearchContext, snap: Snapshot) -> str:
    """Text of the snapshot's file, extracted once per file (cached by sha256)."""
    if snap.file_sha is None or snap.file_kind is None or snap.entry.classified:
        return ""
    cached = ctx.text_cache / f"{snap.file_sha}.txt"
    if cached.exists():
        return cached.read_text("utf-8")
    text = ""
    try:
        data = ctx.files.get(snap.file_sha)  # one request to an object store, not two
    except FileNotFoundError:
        data = None
    if data is not None:
        try:
            text = search.extract_text(data, snap.file_kind)
        except search.ExtractionError as exc:
            log.warning("text extraction failed for document %s: %s", snap.entry.id, exc)
    ctx.text_cache.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{threading.get_ident()}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(cached)
    return text


def with_text(ctx: SearchContext, snap: Snapshot) -> search.IndexedDocument:
    return dataclasses.replace(snap.entry, content=file_text(ctx, snap))


def _snapshots(ctx: SearchContext, document_ids: set[int],
               conn: sa.Connection | None = None) -> tuple[list[Snapshot], set[int]]:
    """Read the documents on ``conn``, or in a short transaction of their own (SQLite: the
    write lock is released before any extraction or index work)."""
    if conn is None:
        with ctx.engine.connect() as own:
            snaps = read_snapshots(own, document_ids)
            own.rollback()
    else:
        snaps = read_snapshots(conn, document_ids)
    return snaps, {int(s.entry.id) for s in snaps}


#: Advisory lock keys of the index writer turn on PostgreSQL (any machine, any process):
#: (class, 1) for the single Whoosh writer, (class + 1, document id) per document
#: with the PostgreSQL backend.
WRITER_LOCK = (0x5E4D, 1)
#: Every lock of a batch in one statement, in the order given (ascending ids): held by the
#: connection, or until the end of the transaction.
_SESSION_LOCKS = sa.text(
    "SELECT count(pg_advisory_lock(:c, k)) FROM (SELECT k FROM unnest(CAST(:keys AS int[])) "
    "WITH ORDINALITY AS u(k, n) ORDER BY n) AS ordered")
_XACT_LOCKS = sa.text(
    "SELECT count(pg_advisory_xact_lock(:c, k)) FROM (SELECT k FROM unnest(CAST(:keys AS "
    "int[])) WITH ORDINALITY AS u(k, n) ORDER BY n) AS ordered")


@contextmanager
def _writer_turn(ctx: SearchContext, document_ids: set[int],
                 conn: sa.Connection | None = None) -> Iterator[None]:
    """The turn to write these documents' index entries. The database snapshot is taken
    inside the turn, after the commits that asked for it, so the last writer always writes
    the newest state: no stale entry survives two concurrent updates of the same document.

    With the PostgreSQL search backend the turn is per document (advisory locks taken in id
    order, all in one statement), so workers on several machines index different documents
    in parallel. With Whoosh there is one writer at a time: an advisory lock on PostgreSQL,
    else an flock on a file of the instance. Given the transaction ``conn`` (PostgreSQL),
    the locks are held until it ends (the caller commits after the index write)."""
    if ctx.engine.dialect.name == "postgresql":
        per_document = isinstance(ctx.index, search.PostgresIndex)
        params = {"c": WRITER_LOCK[0] + 1 if per_document else WRITER_LOCK[0],
                  "keys": sorted(document_ids) if per_document else [WRITER_LOCK[1]]}
        if conn is not None:
            conn.execute(_XACT_LOCKS, params)
            yield
            return
        # Session locks need no transaction: no BEGIN/COMMIT around them.
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as own:
            try:
                own.execute(_SESSION_LOCKS, params)
                yield
            finally:
                own.execute(sa.text("SELECT pg_advisory_unlock_all()"))
        return
    path = ctx.text_cache.parent / "search-writer.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def apply_documents(ctx: SearchContext, document_ids: set[int],
                    conn: sa.Connection | None = None) -> None:
    """Bring the index entries of these documents in line with the database (read on
    ``conn`` if given: a READ COMMITTED transaction, each statement sees the newest
    commits)."""
    if not document_ids:
        return
    with _writer_turn(ctx, document_ids, conn):
        snaps, found = _snapshots(ctx, document_ids, conn)
        upserts = [with_text(ctx, snap) for snap in snaps]
        ctx.index.apply(upserts=upserts, deletes=[str(i) for i in document_ids - found])


def drain_outbox(ctx: SearchContext, batch: int = 200) -> int:
    """Apply pending outbox rows; delete them only after the index accepted them.

    On PostgreSQL the rows are claimed with ``FOR UPDATE SKIP LOCKED`` and stay locked until
    applied and deleted, so several workers share the outbox and a worker killed mid-batch
    leaves its rows for the next one. (SQLite has one writer: a plain read.)"""
    if ctx.engine.dialect.name == "postgresql":
        return _drain_claimed(ctx, batch)
    total = 0
    while True:
        with ctx.session() as session:
            rows = session.execute(sa.select(SearchOutbox.id, SearchOutbox.document_id)
                                   .order_by(SearchOutbox.id).limit(batch)).all()
            session.rollback()
        if not rows:
            return total
        apply_documents(ctx, {doc_id for _, doc_id in rows})
        with ctx.session() as session, session.begin():
            session.execute(sa.delete(SearchOutbox).where(
                SearchOutbox.id.in_([row_id for row_id, _ in rows])))
        total += len(rows)
        if len(rows) < batch:
            return total


def _drain_claimed(ctx: SearchContext, batch: int) -> int:
    """Claim a batch by deleting its rows (``FOR UPDATE SKIP LOCKED``), apply it, commit:
    a worker killed before the commit leaves the rows for the next. A short batch ends the
    drain: a row committed since comes with a nudge of its own (or the sweep takes it)."""
    total = 0
    while True:
        with ctx.engine.begin() as conn:  # commits the claim after the index accepted it
            claimed = sa.select(SearchOutbox.id).order_by(SearchOutbox.id).limit(batch) \
                .with_for_update(skip_locked=True).scalar_subquery()
            doc_ids = conn.scalars(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(claimed))
                                   .returning(SearchOutbox.document_id)).all()
            # The writer turn and the snapshot are taken in this transaction.
            apply_documents(ctx, set(doc_ids), conn)
        total += len(doc_ids)
        if len(doc_ids) < batch:
            return total


def all_documents(ctx: SearchContext) -> Iterator[search.IndexedDocument]:
    with ctx.session() as session:
        ids = session.scalars(sa.select(Document.id).where(Document.secrecy == "none")
                              .order_by(Document.id)).all()
        session.rollback()
    for start in range(0, len(ids), 100):
        snaps, _ = _snapshots(ctx, set(ids[start:start + 100]))
        yield from (with_text(ctx, snap) for snap in sorted(snaps, key=lambda s: int(s.entry.id)))


def count_indexable(ctx: SearchContext) -> int:
    with ctx.session() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Document)
                               .where(Document.secrecy == "none")) or 0
        session.rollback()
        return count


def reindex(ctx: SearchContext, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild into a new generation and swap it in; clears the outbox rows it covered."""
    with ctx.session() as session:
        last = session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
        session.rollback()
    report = ctx.index.rebuild(all_documents(ctx), progress=progress)
    with ctx.session() as session, session.begin():
        session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id <= last))
    drain_outbox(ctx)  # changes made during the rebuild (a reclassification…) apply at once
    return report.indexed


def verify_index(ctx: SearchContext) -> search.VerifyReport:
    with ctx.session() as session:
        expected: dict[str, str] = {}
        classified: set[str] = set()
        for document in session.scalars(sa.select(Document)):
            if document.is_classified:
                classified.add(str(document.id))
            else:
                expected[str(document.id)] = version_of(document)
        session.rollback()
    return search.verify(ctx.index, expected, classified)


class OutboxWorker:
    """The embedded single writer: a daemon thread woken after each commit."""

    def __init__(self, ctx: SearchContext, interval: float = 5.0) -> None:
        self.ctx = ctx
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="search-writer", daemon=True)
        self._start_lock = threading.Lock()

    def start(self) -> None:
        """Start the thread (idempotent): on the first request or the first commit to apply."""
        with self._start_lock:
            if not self._thread.is_alive() and not self._stop.is_set():
                self._thread.start()

    def wake(self) -> None:
        self.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                drain_outbox(self.ctx)
            except Exception:  # noqa: BLE001 - keep the writer alive; rows stay queued
                log.exception("search outbox could not be applied; will retry")
            self._wake.wait(self.interval)
            self._wake.clear()
