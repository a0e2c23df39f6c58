"""Rewriting a segment without its deleted documents, fast (used when purging classified
documents: their words must leave the files before ``apply`` returns).

Whoosh's ``writer.add_reader`` pushes every posting of the old segment through its
external-sort pool (~50 s for a 10k-document segment here); this copies whole posting lists
as arrays, drops the deleted documents and renumbers the rest, and writes the new segment
with :class:`~search.whoosh_fast.bulkwrite.BulkSegmentWriter`.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import SegmentReader

from search.whoosh_fast.bulkwrite import BulkSegmentWriter, _Postings
from search.whoosh_fast.fastquery import _read_all, _read_lengths


def can_rewrite(schema: Any) -> bool:
    """True when every field's postings can be rebuilt from docnums and frequencies."""
    return all(type(f.format) in (formats.Existence, formats.Frequency) and not f.vector
               for _, f in schema.items() if f.indexed)


def rewrite_segment(writer: Any, seg: Any) -> Any | None:
    """A new segment holding the live documents of ``seg`` (None if there are none).

    ``writer`` is the (locked) writer committing the change; the new segment's files are
    written beside it and the old segment's files go when the writer commits its TOC.
    """
    schema = writer.schema
    reader = SegmentReader(writer.storage, schema, seg, generation=writer.generation)
    try:
        ix = writer.storage.open_index(writer.indexname)
        w = BulkSegmentWriter(ix, _lk=False, codec=W3Codec(blocklimit=1024))
        fieldnames = set(schema.names())
        docmap = w.write_per_doc(fieldnames, reader)  # stored fields, lengths, columns
        n = reader.doc_count_all()
        if docmap is None:
            remap = np.arange(n, dtype=np.int64)
        else:
            remap = np.full(n, -1, dtype=np.int64)
            if docmap:
                remap[np.fromiter(docmap.keys(), dtype=np.int64)] = np.fromiter(
                    docmap.values(), dtype=np.int64)
        live = remap >= 0
        new_n = int(live.sum())
        if not new_n:
            w._close_segment()
            return None
        pool = w.pool
        pool.values_from_weights = True
        for name, field in schema.items():
            if field.scorable:
                lens = _read_lengths(reader, name)[live].astype(np.uint32)
                pool.doclens[name] = array("I", lens.tobytes())
        for fieldname, tbytes in reader.all_terms():
            m = reader._terms.matcher(fieldname, tbytes, schema[fieldname].format)
            docs, weights = _read_all(m)
            new = remap[docs]
            keep = new >= 0
            if not keep.any():
                continue  # only deleted documents had it: the term leaves the files
            p = _Postings()
            p.docs = array("I", new[keep].astype(np.uint32).tobytes())
            p.weights = array("f", weights[keep].astype(np.float32).tobytes())
            pool.field(fieldname)[tbytes] = p
        w.docnum = new_n
        w._added = True
        return w._finalize_segment()
    finally:
        reader.close()
