"""Fast bulk loading of a fresh Whoosh index (used by :meth:`WhooshIndex.rebuild`).

Whoosh's ``SegmentWriter`` spends ~10 µs per posting: a ``Token`` object per word, a sort of
every posting through an external-sort pool, a field-length lookup per posting while writing
and a Python call per posting into the block writer. :class:`BulkSegmentWriter` is the same
writer with these shortcuts, and writes ordinary Whoosh segments (Whoosh's own readers
return the same postings, stored fields and lengths; ``tests/unit/search/test_bulk.py``):

* frequency-format text fields analysed by :class:`~search.analysis.VietTokenizer` are
  tokenised with one regex over the whole (lowercased, folded) text and counted with
  :class:`~collections.Counter`; other fields go through Whoosh's own code;
* postings stay in memory, grouped per term (a rebuild writes each segment once);
* each term's posting list is written a block at a time, with lengths known in memory;
  blocks hold 1024 postings, their ids and weights are pickled as arrays (one memory copy
  to load), and lists of fewer than 16 postings are not zlib-compressed.

:func:`parallel_load` runs two such writers in forked processes, each writing its own
segment, then commits one TOC listing them (what Whoosh's ``MpWriter(multisegment=True)``
does, with the faster writer).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import operator
import pickle
import queue
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search.analysis import WORD_RE, VietTokenizer, folded_tokens, nfc


class _Postings:
    """One term's postings: docnums, weights and (optional) encoded values."""

    __slots__ = ("docs", "weights", "values")

    def __init__(self) -> None:
        self.docs = array("I")
        self.weights = array("f")
        self.values: list[bytes] = []


