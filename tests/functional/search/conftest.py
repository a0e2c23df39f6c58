"""What the search index holds, whatever the backend (for tests that look for leaks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

import search


def stored_bytes(app) -> bytes:
    """Everything the index stores: its files (Whoosh) or its table rows (PostgreSQL)."""
    index = app.extensions["eoffice.search"].index
    if isinstance(index, search.PostgresIndex):
        with index.engine.connect() as conn:
            rows = conn.scalars(sa.text(f"SELECT t::text FROM {index.table} t")).all()  # noqa: S608
        return "\n".join(rows).encode()
    root = Path(app.instance_path) / "search-index"
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def index_bytes() -> Callable[..., bytes]:
    return stored_bytes
