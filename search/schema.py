"""Whoosh schema, document → fields, and query construction for :class:`WhooshIndex`."""

from __future__ import annotations

import zlib
from datetime import date
from typing import Any

from whoosh import fields as wf

from search.analysis import bigram_analyzer, exact_analyzer, fold, folded_analyzer, nfc
from search.model import IndexedDocument, SearchError

#: Characters of content kept (compressed) for snippets; matches beyond it still count.
SNIPPET_SOURCE_CHARS = 3000
#: Characters of content also indexed with diacritics (exact-match ranking boost).
EXACT_CONTENT_CHARS = 600


def build_schema() -> wf.Schema:
    """Exact and folded text fields side by side.

    ``body_f`` (folded, frequencies only) decides what matches and holds everything
    searchable. ``bi_f`` holds the folded word pairs of the same text: a phrase matches when
    all its consecutive pairs do (exact for two words; longer phrases could in rare cases
    match pairs that are not in one run), so no positions are stored or decoded.
    ``exact`` (diacritics kept) covers the subject, metadata and the first
    :data:`EXACT_CONTENT_CHARS` of the content: it only adds score.
    ``subj_f`` lets subject matches rank first and feeds suggestions.
    """
    exact, folded = exact_analyzer(), folded_analyzer()
    return wf.Schema(
        id=wf.ID(unique=True, stored=True),
        version=wf.STORED(),
        revision=wf.STORED(),
        acl=wf.KEYWORD(lowercase=False, commas=False, scorable=False),
        type_code=wf.ID(stored=True, sortable=True),
        year=wf.ID(sortable=True),
        issued=wf.NUMERIC(int, bits=32, shift_step=8, sortable=True),
        issuer=wf.ID(),
        register=wf.ID(),
        direction=wf.ID(),
        urgency=wf.STORED(),
        subject=wf.STORED(),
        code=wf.STORED(),
        snip=wf.STORED(),
        subj_f=wf.TEXT(analyzer=folded, phrase=False),
        exact=wf.TEXT(analyzer=exact, phrase=False),
        body_f=wf.TEXT(analyzer=folded, phrase=False),
        bi_f=wf.TEXT(analyzer=bigram_analyzer(), phrase=False),
    )


def issuer_key(name: str) -> str:
    """Issuer names compare case- and accent-insensitively, spaces collapsed."""
    return " ".join(fold(nfc(name).lower()).split())


def date_key(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def check_access_key(key: str) -> str:
    if not key or any(c.isspace() for c in key):
        raise SearchError(
            f"Khóa quyền truy cập không hợp lệ: {key!r} (không được chứa khoảng trắng)."
        )
    return key


def doc_fields(doc: IndexedDocument) -> dict[str, Any]:
    """Field values for an UNCLASSIFIED document (callers check secrecy first)."""
    subject = nfc(doc.subject)
    content = nfc(doc.content)
    body = "\n".join(
        nfc(x) for x in (doc.subject, doc.code, doc.issuer_name, doc.signer_name) if x
    )
    exact = body + "\n" + content[:EXACT_CONTENT_CHARS]
    body = body + "\n" + content
    year = doc.year or (doc.issued_date.year if doc.issued_date else 0)
    return {
        "id": doc.id,
        "version": doc.version,
        "revision": doc.revision,
        "acl": " ".join(sorted(check_access_key(k) for k in doc.visibility)),
        "type_code": nfc(doc.type_code or ""),
        "year": str(year) if year else "",
        "issued": date_key(doc.issued_date),
        "issuer": issuer_key(doc.issuer_name or ""),
        "register": doc.register or "",
        "direction": doc.direction or "",
        "urgency": doc.urgency,
        "subject": subject,
        "code": nfc(doc.code or ""),
        "snip": zlib.compress(content[:SNIPPET_SOURCE_CHARS].encode("utf-8"), 6),
        "subj_f": subject,
        "exact": exact,
        "body_f": body,
        "bi_f": body,
    }


def snippet_source(stored: dict[str, Any]) -> str:
    blob = stored.get("snip")
    return zlib.decompress(blob).decode("utf-8") if blob else ""


