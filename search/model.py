"""Data types and the :class:`SearchIndex` protocol shared by every index backend."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

#: The only secrecy level that may be indexed; anything else is classified (SPEC §2).
UNCLASSIFIED = "none"


def is_classified(secrecy: str | None) -> bool:
    """True for every secrecy except ``"none"`` (unknown or empty values count as classified)."""
    return (secrecy or "").strip().lower() != UNCLASSIFIED


@dataclass(frozen=True)
class IndexedDocument:
    """What the index knows about a document. ``content`` is the extracted text."""

    id: str
    secrecy: str
    type_code: str
    code: str
    issuer_name: str
    subject: str
    signer_name: str = ""
    issued_date: date | None = None
    arrival_date: date | None = None
    year: int = 0
    register: str = ""
    direction: str = ""
    urgency: str = "thuong"
    content: str = ""
    visibility: frozenset[str] = frozenset()
    version: str = ""
    #: Monotonic per document (0 = unordered): an older revision never replaces a newer one.
    revision: int = 0

    @property
    def classified(self) -> bool:
        return is_classified(self.secrecy)


@dataclass(frozen=True)
class SearchQuery:
    """A search request. ``text`` may hold words, ``"phrases"`` and ``prefix*`` words.

    Filters are exact: ``issuer`` compares the issuer name case- and accent-insensitively;
    ``date_from``/``date_to`` (inclusive) apply to ``issued_date``.
    ``facets=True`` adds counts per ``type_code`` and ``year`` (costs time on big result sets).
    """

    text: str = ""
    type_code: str | None = None
    year: int | None = None
    issuer: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    register: str | None = None
    direction: str | None = None
    page: int = 1
    per_page: int = 20
    facets: bool = False


@dataclass(frozen=True)
class Hit:
    """One result; ``snippet_html`` is HTML-escaped text with ``<mark>`` around matches."""

    id: str
    subject: str
    code: str
    snippet_html: str
    score: float
    urgency: str
    type_code: str = ""


@dataclass(frozen=True)
class SearchResults:
    """``total`` counts only documents the caller may see; ``facets`` maps field → value → n."""

    total: int
    hits: list[Hit]
    page: int = 1
    per_page: int = 20
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // max(1, self.per_page)))


@dataclass(frozen=True)
class ApplyResult:
    """What :meth:`SearchIndex.apply` did.

    ``refused`` lists classified documents that were offered as upserts: they were NOT
    written, and any entry they had was deleted (and purged from the files on disk).
    ``stale`` lists upserts ignored because the index already held a newer revision.
    """

    upserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RebuildReport:
    indexed: int
    refused: list[str]
    path: str


@dataclass(frozen=True)
class VerifyReport:
    """Differences between the index and the database (see :func:`search.verify`)."""

    missing: list[str]
    extra: list[str]
    stale: list[str]
    classified: list[str]
    #: Internal structures of the index that disagree with its entries (rebuild it).
    damaged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.classified
                    or self.damaged)


ProgressCallback = Callable[[int], None]


class SearchError(Exception):
    """Base error of the search library (messages are in Vietnamese)."""


class IndexBusyError(SearchError):
    """The index writer lock could not be taken in time."""


@runtime_checkable
class SearchIndex(Protocol):
    """The interface the application uses; see :mod:`search` for the contract."""

    def apply(
        self, upserts: Iterable[IndexedDocument] = (), deletes: Iterable[str] = ()
    ) -> ApplyResult: ...

    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults: ...

    def suggest(self, prefix: str, access_keys: Iterable[str], limit: int = 8) -> list[str]: ...

    def stamps(self) -> dict[str, str]: ...

    def rebuild(
        self, docs: Iterable[IndexedDocument], progress: ProgressCallback | None = None
    ) -> RebuildReport: ...


def verify(
    index: SearchIndex, expected: Mapping[str, str], classified_ids: Iterable[str]
) -> VerifyReport:
    """Compare the index with the database.

    ``expected`` maps every *unclassified* document id to its current version stamp;
    ``classified_ids`` are the ids of classified documents (they must not be indexed).
    """
    stamps = index.stamps()
    classified = set(classified_ids)
    return VerifyReport(
        missing=sorted(set(expected) - set(stamps)),
        extra=sorted(set(stamps) - set(expected) - classified),
        stale=sorted(i for i, v in stamps.items() if i in expected and expected[i] != v),
        classified=sorted(classified & set(stamps)),
        damaged=list(getattr(index, "self_check", list)()),
    )
