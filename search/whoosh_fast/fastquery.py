"""Query evaluation over a Whoosh searcher with whole posting lists as numpy arrays.

Whoosh's matchers walk postings one Python call at a time (~1 µs each), so a common word in
90k documents costs 100+ ms before scoring. Here each term's posting list is read a block at
a time straight from Whoosh's segment files (zlib + pickle per block, ids delta-decoded with
``cumsum``) and kept per searcher; filters are boolean masks over global docnums and scores
are BM25 sums computed on whole arrays. The files, the schema and the analysis are Whoosh's.
"""

from __future__ import annotations

import math
import zlib
from array import array
from collections import OrderedDict
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search.analysis import ParsedQuery, fold, nfc
from search.model import SearchQuery
from search.schema import date_key, issuer_key

_BYTE_LEN = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
K1, B = 1.2, 0.75


class SegmentCache:
    """Decoded arrays per Whoosh segment (segment files never change, so they stay valid
    across commits: an ``apply`` adds a small segment and only that one is read anew)."""

    def __init__(self, max_postings: int = 20_000_000) -> None:
        self.max_postings = max_postings
        self._data: OrderedDict[tuple[str, Any], Any] = OrderedDict()
        self._size = 0

    def get(self, seg_id: str, key: Any) -> Any:
        got = self._data.get((seg_id, key))
        if got is not None:
            self._data.move_to_end((seg_id, key))
        return got

    def put(self, seg_id: str, key: Any, value: Any) -> None:
        self._data[(seg_id, key)] = value
        self._size += _size(value)
        while self._size > self.max_postings and len(self._data) > 1:
            _, old = self._data.popitem(last=False)
            self._size -= _size(old)

    def keep_only(self, seg_ids: set[str]) -> None:
        """Forget segments that are no longer in the index."""
        for k in [k for k in self._data if k[0] not in seg_ids]:
            self._size -= _size(self._data.pop(k))


def _size(value: Any) -> int:
    return len(value[0]) if isinstance(value, tuple) else len(value)


