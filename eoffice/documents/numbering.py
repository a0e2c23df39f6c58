"""Gap-free counters: an atomic upsert that returns the new value in the caller's transaction.

The row stays locked until the caller commits, so a rollback (for example a failed seal)
returns the number: nothing is consumed, nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def number_row(session: Session, key: str, column: Any, row_id: int, *,
               values: dict[str, Any] | None = None,
               also: Sequence[Callable[[Any], sa.Update]] = ()) -> int:
    """Take the next value of ``key`` and write it into ``column`` (an ORM column attribute)
    of the row ``row_id``; ``values``: further columns that UPDATE sets (give every column
    with an ``onupdate``: it is not applied beside the WITH); ``also``: functions of the
    number (an SQL expression) giving further UPDATEs that write it elsewhere (a comment
    that mentions it).

    On PostgreSQL all in one statement (the counter's upsert and the other UPDATEs in a
    WITH), so the counter row, locked until the commit, is taken in one round trip;
    elsewhere statement by statement. The caller's loaded objects are not touched (set
    their values with ``set_committed_value``)."""
    table = column.class_.__table__
    extra = values or {}
    if session.get_bind().dialect.name != "postgresql":
        value = next_value(session, key)
        session.execute(sa.update(table).where(table.c.id == row_id)
                        .values({column.key: value, **extra}))
        for update in also:
            session.execute(update(sa.literal(value)))
        return value
    taken = (postgresql.insert(Counter).values(key=key, value=1)
             .on_conflict_do_update(index_elements=[Counter.key],
                                    set_={"value": Counter.value + 1})
             .returning(Counter.value).cte("taken"))
    number = sa.select(taken.c.value).scalar_subquery()
    statement = sa.update(table).add_cte(taken)
    for i, update in enumerate(also):
        statement = statement.add_cte(update(number).cte(f"also_{i}"))
    statement = (statement.where(table.c.id == row_id)
                 .values({column.key: number, **extra}).returning(table.c[column.key]))
    return int(session.execute(statement).scalar_one())


def peek_value(session: Session, key: str) -> int:
    """The last value handed out for ``key`` (0 when none)."""
    return session.scalar(sa.select(Counter.value).where(Counter.key == key)) or 0
