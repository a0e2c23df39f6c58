"""An index that stores nothing (search disabled, or tests of code around the index)."""

from __future__ import annotations

from collections.abc import Iterable

from search.model import (
    ApplyResult,
    IndexedDocument,
    ProgressCallback,
    RebuildReport,
    SearchQuery,
    SearchResults,
)


class NullIndex:
    """Accepts every call, finds nothing. Classified upserts are still reported as refused."""

    def apply(self, upserts: Iterable[IndexedDocument] = (), deletes: Iterable[str] = ()
              ) -> ApplyResult:
        result = ApplyResult()
        for doc in upserts:
            (result.refused if doc.classified else result.upserted).append(doc.id)
        result.deleted.extend(deletes)
        return result

    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults:
        return SearchResults(total=0, hits=[], page=query.page, per_page=query.per_page)

    def suggest(self, prefix: str, access_keys: Iterable[str], limit: int = 8) -> list[str]:
        return []

    def stamps(self) -> dict[str, str]:
        return {}

    def rebuild(self, docs: Iterable[IndexedDocument], progress: ProgressCallback | None = None
                ) -> RebuildReport:
        refused, n = [], 0
        for doc in docs:
            if doc.classified:
                refused.append(doc.id)
            else:
                n += 1
                if progress is not None:
                    progress(n)
        return RebuildReport(indexed=n, refused=refused, path="")
