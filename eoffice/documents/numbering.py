"""Gap-free counters: an atomic upsert that returns the new value in the caller's transaction.

The row stays locked until the caller commits, so a rollback (for example a failed seal)
returns the number: nothing is consumed, nothing is skipped.
"""

from __future__ import annotations

from typing import Any

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


def number_row(session: Session, key: str, column: Any, row_id: int, **values: Any) -> int:
    """Take the next value of ``key`` and write it into ``column`` (an ORM column attribute)
    of the row ``row_id``: on PostgreSQL in one statement (the counter's upsert in a WITH,
    the row's UPDATE reading it), so the counter row stays locked (until the commit) for
    one round trip less than with two; elsewhere the upsert and the UPDATE. ``values``: further columns the UPDATE
    sets (give every column with an ``onupdate``: it is not applied beside the WITH). The
    caller's objects are not touched (set the loaded values with ``set_committed_value``)."""
    table = column.class_.__table__
    if session.get_bind().dialect.name != "postgresql":
        value = next_value(session, key)
        session.execute(sa.update(table).where(table.c.id == row_id)
                        .values({column.key: value, **values}))
        return value
    taken = (postgresql.insert(Counter).values(key=key, value=1)
             .on_conflict_do_update(index_elements=[Counter.key],
                                    set_={"value": Counter.value + 1})
             .returning(Counter.value).cte("taken"))
    update = (sa.update(table).add_cte(taken).where(table.c.id == row_id)
              .values({column.key: sa.select(taken.c.value).scalar_subquery(), **values})
              .returning(table.c[column.key]))
    return int(session.execute(update).scalar_one())


def peek_value(session: Session, key: str) -> int:
    """The last value handed out for ``key`` (0 when none)."""
    return session.scalar(sa.select(Counter.value).where(Counter.key == key)) or 0
