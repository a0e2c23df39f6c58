"""Whoosh implementation of :class:`search.model.SearchIndex`.

Layout on disk::

    <path>/current -> gen-<stamp>     symlink swapped atomically by rebuild()
    <path>/gen-<stamp>/               a Whoosh index
    <path>/.admin.lock                serialises creation and rebuild

Classified documents are refused here, at the library boundary: they are never handed to a
Whoosh writer, so none of their words can reach the files. A document that becomes classified
is deleted and its segment rewritten without it (:mod:`search.whoosh_fast.purge`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as wix
from whoosh.index import LockError
from whoosh.searching import Searcher
from whoosh.writing import MERGE_SMALL, SegmentWriter

from search.analysis import parse_query
from search.guard import GuardedIndex, Removal, WriteResult
from search.model import (
    Hit,
    IndexBusyError,
    IndexedDocument,
    SearchQuery,
    SearchResults,
)
from search.schema import build_schema, doc_fields, snippet_source
from search.snippets import snippet_html
from search.suggest import suggestions
from search.whoosh_fast.bulkwrite import parallel_load
from search.whoosh_fast.fastquery import FastSearcher, SegmentCache, allowed_mask, run_query, top_by
from search.whoosh_fast.purge import can_rewrite, rewrite_segment

log = logging.getLogger(__name__)


def _purge_deleted(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Merge policy: rewrite every segment holding deleted documents, so the words of a
    document that became classified disappear from the files, then merge small ones."""
    from whoosh.reading import SegmentReader

    keep = []
    fast = can_rewrite(writer.schema)
    for seg in segments:
        if seg.deleted_count() and fast:
            new = rewrite_segment(writer, seg)
            if new is not None:
                keep.append(new)
        elif seg.deleted_count():
            reader = SegmentReader(writer.storage, writer.schema, seg, generation=writer.generation)
            writer.add_reader(reader)
            reader.close()
        else:
            keep.append(seg)
    return list(MERGE_SMALL(writer, keep))