class FastSearcher:
    """Posting arrays, masks and columns of one Whoosh searcher (one index generation)."""

    def __init__(self, s: Searcher, cache: SegmentCache | None = None) -> None:
        self.s = s
        self.cache = cache if cache is not None else SegmentCache()
        # An empty index has an EmptyReader leaf without a segment: nothing to read there.
        self.leaves = [(r, off, r.segment().segment_id()) for r, off in
                       s.reader().leaf_readers() if r.segment() is not None]
        self.cache.keep_only({seg for _, _, seg in self.leaves})
        self.n = int(s.doc_count_all())
        self._masks: OrderedDict[Any, np.ndarray] = OrderedDict()
        live = np.ones(self.n, dtype=bool)
        for r, off, _ in self.leaves:
            if r.has_deletions():
                dels = np.fromiter(r.deleted_docs_set, dtype=np.int64)
                live[dels + off] = False
        self.live = live

    # -- postings ------------------------------------------------------------------------
    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums, term frequencies) of ``text`` in ``field`` (live or not)."""
        docs: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        key = ("t", field, text)
        for r, off, seg in self.leaves:
            got = self.cache.get(seg, key)
            if got is None:
                try:
                    m = r._terms.matcher(field, r._text_to_bytes(field, text),
                                         r.schema[field].format)
                except TermNotFound:
                    got = _EMPTY
                else:
                    got = _read_all(m)
                self.cache.put(seg, key, got)
            if len(got[0]):
                docs.append(got[0] + off if off else got[0])
                weights.append(got[1])
        if not docs:
            return _EMPTY
        if len(docs) == 1:
            return docs[0], weights[0]
        return np.concatenate(docs), np.concatenate(weights)

    def mask(self, field: str, text: str) -> np.ndarray:
        key = ("m", field, text)
        got = self._masks.get(key)
        if got is None:
            got = np.zeros(self.n, dtype=bool)
            got[self.postings(field, text)[0]] = True
            self._masks[key] = got
            if len(self._masks) > 256:
                self._masks.popitem(last=False)
        return got

    def prefix_mask(self, field: str, prefix: str, limit: int = 2000) -> np.ndarray:
        key = ("p", field, prefix)
        got = self._masks.get(key)
        if got is None:
            got = np.zeros(self.n, dtype=bool)
            words = set()
            for r, _, _ in self.leaves:
                for w in r.expand_prefix(field, prefix):
                    words.add(w.decode("utf-8") if isinstance(w, bytes) else w)
                    if len(words) >= limit:
                        break
            for w in words:
                got[self.postings(field, w)[0]] = True
            self._masks[key] = got
        return got

    # -- per-document columns --------------------------------------------------------------
    def lengths(self, field: str) -> np.ndarray:
        """Field length (tokens, as Whoosh stores it: one byte) of every document."""
        return self._per_doc(("len", field), lambda r: _read_lengths(r, field))

    def column(self, field: str) -> np.ndarray:
        """Values of a sortable column for every document."""
        return self._per_doc(("col", field), lambda r: np.array(
            list(r.column_reader(field)), dtype=np.int64 if field == "issued" else object))

    def _per_doc(self, key: Any, read: Any) -> np.ndarray:
        got = self._masks.get(key)
        if got is None:
            parts = []
            for r, _, seg in self.leaves:
                part = self.cache.get(seg, key)
                if part is None:
                    part = read(r)
                    self.cache.put(seg, key, part)
                parts.append(part)
            got = np.concatenate(parts) if parts else np.zeros(0)
            self._masks[key] = got
        return got

    # -- scoring ---------------------------------------------------------------------------
    def bm25(self, scores: np.ndarray, field: str, text: str, boost: float) -> None:
        """Add ``boost`` × BM25 of ``text`` in ``field`` to ``scores`` (all docnums)."""
        docs, tf = self.postings(field, text)
        if not len(docs):
            return
        idf = math.log(self.n / (len(docs) + 1)) + 1.0
        dl = self.lengths(field)
        avg = max(1.0, float(dl.mean())) if len(dl) else 1.0
        norm = tf + K1 * ((1 - B) + B * dl[docs] / avg)
        scores[docs] += boost * idf * (tf * (K1 + 1)) / norm


_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def _read_lengths(r: Any, field: str) -> np.ndarray:
    n = r.doc_count_all()
    per = getattr(r, "_perdoc", None)
    col = per._cached_reader(_lenfield(field), LENGTHS_COLUMN) if per else None
    if col is None:
        raw = np.zeros(n, dtype=np.uint8)
    elif getattr(col, "_fixedlen", 0) == 1:  # one byte per document: read at once
        count = min(n, col._count)
        raw = np.frombuffer(col._dbfile.get(col._basepos, count) + bytes(n - count),
                            dtype=np.uint8)
    else:
        raw = np.fromiter((col[i] for i in range(n)), dtype=np.uint8, count=n)
    return _BYTE_LEN[raw]


def _read_all(m: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every (docnum, weight) of a Whoosh W3 leaf matcher, a block at a time."""
    ids: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    pf = m._postfile
    while not m._atend:
        b = pf.get(m._dataoffset, m._nextoffset - m._dataoffset)
        if m._compression:
            b = zlib.decompress(b)
        data = loads(b)  # noqa: S301 - our own index files, as Whoosh itself reads them
        d = data[0]  # delta-encoded: an array (bulk writer) or a tuple (Whoosh's writer)
        if isinstance(d, array):
            block_ids = np.frombuffer(d, dtype=np.uint32).cumsum(dtype=np.int64)
        else:
            block_ids = np.cumsum(np.asarray(d, dtype=np.int64))
        ids.append(block_ids)
        w = data[1]
        if w is None:
            ws.append(np.ones(len(block_ids), dtype=np.float32))
        elif isinstance(w, float):
            ws.append(np.full(len(block_ids), w, dtype=np.float32))
        elif isinstance(w, array):
            ws.append(np.frombuffer(w, dtype=np.float32))
        else:
            ws.append(np.asarray(w, dtype=np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(ws)


# -- queries -------------------------------------------------------------------------------
def allowed_mask(fs: FastSearcher, q: SearchQuery, keys: set[str]) -> np.ndarray:
    """Live documents sharing an access key with the caller AND every filter of ``q``."""
    key = ("allowed", tuple(sorted(keys)), q.type_code, q.year, q.issuer, q.date_from,
           q.date_to, q.register, q.direction)
    got = fs._masks.get(key)
    if got is not None:
        return got
    acl = np.zeros(fs.n, dtype=bool)
    for k in keys:
        acl |= fs.mask("acl", k)
    mask = acl & fs.live
    if q.type_code:
        mask &= fs.mask("type_code", nfc(q.type_code))
    if q.year:
        mask &= fs.mask("year", str(int(q.year)))
    if q.issuer:
        mask &= fs.mask("issuer", issuer_key(q.issuer))
    if q.register:
        mask &= fs.mask("register", q.register)
    if q.direction:
        mask &= fs.mask("direction", q.direction)
    if q.date_from or q.date_to:
        issued = fs.column("issued")
        lo = date_key(q.date_from) if q.date_from else 1
        hi = date_key(q.date_to) if q.date_to else 99991231
        mask &= (issued >= lo) & (issued <= hi)
    fs._masks[key] = mask
    if len(fs._masks) > 256:
        fs._masks.popitem(last=False)
    return mask


def run_query(fs: FastSearcher, pq: ParsedQuery, allowed: np.ndarray, limit: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(matched docnums, top ``limit`` docnums best first, their scores).

    Words must all match the folded body; a phrase must match every consecutive word pair;
    scores add BM25 of the folded body, the subject (×1.5) and, for words typed with
    diacritics, the exact field (×3) so exact matches rank first.
    """
    matched = allowed.copy()
    scores = np.zeros(fs.n, dtype=np.float32)
    scored = False
    for t in pq.terms:
        f = fold(t)
        matched &= fs.mask("body_f", f)
        fs.bm25(scores, "body_f", f, 1.0)
        fs.bm25(scores, "subj_f", f, 1.5)
        if f != t:
            fs.bm25(scores, "exact", t, 3.0)
        scored = True
    for words in pq.phrases:
        folded = [fold(w) for w in words]
        for a, b in zip(folded, folded[1:], strict=False):
            pair = f"{a} {b}"
            matched &= fs.mask("bi_f", pair)
            fs.bm25(scores, "bi_f", pair, 1.0)
        for w, f in zip(words, folded, strict=True):
            fs.bm25(scores, "subj_f", f, 1.5)
            if f != w:
                fs.bm25(scores, "exact", w, 3.0)
        scored = True
    for p in pq.prefixes:
        matched &= fs.prefix_mask("body_f", fold(p))
    idx = np.flatnonzero(matched)
    if not scored:  # prefixes only: newest first
        return idx, *top_by(idx, fs.column("issued")[idx].astype(np.float64), limit)
    return idx, *top_by(idx, scores[idx].astype(np.float64), limit)


def top_by(idx: np.ndarray, values: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``limit`` docnums of ``idx`` with the highest ``values`` (ties: lower docnum)."""
    if len(idx) > limit:
        part = np.argpartition(-values, limit - 1)[:limit]
        idx, values = idx[part], values[part]
    order = np.lexsort((idx, -values))
    return idx[order], values[order]
