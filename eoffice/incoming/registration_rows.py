"""The rows of one registration, written with Core statements (no unit of work).

A registration inserts a fixed set of rows: the document (with its arrival number), its
access keys, its received file, its registration event and its search outbox row. They are
known in full before the first write, so they go in as plain INSERTs — on PostgreSQL as one
statement (the counter's upsert and every INSERT in a WITH, each child taking the new
document's id from ``INSERT … RETURNING``), elsewhere statement by statement. No ORM object
is created: the caller loads the document if it needs it (see
:class:`eoffice.incoming.registration.Registration`).

The counter row stays locked until the caller commits, so a rollback returns the number
(see :mod:`eoffice.documents.numbering`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from eoffice.documents.models import (
    Counter,
    Document,
    DocumentAccess,
    DocumentEvent,
    DocumentFile,
    SearchOutbox,
)
from eoffice.documents.numbering import next_value

ARRIVAL_COMMENT = "Số đến "
"""The registration event's comment, before its arrival number."""

_COUNTERS = cast(sa.Table, Counter.__table__)
_DOCUMENTS = cast(sa.Table, Document.__table__)
_ACCESS = cast(sa.Table, DocumentAccess.__table__)
_FILES = cast(sa.Table, DocumentFile.__table__)
_EVENTS = cast(sa.Table, DocumentEvent.__table__)
_OUTBOX = cast(sa.Table, SearchOutbox.__table__)


@dataclass(frozen=True)
class RegistrationRows:
    """What one registration inserts: each mapping holds a row's values, the columns left
    out get their Python-side defaults. The id, the document id a row refers to and the
    values that come from the arrival number (the document's ``arrival_number``, the
    event's ``comment``) are filled here."""

    counter_key: str
    document: Mapping[str, Any]
    access_keys: tuple[str, ...]
    event: Mapping[str, Any]
    file: Mapping[str, Any] | None
    outbox: Mapping[str, Any]


def insert(session: Session, rows: RegistrationRows) -> tuple[int, int]:
    """Insert the rows; returns the new document's id and its arrival number."""
    document = _complete(_DOCUMENTS, rows.document, "arrival_number")
    event = _complete(_EVENTS, rows.event, "document_id", "comment")
    file = None if rows.file is None else _complete(_FILES, rows.file, "document_id")
    outbox = _complete(_OUTBOX, rows.outbox, "document_id")
    if session.get_bind().dialect.name == "postgresql":
        return _insert_postgres(session, rows.counter_key, document, rows.access_keys, event,
                                file, outbox)
    number = next_value(session, rows.counter_key)
    document_id = session.execute(sa.insert(_DOCUMENTS).returning(_DOCUMENTS.c.id), {
        **document, "arrival_number": number}).scalar_one()
    session.execute(sa.insert(_ACCESS),
                    [{"document_id": document_id, "key": key} for key in rows.access_keys])
    if file is not None:
        session.execute(sa.insert(_FILES), {**file, "document_id": document_id})
    session.execute(sa.insert(_EVENTS), {**event, "document_id": document_id,
                                         "comment": ARRIVAL_COMMENT + str(number)})
    session.execute(sa.insert(_OUTBOX), {**outbox, "document_id": document_id})
    return int(document_id), number


def _complete(table: sa.Table, values: Mapping[str, Any], *filled: str) -> dict[str, Any]:
    """``values`` with the Python-side defaults of the table's other columns (not its id
    nor the ``filled`` ones): every value explicit, as the ORM would have sent it."""
    row = dict(values)
    for name, default in _defaults(table, filled):
        if name not in row:
            row[name] = (None if default is None else
                         default.arg(None) if default.is_callable else default.arg)
    return row


@lru_cache(maxsize=16)
def _defaults(table: sa.Table, filled: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """The table's columns given a value by :func:`_complete`, with their default (None:
    NULL)."""
    return tuple((column.key, column.default) for column in table.columns
                 if column.key != "id" and column.key not in filled)


def _insert_postgres(session: Session, counter_key: str, document: dict[str, Any],
                     access_keys: tuple[str, ...], event: dict[str, Any],
                     file: dict[str, Any] | None, outbox: dict[str, Any]) -> tuple[int, int]:
    statement = _one_statement(tuple(document), access_keys, tuple(event),
                               None if file is None else tuple(file), tuple(outbox))
    params = {"counter_key": counter_key,
              **_prefixed("document", document), **_prefixed("event", event),
              **_prefixed("file", file or {}), **_prefixed("outbox", outbox)}
    document_id, number = session.execute(statement, params).one()
    return int(document_id), int(number)


def _prefixed(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{name}": value for name, value in values.items()}


@lru_cache(maxsize=16)
def _one_statement(document: tuple[str, ...], access_keys: tuple[str, ...],
                   event: tuple[str, ...], file: tuple[str, ...] | None,
                   outbox: tuple[str, ...]) -> sa.Select[Any]:
    """PostgreSQL: the registration as one statement, built once per set of column names;
    parameters ``counter_key`` and ``<row>_<column>``. Its parts (WITH):

    taken     the counter's upsert: the arrival number (the row locked until the commit)
    document  INSERT … SELECT the values and the number, RETURNING id, arrival_number
    access, file, event, outbox  INSERT … SELECT from ``document`` (its id)

    and it returns the document's id and number."""
    taken = (postgresql.insert(_COUNTERS).values(key=sa.bindparam("counter_key"), value=1)
             .on_conflict_do_update(index_elements=[_COUNTERS.c.key],
                                    set_={"value": _COUNTERS.c.value + 1})
             .returning(_COUNTERS.c.value).cte("taken"))
    new = (sa.insert(_DOCUMENTS)
           .from_select([*document, "arrival_number"],
                        sa.select(*_params(_DOCUMENTS, "document", document), taken.c.value),
                        include_defaults=False)
           .returning(_DOCUMENTS.c.id, _DOCUMENTS.c.arrival_number).cte("document"))

    def child(table: sa.Table, prefix: str, names: tuple[str, ...], *more: Any) -> sa.CTE:
        """An INSERT of one row referring to the new document."""
        extra = [name for name, _ in more]
        return (sa.insert(table)
                .from_select([*names, "document_id", *extra],
                             sa.select(*_params(table, prefix, names), new.c.id,
                                       *(value for _, value in more)),
                             include_defaults=False)
                .cte(prefix))

    comment = sa.literal(ARRIVAL_COMMENT) + sa.cast(new.c.arrival_number, sa.String)
    parts = [child(_EVENTS, "event", event, ("comment", comment)),
             child(_OUTBOX, "outbox", outbox)]
    if file is not None:
        parts.append(child(_FILES, "file", file))
    access = sa.union_all(*(sa.select(new.c.id, sa.literal(key, _ACCESS.c.key.type))
                            for key in access_keys))
    parts.append(sa.insert(_ACCESS).from_select(["document_id", "key"], access).cte("access"))
    return sa.select(new.c.id, new.c.arrival_number).add_cte(*parts)


def _params(table: sa.Table, prefix: str, names: tuple[str, ...]) -> list[Any]:
    """The typed parameters ``<prefix>_<name>`` of the table's columns ``names``."""
    return [sa.bindparam(f"{prefix}_{name}", type_=table.c[name].type) for name in names]
