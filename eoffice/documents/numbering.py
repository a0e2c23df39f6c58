"""Gap-free counters: an atomic upsert that returns the new value in the caller's transaction.

The row stays locked until the caller commits, so a rollback (for example a failed seal)
returns the number: nothing is consumed, nothing is skipped.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eoffice.documents.models import Counter


def next_value(session: Session, key: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(Counter).values(key=key, value=1).on_conflict_do_update(
        index_elements=[Counter.key], set_={"value": Counter.value + 1})
    return int(session.execute(upsert.returning(Counter.value)).scalar_one())


def peek_value(session: Session, key: str) -> int:
    """The last value handed out for ``key`` (0 when none)."""
    return session.scalar(sa.select(Counter.value).where(Counter.key == key)) or 0