class _MemPool:
    """Stands in for Whoosh's external-sort ``PostingPool``: postings grouped in memory."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[bytes, _Postings]] = {}
        self.fieldnames: set[str] = set()
        #: postings of every field carry no values of their own (segment rewrites)
        self.values_from_weights = False
        #: text fields of the fast path: term (str) → postings
        self.text: dict[str, dict[str, _Postings]] = {}
        #: field → length (token count) per docnum, for text fields indexed by the fast path
        self.doclens: dict[str, array[int]] = {}

    def field(self, fieldname: str) -> dict[bytes, _Postings]:
        got = self.terms.get(fieldname)
        if got is None:
            got = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        return got

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.field(fieldname)
        p = terms.get(tbytes)
        if p is None:
            p = terms[tbytes] = _Postings()
        p.docs.append(docnum)
        p.weights.append(weight)
        p.values.append(vbytes or b"")

    def text_field(self, fieldname: str) -> dict[str, _Postings]:
        got = self.text.get(fieldname)
        if got is None:
            got = self.text[fieldname] = {}
            self.fieldnames.add(fieldname)
        return got

    def cleanup(self) -> None:
        self.terms.clear()
        self.text.clear()


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for loading a fresh index fast (no deletions, no merging)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = _MemPool()
        self._fast: dict[str, tuple[bool, bool]] = {}
        self._doc_tokens: dict[tuple[bool, str], list[str]] = {}
        for name, field in self.schema.items():
            if isinstance(field.analyzer if hasattr(field, "analyzer") else None,
                          VietTokenizer) and not field.vector and field.scorable:
                # Frequencies only; fields with positions take Whoosh's own path.
                if type(field.format) is formats.Frequency:
                    self._fast[name] = (field.analyzer.folded,
                                        getattr(field.analyzer, "bigrams", False))

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``SegmentWriter.add_document`` with the fast path for text fields."""
        self._check_state()
        perdoc, schema, docnum, add_post = self.perdocwriter, self.schema, self.docnum, \
            self.pool.add
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in self._fast:
                    length = self._index_text(name, value, docnum, *self._fast[name])
                elif field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        add_post((name, tbytes, docnum, weight, vbytes))
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._doc_tokens.clear()
        self._added = True
        self.docnum += 1

    def _tokens(self, value: str, folded: bool) -> list[str]:
        """Tokens of ``value``; the body is analysed once for both ``body_f`` and ``bi_f``."""
        key = (folded, value)
        got = self._doc_tokens.get(key)
        if got is None:
            got = folded_tokens(value) if folded else WORD_RE.findall(nfc(value).lower())
            self._doc_tokens[key] = got
        return got

    def _index_text(self, name: str, value: str, docnum: int, folded: bool, pairs: bool
                    ) -> int:
        toks = self._tokens(value, folded or pairs)
        if pairs:  # the pairs of search.analysis.bigrams(value)
            toks = [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
        n = len(toks)
        doclens = self.pool.doclens.setdefault(name, array("I"))
        if len(doclens) <= docnum:
            doclens.extend([0] * (docnum + 1 - len(doclens)))
        doclens[docnum] = n
        if not n:
            return 0
        terms = self.pool.text_field(name)
        get = terms.get
        # Frequencies only: the values are made from the weights when writing.
        for t, f in Counter(toks).items():
            p = get(t)
            if p is None:
                p = terms[t] = _Postings()
            p.docs.append(docnum)
            p.weights.append(f)
        return n

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        pool = self.pool
        for fieldname in sorted(pool.fieldnames):
            fieldobj = self.schema[fieldname]
            fw.start_field(fieldname, fieldobj)
            doclens = pool.doclens.get(fieldname)
            if fieldname in pool.text:
                terms = pool.text[fieldname]
                # str order is code point order, which is the order of the UTF-8 bytes
                for t in sorted(terms):
                    fw._btext = t.encode("utf-8")
                    _write_term(fw._postwriter, fieldobj.format, terms[t], doclens, True)
                    fw.finish_term()
            else:
                terms_b = pool.terms[fieldname]
                for tb in sorted(terms_b):
                    fw._btext = tb
                    _write_term(fw._postwriter, fieldobj.format, terms_b[tb], doclens,
                                pool.values_from_weights)
                    fw.finish_term()
            fw.finish_field()
        fw.close()


def _freq_values(weights: array[float]) -> list[bytes]:
    """``Frequency`` values of a block (big-endian uint32 each), joined in one bytes."""
    a = array("I", map(int, weights))
    if sys.byteorder == "little":
        a.byteswap()
    return [a.tobytes()]


def _write_term(pw: Any, fmt: Any, p: _Postings, doclens: array[int] | None,
                freq: bool) -> None:
    """Write one term's postings through Whoosh's block writer, a block at a time (the
    caller's ``finish_term`` then records the extent)."""
    pw.start_postings(fmt, W3TermInfo())
    n, limit = len(p.docs), pw._blocklimit
    # zlib costs more than it saves on a few postings (most terms are rare); the level is
    # recorded per block, so readers cope with both.
    pw._compression = 0 if n < 16 else 3
    for lo in range(0, n, limit):
        hi = min(n, lo + limit)
        pw._ids = p.docs[lo:hi]
        pw._weights = p.weights[lo:hi]
        if freq:
            pw._values = _freq_values(pw._weights)
        else:
            vals = p.values[lo:hi]
            pw._values = vals if vals[0] else [v for v in vals if v]
        lens = [x for x in (doclens[d] for d in pw._ids) if x] if doclens is not None else []
        pw._minlength = min(lens) if lens else None
        pw._maxlength = max(lens) if lens else 0
        pw._maxweight = max(pw._weights)
        _write_block(pw, last=hi == n)


def _write_block(pw: Any, last: bool) -> None:
    """``W3PostingsWriter._write_block`` with the ids and weights pickled as arrays.

    Whoosh pickles tuples (protocol 2); arrays (protocol 5) load as one memory copy and
    readers see the same sequences (Whoosh's own matchers index and iterate them alike).
    """
    if not pw._blockcount:
        pw._postfile.write(WHOOSH3_HEADER_MAGIC)
    pw._terminfo.add_block(pw)
    ids, weights = pw._ids, pw._weights
    deltas = array("I", ids[:1])
    deltas.extend(map(operator.sub, ids[1:], ids[:-1]))
    n = len(ids)
    if weights.count(1.0) == n:
        mini_w: Any = None
    elif weights.count(weights[0]) == n:
        mini_w = weights[0]
    else:
        mini_w = weights
    databytes = pickle.dumps((deltas, mini_w, pw._mini_values()), 5)
    comp = pw._compression
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = pickle.dumps((n, ids[-1], pw._maxweight, comp, length_to_byte(pw._minlength),
                              length_to_byte(pw._maxlength)), 2)
    blocklength = len(infobytes) + len(databytes)
    pw._postfile.write_int(-blocklength if last else blocklength)
    pw._postfile.write(infobytes)
    pw._postfile.write(databytes)
    pw._blockcount += 1
    pw._new_block()


# -- two processes -----------------------------------------------------------------------
def _worker(storage: Any, indexname: str, jobs: Any, results: Any,
            make_fields: Callable[[Any], dict[str, Any]], limitmb: int) -> None:
    # Millions of small posting containers: the cyclic GC would rescan them again and again
    # (nothing here makes cycles); this process exits when the segment is written.
    gc.disable()
    ix = storage.open_index(indexname)
    # Bigger posting blocks than Whoosh's 128: queries read whole posting lists.
    w = BulkSegmentWriter(ix, _lk=False, limitmb=limitmb, codec=W3Codec(blocklimit=1024))
    try:
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for doc in batch:
                w.add_document(**make_fields(doc))
        segment = w._finalize_segment() if w._added else None
        if segment is None:
            w._close_segment()
        results.put(("ok", segment))
    except BaseException as exc:  # report to the parent, which raises
        results.put(("error", repr(exc)))
        raise


def parallel_load(ix: Any, docs: Iterable[Any], make_fields: Callable[[Any], dict[str, Any]],
                  procs: int = 2, batch: int = 250, limitmb: int = 256,
                  on_doc: Callable[[Any], bool] | None = None) -> int:
    """Index ``docs`` into the (empty, locked by us) index ``ix`` with ``procs`` processes.

    ``make_fields`` runs in the workers. ``on_doc(doc)`` runs in this process for every
    document and returns False to skip it. Returns the number of documents indexed.
    """
    owner = ix.writer()  # holds the lock; its own segment stays empty
    ctx = mp.get_context("fork")
    jobs = ctx.Queue(procs * 4)
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(ix.storage, ix.indexname, jobs, results,
                                                  make_fields, limitmb), daemon=True)
               for _ in range(procs)]
    for p in workers:
        p.start()
    count = 0
    try:
        buf: list[Any] = []
        for doc in docs:
            if on_doc is not None and not on_doc(doc):
                continue
            buf.append(doc)
            count += 1
            if len(buf) >= batch:
                _put(jobs, buf, workers)
                buf = []
        if buf:
            _put(jobs, buf, workers)
        for _ in workers:
            _put(jobs, None, workers)
        segments = []
        for _ in workers:
            status, seg = _get(results, workers)
            if status != "ok":
                raise RuntimeError(f"indexing worker failed: {seg}")
            if seg is not None:
                segments.append(seg)
        for p in workers:
            p.join()
        owner._close_segment()
        owner._commit_toc(list(owner.segments) + segments)
        owner._finish()
    except BaseException:
        for p in workers:
            if p.is_alive():
                p.kill()
        owner.cancel()
        raise
    return count


def _alive_check(workers: list[Any]) -> None:
    for p in workers:
        if p.exitcode not in (None, 0):
            raise RuntimeError(f"indexing worker exited with code {p.exitcode}")


def _put(jobs: Any, item: Any, workers: list[Any]) -> None:
    while True:
        try:
            jobs.put(item, timeout=1)
            return
        except queue.Full:
            _alive_check(workers)


def _get(results: Any, workers: list[Any]) -> Any:
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            _alive_check(workers)