class _Tombstones:
    """Revisions of removed entries (SQLite beside the generations; used under the writer
    lock), so a delayed older upsert cannot bring a removed or classified document back."""

    def __init__(self, root: Path) -> None:
        self.db = sqlite3.connect(root / "tombstones.sqlite3", timeout=60)
        self.db.execute("CREATE TABLE IF NOT EXISTS tomb (id TEXT PRIMARY KEY, revision INT)")

    def get(self, doc_id: str) -> int:
        row = self.db.execute("SELECT revision FROM tomb WHERE id = ?", (doc_id,)).fetchone()
        return int(row[0]) if row else 0

    def put(self, doc_id: str, revision: int) -> None:
        if revision:
            self.db.execute("INSERT OR REPLACE INTO tomb VALUES (?, ?)", (doc_id, revision))

    def drop(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM tomb WHERE id = ?", (doc_id,))

    def commit(self) -> None:
        self.db.commit()
        self.db.close()

    def rollback(self) -> None:
        self.db.rollback()
        self.db.close()


class WhooshIndex(GuardedIndex):
    """A Whoosh index under ``path``; one instance per process (searches are serialised).

    ``lock_timeout``: seconds :meth:`apply` waits for the writer lock held by another
    process before raising :class:`IndexBusyError`. ``procs``: processes used by
    :meth:`rebuild` (forked bulk writers, one segment per process; see
    :mod:`search.whoosh_fast.bulkwrite`). ``limitmb`` is accepted for compatibility (the bulk
    writers keep postings in memory: peak RSS 1.6 GB measured at 100k documents).

    Searches read whole posting lists as numpy arrays
    (:mod:`search.whoosh_fast.fastquery`), cached per segment, so the first queries after
    opening pay the reads and later ones, also after an :meth:`apply`, mostly do not.
    """

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 30.0, procs: int = 2,
                 limitmb: int = 256) -> None:
        self.root = Path(path)
        self.lock_timeout = lock_timeout
        self.procs = procs
        self.limitmb = limitmb
        self._lock = threading.RLock()
        self._ix: Any = None
        self._ix_dir: str | None = None
        self._searcher: Searcher | None = None
        self._fs: FastSearcher | None = None
        self._seg_cache = SegmentCache()
        self.root.mkdir(parents=True, exist_ok=True)
        with self._admin_lock():
            if not (self.root / "current").exists():
                gen = self._new_generation()
                self._swap(gen)

    # -- storage ---------------------------------------------------------------------------
    @contextmanager
    def _admin_lock(self) -> Iterator[None]:
        with open(self.root / ".admin.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _new_generation(self) -> Path:
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        gen = self.root / name
        gen.mkdir()
        wix.create_in(str(gen), build_schema())
        return gen

    def _swap(self, gen: Path) -> None:
        tmp = self.root / f".current-{uuid.uuid4().hex}"
        os.symlink(gen.name, tmp)
        os.replace(tmp, self.root / "current")
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def current_dir(self) -> str:
        """Absolute path of the generation readers and writers use now."""
        return str(self.root / os.readlink(self.root / "current"))

    def _open(self) -> Any:
        cur = self.current_dir()
        if self._ix is None or cur != self._ix_dir:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix, self._ix_dir = wix.open_dir(cur), cur
            self._fs = None
        return self._ix

    def _get_searcher(self) -> Searcher:
        ix = self._open()
        if self._searcher is None:
            self._searcher = ix.searcher()
        elif ix.latest_generation() != self._searcher.reader().generation():
            # Not Searcher.refresh(): its reader reuse kept a purged segment alive here.
            self._searcher.close()
            self._searcher = ix.searcher()
            self._fs = None
        return self._searcher

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher, self._ix, self._ix_dir = None, None, None

    # -- writing ---------------------------------------------------------------------------
    def _writer(self) -> tuple[SegmentWriter, str]:
        """Take the writer lock of the current generation (retrying, then IndexBusyError)."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            gen = self.current_dir()
            left = max(0.0, deadline - time.monotonic())
            try:
                w = wix.open_dir(gen).writer(timeout=min(left, 1.0), delay=0.02)
            except (LockError, FileNotFoundError, wix.EmptyIndexError):
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        "Chỉ mục tìm kiếm đang bận (một tiến trình khác đang ghi); hãy thử lại sau."
                    ) from None
                continue
            if self.current_dir() == gen:
                return w, gen
            w.cancel()  # a rebuild swapped generations meanwhile: write to the new one

    def _write(self, batch: list[IndexedDocument | Removal]) -> WriteResult:
        """Apply ``batch`` in one writer transaction (one Whoosh commit).

        A purge deletes the entry and rewrites the segments that held it, so its words leave
        the disk. An id repeated within one batch forces an intermediate commit (Whoosh
        cannot replace a document added by the same writer).
        """
        result = WriteResult()
        w, _ = self._writer()
        purge = False
        seen: set[str] = set()
        tombs = _Tombstones(self.root)
        try:
            for item in batch:
                if item.id in seen:
                    w.commit(mergetype=_purge_deleted if purge else None)
                    purge, seen = False, set()
                    w, _ = self._writer()
                seen.add(item.id)
                if item.revision and item.revision < self._held_revision(w, tombs, item.id):
                    result.stale.append(item.id)
                    continue
                if isinstance(item, Removal):
                    if w.delete_by_term("id", item.id) and item.purge:
                        purge = True
                    tombs.put(item.id, item.revision)
                    result.removed.append(item.id)
                    continue
                fields = doc_fields(item)
                if "revision" not in w.schema:  # an index built before revisions existed
                    fields.pop("revision")
                w.update_document(**fields)
                tombs.drop(item.id)
                result.written.append(item.id)
            w.commit(mergetype=_purge_deleted if purge else None)
        except BaseException:
            w.cancel()
            tombs.rollback()
            raise
        tombs.commit()
        return result

    @staticmethod
    def _held_revision(w: SegmentWriter, tombs: _Tombstones, doc_id: str) -> int:
        """The revision the index holds for ``doc_id`` (live entry or tombstone), else 0."""
        with w.searcher() as s:
            docnum = s.document_number(id=doc_id)
            live = int(s.stored_fields(docnum).get("revision") or 0) if docnum is not None else 0
        return max(live, tombs.get(doc_id))

    def _load(self, docs: Iterable[IndexedDocument]) -> str:
        """Index ``docs`` into a new generation, then swap it in atomically.

        Readers keep using the old generation until the swap. Writers are held off during the
        swap; an :meth:`apply` that committed to the old generation after ``docs`` was read
        from the database is lost — run :func:`search.verify` afterwards (or keep the outbox
        entries until the rebuild ends).
        """
        with self._admin_lock():
            gen = self._new_generation()
            try:
                ix = wix.open_dir(str(gen))
                parallel_load(ix, docs, doc_fields, procs=max(1, self.procs),
                              limitmb=self.limitmb)
                old_w, _ = self._writer()
                try:
                    self._swap(gen)
                finally:
                    old_w.cancel()
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            self._remove_old_generations(keep=gen.name)
        return str(gen)

    def _remove_old_generations(self, keep: str) -> None:
        for p in self.root.iterdir():
            if p.name.startswith("gen-") and p.name != keep:
                shutil.rmtree(p, ignore_errors=True)
            elif p.name.startswith(".current-"):
                p.unlink(missing_ok=True)

    # -- reading ---------------------------------------------------------------------------
    def _fast(self) -> FastSearcher:
        s = self._get_searcher()
        if self._fs is None or self._fs.s is not s:
            self._fs = FastSearcher(s, self._seg_cache)
        return self._fs

    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults:
        """Search what ``access_keys`` may see; totals, facets and snippets count only that."""
        keys = {k for k in access_keys if k and not any(c.isspace() for c in k)}
        page, per_page = max(1, query.page), max(1, min(query.per_page, 200))
        empty = SearchResults(total=0, hits=[], page=page, per_page=per_page)
        if not keys:
            return empty
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._search(query, keys, page, per_page)
                except (FileNotFoundError, OSError):
                    if attempt == 2:
                        raise
                    self.close()  # files of a swapped-out generation vanished: reopen
        return empty  # pragma: no cover

    def _search(self, q: SearchQuery, keys: set[str], page: int, per_page: int) -> SearchResults:
        fs = self._fast()
        allowed = allowed_mask(fs, q, keys)
        pq = parse_query(q.text)
        limit = page * per_page
        if pq.empty:
            matched = np.flatnonzero(allowed)
            top, scores = top_by(matched, fs.column("issued")[matched].astype(np.float64),
                                 limit)
            scores = np.zeros(len(top))
        else:
            matched, top, scores = run_query(fs, pq, allowed, limit)
        total = len(matched)
        words, prefixes = pq.folded_words(), pq.folded_prefixes()
        hits: list[Hit] = []
        s = fs.s
        for docnum, score in list(zip(top.tolist(), scores.tolist(), strict=True))[
                (page - 1) * per_page:limit]:
            f = s.stored_fields(docnum)
            content = snippet_source(f)
            snip = snippet_html(content, words, prefixes)
            if "<mark>" not in snip and f.get("subject"):
                alt = snippet_html(f["subject"], words, prefixes)
                snip = alt if "<mark>" in alt else snip
            hits.append(Hit(id=f["id"], subject=f.get("subject", ""), code=f.get("code", ""),
                            snippet_html=snip, score=float(score),
                            urgency=f.get("urgency", ""), type_code=f.get("type_code", "")))
        facets = self._facets(fs, matched) if q.facets else {}
        return SearchResults(total=total, hits=hits, page=page, per_page=per_page, facets=facets)

    def _facets(self, fs: FastSearcher, docs: np.ndarray) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in ("type_code", "year"):
            col = fs.column(name)
            counts: dict[str, int] = {}
            for v in col[docs].tolist():
                v = str(v)
                if v and v != "0":
                    counts[v] = counts.get(v, 0) + 1
            out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return out

    def suggest(self, prefix: str, access_keys: Iterable[str], limit: int = 8) -> list[str]:
        """Subject words/word pairs starting with ``prefix`` from documents the caller may see."""
        keys = {k for k in access_keys if k and not any(c.isspace() for c in k)}
        if not keys:
            return []
        with self._lock:
            fs = self._fast()
            allowed = set(np.flatnonzero(allowed_mask(fs, SearchQuery(), keys)).tolist())
            return suggestions(fs.s, prefix, allowed, limit)

    def stamps(self) -> dict[str, str]:
        """``{id: version}`` of every live document (for :func:`search.verify`)."""
        with self._lock:
            s = self._get_searcher()
            r = s.reader()
            return {f["id"]: f.get("version", "") for _, f in r.iter_docs()}

    def doc_count(self) -> int:
        with self._lock:
            return int(self._get_searcher().doc_count())
