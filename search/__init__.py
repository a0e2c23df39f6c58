"""Vietnamese full-text search behind a small index interface (Whoosh or PostgreSQL).

A library: it imports neither Flask nor the database. Classified documents never enter it.

Public API (everything below is importable from ``search``)::

    index = WhooshIndex("instance/search")        # or NullIndex() when search is off
    index = PostgresIndex(sqlalchemy_engine)       # PostgreSQL full-text search (GIN)
    index.apply(upserts=[IndexedDocument(...)], deletes=["42"]) -> ApplyResult
    index.search(SearchQuery(text="chuyen doi so", year=2026, page=1), {"all", "dept:VP"})
        -> SearchResults(total, hits=[Hit(id, subject, code, snippet_html, score, urgency,
                                          type_code)], page, per_page, facets)
    index.suggest("chuyển đ", access_keys) -> ["chuyển đổi", ...]
    index.stamps() -> {id: version}
    index.rebuild(all_docs_iterable, progress=lambda n: ...) -> RebuildReport
    verify(index, expected={id: version}, classified_ids={...}) -> VerifyReport
    extract_text(data, "pdf" | "docx") -> str       # subprocess, 512 MB, 10 s

Contract:

* **Classified documents** (``secrecy != "none"``) are refused by ``apply`` and ``rebuild``
  in :class:`search.guard.GuardedIndex`, the base every backend goes through:
  never written; ``apply`` deletes any existing entry for that id, rewrites the segments
  that held it (its words leave the files), and lists it in ``ApplyResult.refused``. It
  does not raise, so reclassifying = ``apply(upserts=[doc_with_new_secrecy])``, and
  declassifying is the same call with ``secrecy="none"``. Both take effect before
  ``apply`` returns.
* **Visibility**: each document carries access keys (``"all"``, ``"dept:VP"``,
  ``"user:an"``, ``"role:clerk"``; no spaces). ``search``/``suggest`` take the caller's keys
  and only see documents sharing at least one key; ``total``, ``facets`` and snippets
  count nothing else. No keys → nothing.
* **Queries**: words are ANDed; ``"..."`` is a phrase (every consecutive word pair must
  occur), ``word*`` a prefix. Matching is
  accent-insensitive (``đ`` = ``d``); words typed with diacritics rank exact matches first.
  Empty text with filters lists documents newest first (by ``issued_date``).
* **Writers**: any number of processes may call ``apply``; they queue on the Whoosh lock
  (``lock_timeout`` seconds, then :class:`IndexBusyError`). A batch is one commit: a writer
  killed mid-batch leaves the previous state (``verify`` shows the gap; ``rebuild`` fixes).
* **Rebuild** writes a new generation directory with 2 processes (a bulk writer producing
  ordinary Whoosh segments), then swaps the
  ``current`` symlink atomically; readers never see a half-built index. Changes applied
  during a rebuild may be lost: run ``verify`` after it or replay the outbox.
* **Ordering**: ``IndexedDocument.revision`` (monotonic per document, 0 = unordered): an
  upsert or removal older than what the index holds (entry or tombstone) is ignored and
  listed in ``ApplyResult.stale``; a late update cannot resurrect a classified document.
* One ``WhooshIndex`` per process; its searches are serialised by a lock.
* The same contract holds for :class:`PostgresIndex` (``tests/unit/search/test_contract.py``
  runs on both); it serialises writers per document with advisory locks.
"""

from search.extract import ExtractionError, extract_text
from search.guard import GuardedIndex
from search.model import (
    ApplyResult,
    Hit,
    IndexBusyError,
    IndexedDocument,
    RebuildReport,
    SearchError,
    SearchIndex,
    SearchQuery,
    SearchResults,
    VerifyReport,
    is_classified,
    verify,
)
from search.null import NullIndex
from search.postgres_index import PostgresIndex
from search.whoosh_index import WhooshIndex

__all__ = [
    "ApplyResult",
    "ExtractionError",
    "GuardedIndex",
    "Hit",
    "IndexBusyError",
    "IndexedDocument",
    "NullIndex",
    "PostgresIndex",
    "RebuildReport",
    "SearchError",
    "SearchIndex",
    "SearchQuery",
    "SearchResults",
    "VerifyReport",
    "WhooshIndex",
    "extract_text",
    "is_classified",
    "verify",
]
