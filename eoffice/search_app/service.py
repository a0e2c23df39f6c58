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
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

import search
from eoffice.auth.models import tenant_key
from eoffice.documents.models import Document, SearchOutbox, StoredFile
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


def visibility_of(document: Document) -> frozenset[str]:
    """The document's access keys, qualified by its agency (users of another agency, whose
    keys carry their own agency, never match)."""
    return frozenset(tenant_key(document.agency_id, key) for key in document.access_keys)


def version_of(document: Document) -> str:
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


def snapshot(document: Document, session: Session) -> Snapshot:
    when = document.issued_date or document.arrival_date or document.created_at.date()
    entry = search.IndexedDocument(
        id=str(document.id), secrecy=str(document.secrecy), type_code=document.type_code,
        code=document.code or "", issuer_name=document.issuer_name, subject=document.subject,
        signer_name=document.signer_name, issued_date=document.issued_date,
        arrival_date=document.arrival_date, year=when.year, register=document.register,
        direction=document.direction.value, urgency=str(document.urgency),
        visibility=visibility_of(document), version=version_of(document))
    sha = None if document.is_classified else document.current_file_sha
    stored = session.get(StoredFile, sha) if sha else None
    kind = _KINDS.get(stored.mime) if stored else None
    return Snapshot(entry, sha if kind else None, kind)


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


def _snapshots(ctx: SearchContext, document_ids: set[int]) -> tuple[list[Snapshot], set[int]]:
    """Read the documents in a short transaction (SQLite: the write lock is released before
    any extraction or index work)."""
    with ctx.session() as session:
        documents = session.scalars(
            sa.select(Document).where(Document.id.in_(document_ids))).all()
        snaps = [snapshot(d, session) for d in documents]
        session.rollback()
    return snaps, {int(s.entry.id) for s in snaps}


#: Advisory lock keys of the index writer turn on PostgreSQL (any machine, any process):
#: (class, 1) for the single Whoosh writer, (class + 1, document id) per document
#: with the PostgreSQL backend.
WRITER_LOCK = (0x5E4D, 1)


@contextmanager
def _writer_turn(ctx: SearchContext, document_ids: set[int]) -> Iterator[None]:
    """The turn to write these documents' index entries. The database snapshot is taken
    inside the turn, after the commits that asked for it, so the last writer always writes
    the newest state: no stale entry survives two concurrent updates of the same document.

    With the PostgreSQL search backend the turn is per document (advisory locks taken in id
    order), so workers on several machines index different documents in parallel. With
    Whoosh there is one writer at a time: an advisory lock on PostgreSQL, else an flock on
    a file of the instance."""
    if ctx.engine.dialect.name == "postgresql":
        keys = ([(WRITER_LOCK[0] + 1, i) for i in sorted(document_ids)]
                if isinstance(ctx.index, search.PostgresIndex) else [WRITER_LOCK])
        with ctx.engine.connect() as conn:
            try:
                for a, b in keys:
                    conn.execute(sa.text("SELECT pg_advisory_lock(:a, :b)"), {"a": a, "b": b})
                conn.commit()
                yield
            finally:
                conn.rollback()
                conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
                conn.commit()
        return
    path = ctx.text_cache.parent / "search-writer.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def apply_documents(ctx: SearchContext, document_ids: set[int]) -> None:
    """Bring the index entries of these documents in line with the database."""
    if not document_ids:
        return
    with _writer_turn(ctx, document_ids):
        snaps, found = _snapshots(ctx, document_ids)
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


def _drain_claimed(ctx: SearchContext, batch: int) -> int:
    total = 0
    while True:
        with ctx.session() as session, session.begin():  # commits the delete on success
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.document_id).order_by(SearchOutbox.id)
                .limit(batch).with_for_update(skip_locked=True)).all()
            if not rows:
                return total
            apply_documents(ctx, {doc_id for _, doc_id in rows})
            session.execute(sa.delete(SearchOutbox).where(
                SearchOutbox.id.in_([row_id for row_id, _ in rows])))
        total += len(rows)


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
