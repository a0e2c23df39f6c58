"""The one place where classified documents are refused, for every index backend.

Backends subclass :class:`GuardedIndex` and implement :meth:`GuardedIndex._write` and
:meth:`GuardedIndex._load`; they never see a classified document. :meth:`apply` turns a
classified upsert into a *purge* (delete the entry and make its words leave storage), and
:meth:`rebuild` drops classified documents before the backend reads them.

Ordering: an entry carries ``revision`` (monotonic per document; 0 = unordered). A backend
ignores an upsert or removal older than what it holds for that id — including the
tombstone a removal leaves — so a delayed, stale update can neither bring back an old
state nor re-index a document that became classified meanwhile.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from search.model import (
    ApplyResult,
    IndexedDocument,
    ProgressCallback,
    RebuildReport,
    SearchQuery,
    SearchResults,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Removal:
    """Remove ``id``; ``purge``: its words must leave storage (it became classified)."""

    id: str
    revision: int = 0
    purge: bool = False


@dataclass
class WriteResult:
    """What a backend did: ids written or removed, and ids skipped as out of date."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


class GuardedIndex(ABC):
    """Base of every backend: classified documents are refused here, once."""

    def apply(self, upserts: Iterable[IndexedDocument] = (), deletes: Iterable[str] = ()
              ) -> ApplyResult:
        """Apply upserts then deletes (see :mod:`search` for the contract)."""
        batch: list[IndexedDocument | Removal] = []
        refused: list[str] = []
        for doc in upserts:
            if doc.classified:
                refused.append(doc.id)
                log.warning("search: refused classified document %s (secrecy=%s)",
                            doc.id, doc.secrecy)
                batch.append(Removal(doc.id, doc.revision, purge=True))
            else:
                batch.append(doc)
        batch.extend(Removal(str(doc_id)) for doc_id in deletes)
        done = self._write(batch)
        stale = set(done.stale)
        return ApplyResult(
            upserted=[d.id for d in batch if isinstance(d, IndexedDocument) and d.id not in stale],
            deleted=[r.id for r in batch if isinstance(r, Removal) and not r.purge],
            refused=refused, stale=sorted(stale))

    def rebuild(self, docs: Iterable[IndexedDocument], progress: ProgressCallback | None = None
                ) -> RebuildReport:
        """Index ``docs`` into a new generation and swap it in atomically."""
        refused: list[str] = []
        count = 0

        def admitted() -> Iterator[IndexedDocument]:
            nonlocal count
            for doc in docs:
                if doc.classified:
                    refused.append(doc.id)
                    continue
                count += 1
                if progress is not None:
                    progress(count)
                yield doc

        where = self._load(admitted())
        return RebuildReport(indexed=count, refused=refused, path=where)

    @abstractmethod
    def _write(self, batch: list[IndexedDocument | Removal]) -> WriteResult:
        """Apply ``batch`` in order, atomically; never called with a classified document."""

    @abstractmethod
    def _load(self, docs: Iterable[IndexedDocument]) -> str:
        """Build a new generation from ``docs`` (all unclassified), swap it in, say where."""

    @abstractmethod
    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults: ...

    @abstractmethod
    def suggest(self, prefix: str, access_keys: Iterable[str], limit: int = 8) -> list[str]: ...

    @abstractmethod
    def stamps(self) -> dict[str, str]: ...
