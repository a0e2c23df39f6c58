"""An index that stores nothing (search disabled, or tests of code around the index)."""

from __future__ import annotations

from collections.abc import Iterable

from search.guard import GuardedIndex, Removal, WriteResult
from search.model import IndexedDocument, SearchQuery, SearchResults


class NullIndex(GuardedIndex):
    """Accepts every call, finds nothing. Classified upserts are still reported as refused."""

    def _write(self, batch: list[IndexedDocument | Removal]) -> WriteResult:
        result = WriteResult()
        for item in batch:
            (result.removed if isinstance(item, Removal) else result.written).append(item.id)
        return result

    def _load(self, docs: Iterable[IndexedDocument]) -> str:
        for _ in docs:
            pass
        return ""

    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults:
        return SearchResults(total=0, hits=[], page=query.page, per_page=query.per_page)

    def suggest(self, prefix: str, access_keys: Iterable[str], limit: int = 8) -> list[str]:
        return []

    def stamps(self) -> dict[str, str]:
        return {}

    def close(self) -> None:
        """Nothing to release."""
