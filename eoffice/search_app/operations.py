"""Searching documents, audited in one place whether the search page or the API asks."""

from __future__ import annotations

from sqlalchemy.orm import Session

import search
from eoffice.audit import operations as audit
from eoffice.auth.models import User


def search_documents(session: Session, index: search.SearchIndex, user: User,
                     query: search.SearchQuery) -> search.SearchResults:
    """What ``user`` may see that matches ``query``; audited (``search``: the words typed and
    how many documents were found)."""
    results = index.search(query, user.search_keys())
    audit.append(session, "search", actor=user,
                 details={"q": query.text, "total": results.total})
    return results
