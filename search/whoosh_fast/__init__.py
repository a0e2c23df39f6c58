"""Fast paths over Whoosh's own files, which read and write private Whoosh fields.

Whoosh (pure Python) spends a Python call per posting; these modules read and write its
segment files a block at a time instead. They are the only code in eoffice that touches
Whoosh internals, and were checked against **whoosh-reloaded 2.7.5** (:data:`WHOOSH_CHECKED`,
pinned in ``setup.cfg``). Upgrading Whoosh means re-checking every field below, then the
equivalence tests in ``tests/unit/search/test_whoosh_fast.py`` that guard each fast path:

* :mod:`.bulkwrite` (``rebuild``): the same postings, stored fields and lengths as Whoosh's
  ``SegmentWriter``, and the same answers as an index written document by document;
* :mod:`.fastquery` (every search): the same postings, lengths and matching documents as
  Whoosh's own readers and queries;
* :mod:`.purge` (classified documents leaving the files): the same segment as Whoosh's
  ``writer.add_reader``, without the purged documents' words.

The same tests fail when the installed Whoosh is not the checked version, or when these
modules use a private Whoosh name that is not listed here.

Private Whoosh fields relied on (by class):

* ``whoosh.writing.SegmentWriter`` (subclassed by ``BulkSegmentWriter``; its commit steps
  called directly by ``parallel_load`` and ``rewrite_segment``): ``_lk`` (constructor
  argument: no lock), ``_check_state``, ``_check_fields``, ``_added``, ``_flush_segment``
  (overridden), ``_finalize_segment``, ``_close_segment``, ``_commit_toc``, ``_finish``;
  and its undocumented attributes ``pool``, ``perdocwriter``, ``fieldwriter``, ``docnum``,
  ``segments``, ``write_per_doc``.
* ``whoosh.codec.whoosh3.W3FieldWriter``: ``_btext``, ``_postwriter``.
* ``whoosh.codec.whoosh3.W3PostingsWriter``: ``_blocklimit``, ``_compression``, ``_ids``,
  ``_weights``, ``_values``, ``_minlength``, ``_maxlength``, ``_maxweight``,
  ``_blockcount``, ``_postfile``, ``_terminfo``, ``_mini_values``, ``_new_block``, and the
  block layout of its ``_write_block`` (copied by ``bulkwrite._write_block``: a pickled
  ``(n, last id, max weight, compression, min length byte, max length byte)`` header, then
  ``(id deltas, weights, values)`` pickled and optionally zlib-compressed).
* ``whoosh.codec.whoosh3.W3LeafMatcher``: ``_postfile``, ``_atend``, ``_dataoffset``,
  ``_nextoffset``, ``_compression``, ``_lastblock``, ``_goto``.
* ``whoosh.reading.SegmentReader``: ``_terms``, ``_text_to_bytes``, ``_perdoc``.
* ``whoosh.codec.whoosh3.W3PerDocReader``: ``_cached_reader``.
* ``whoosh.columns.FixedBytesColumn.Reader`` (the one-byte field lengths): ``_fixedlen``,
  ``_count``, ``_dbfile``, ``_basepos``.
* ``whoosh.codec.whoosh3`` (module): ``_lenfield``, and the public ``LENGTHS_COLUMN``,
  ``WHOOSH3_HEADER_MAGIC``, ``W3TermInfo`` used with them.
"""

WHOOSH_CHECKED = "2.7.5"
"""The whoosh-reloaded version every private field above was checked against."""
