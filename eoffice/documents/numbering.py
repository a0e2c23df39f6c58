"""Gap-free counters: an atomic upsert that returns the new value in the caller's transaction.

The row stays locked until the caller commits, so a rollback (for example a failed seal)
returns the number: nothing is consumed, nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, cast

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


NumberUpdate = Callable[[Any, Any], sa.Update]
"""A further UPDATE that writes the number elsewhere: a function of the number and of the
numbered row's id (SQL expressions); a module-level function, so that the statement it is
part of is built once."""


def number_row(session: Session, key: str, column: Any, row_id: int, *,
               values: dict[str, Any] | None = None,
               also: Sequence[NumberUpdate] = ()) -> int:
    """Take the next value of ``key`` and write it into ``column`` (an ORM column attribute)
    of the row ``row_id``; ``values``: further columns that UPDATE sets (give every column
    with an ``onupdate``: it is not applied beside the WITH); ``also``: functions of the
    number and the row id (SQL expressions) giving further UPDATEs that write the number
    elsewhere (a comment that mentions it).

    On PostgreSQL all in one statement (the counter's upsert and the other UPDATEs in a
    WITH), so the counter row, locked until the commit, is taken in one round trip — a
    statement built once per form and executed with parameters; elsewhere statement by
    statement. The caller's loaded objects are not touched (set their values with
    ``set_committed_value``)."""
    table = column.class_.__table__
    extra = values or {}
    if session.get_bind().dialect.name != "postgresql":
        value = next_value(session, key)
        session.execute(sa.update(table).where(table.c.id == row_id)
                        .values({column.key: value, **extra}))
        for update in also:
            session.execute(update(sa.literal(value), sa.literal(row_id)))
        return value
    statement = _numbering_statement(table, column.key, tuple(sorted(extra)), tuple(also))
    params = {f"value_{name}": value for name, value in extra.items()}
    return int(session.execute(statement, {"counter_key": key, "row_id": row_id, **params})
               .scalar_one())


_COUNTERS = cast(sa.Table, Counter.__table__)


@lru_cache(maxsize=64)
def _numbering_statement(table: sa.Table, column: str, value_names: tuple[str, ...],
                         also: tuple[NumberUpdate, ...]) -> sa.Update:
    """PostgreSQL: the counter's upsert, the row's UPDATE and the ``also`` UPDATEs as one
    statement with the parameters ``counter_key``, ``row_id`` and ``value_<name>``."""
    taken = (postgresql.insert(_COUNTERS).values(key=sa.bindparam("counter_key"), value=1)
             .on_conflict_do_update(index_elements=[_COUNTERS.c.key],
                                    set_={"value": _COUNTERS.c.value + 1})
             .returning(_COUNTERS.c.value).cte("taken"))
    number = sa.select(taken.c.value).scalar_subquery()
    row_id = sa.bindparam("row_id", type_=table.c.id.type)
    statement = sa.update(table).add_cte(taken)
    for i, update in enumerate(also):
        statement = statement.add_cte(update(number, row_id).cte(f"also_{i}"))
    values = {name: sa.bindparam(f"value_{name}", type_=table.c[name].type)
              for name in value_names}
    return (statement.where(table.c.id == row_id)
            .values({column: number, **values}).returning(table.c[column]))


def peek_value(session: Session, key: str) -> int:
    """The last value handed out for ``key`` (0 when none)."""
    return session.scalar(sa.select(Counter.value).where(Counter.key == key)) or 0
