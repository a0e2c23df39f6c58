"""The workflow store: where every machine of ``workflow`` keeps its history, in one place.

Each event table (documents, meetings, exchange deliveries) has the columns of
:class:`EventRow`. A :class:`Track` names one subject's history inside such a table and the
object whose cached state follows it; :func:`history` reads it, :func:`ensure_allowed` checks
a transition without firing it, :func:`fire` fires one (event row, cached state, audit
entry), and :func:`journal` writes an entry that moves no machine (a progress note, a
reminder). :func:`refusals` is the one place where a workflow refusal becomes the domain
error: 409 ``transition_not_allowed`` in the wrong state, 403 ``not_allowed`` for an actor a
guard refuses.

Operations flush and never commit; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

import workflow
from eoffice.db import utcnow
from eoffice.errors import Conflict, Forbidden, Invalid

_UNLOADED = object()
"""What ``vars(holder)`` gives for a state not loaded (read without loading it)."""


class EventRow:
    """The columns of every workflow event table (a declarative mixin): one fired transition
    of one subject, append-only; the subject's state follows from its rows."""

    id: Mapped[int] = mapped_column(primary_key=True)
    transition: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    actor: Mapped[str] = mapped_column(sa.String(128))
    """The actor's username (or, for a status reported by another agency, its code)."""
    at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    def as_event(self) -> workflow.Event:
        return workflow.Event(transition=self.transition, from_state=self.from_state,
                              to_state=self.to_state, actor=self.actor, at=self.at,
                              comment=self.comment or "")


@dataclass
class Track:
    """One subject's history: its rows in ``model`` (those matching ``key``), the ``holder``
    whose ``attribute`` caches the current state, and how its events are audited
    (``{action}.{transition}`` about ``object_type``/``object_id``)."""

    model: type[EventRow]
    key: Mapping[str, Any]
    holder: Any
    object_type: str
    object_id: int | None
    """None: the holder's own id (read after the flush that gives it one)."""
    action: str
    attribute: str = "state"
    collection: list[Any] | None = None
    """The holder's relationship list of rows: read as the history, new rows appended to it
    (else the rows are queried by ``key`` and added to the session)."""
    columns: dict[str, Any] = field(default_factory=dict)
    """Further columns of a new row (e.g. the actor's display name)."""
    fresh: bool = False
    """The subject was created in this transaction: no history yet (none is read)."""

    def query(self) -> sa.Select[Any]:
        return (sa.select(self.model)
                .where(*(getattr(self.model, k) == v for k, v in self.key.items()))
                .order_by(self.model.id))

    def new_row(self, event: workflow.Event, **columns: Any) -> EventRow:
        return self.model(**self.key, **self.columns, **columns,  # type: ignore[call-arg]
                          transition=event.transition, from_state=event.from_state,
                          to_state=event.to_state, actor=event.actor,
                          at=event.at.replace(tzinfo=None), comment=event.comment)


@contextmanager
def refusals(comment_code: str | None = None) -> Iterator[None]:
    """A workflow refusal as the domain error, for every machine: a transition impossible in
    the current state is 409 ``transition_not_allowed``, one this actor may not fire (a failed
    guard) is 403 ``not_allowed``; a missing comment is a failed guard too unless
    ``comment_code`` makes it bad input (422 with that code)."""
    try:
        yield
    except workflow.TransitionNotAllowed as exc:
        raise Conflict(str(exc), code="transition_not_allowed") from exc
    except workflow.CommentRequired as exc:
        if comment_code:
            raise Invalid(str(exc), code=comment_code) from exc
        raise Forbidden(str(exc), code="not_allowed") from exc
    except workflow.GuardFailed as exc:
        raise Forbidden(str(exc), code="not_allowed") from exc


def history(session: Session, track: Track) -> list[workflow.Event]:
    """The subject's events, oldest first."""
    if track.fresh and track.collection is None:
        return []
    rows = track.collection if track.collection is not None else session.scalars(track.query())
    return [row.as_event() for row in rows]


def state_of(session: Session, machine: workflow.Machine, track: Track) -> str:
    return machine.state_of(history(session, track))


def ensure_allowed(session: Session, machine: workflow.Machine, track: Track, actor: Any,
                   transition: str, *, subject: Any = None) -> workflow.Transition:
    """Check (without firing) that ``actor`` may fire ``transition`` now: else 409 / 403.
    ``subject`` is what the guards read (default: the holder)."""
    with refusals():
        return machine.check(_subject(track, subject), actor, transition,
                             history(session, track))


def can(session: Session, machine: workflow.Machine, track: Track, actor: Any,
        transition: str, *, subject: Any = None) -> bool:
    """Whether ``actor`` may fire ``transition`` now."""
    return machine.can(_subject(track, subject), actor, transition, history(session, track))


def available(session: Session, machine: workflow.Machine, track: Track, actor: Any, *,
              subject: Any = None) -> list[str]:
    """Names of the transitions ``actor`` may fire now (the buttons of a page)."""
    found = machine.available(_subject(track, subject), actor, history(session, track))
    return list(dict.fromkeys(t.name for t in found))


def fire(session: Session, machine: workflow.Machine, track: Track, actor: Any,
         transition: str, *, comment: str = "", at: datetime | None = None,
         subject: Any = None, details: Mapping[str, Any] | None = None,
         comment_code: str | None = None, also: Sequence[Any] = (),
         **columns: Any) -> EventRow:
    """Fire ``transition``: append its event row, update the cached state, audit it.
    Refusals become 409/403 (see :func:`refusals`). ``columns`` go into the new row;
    ``also``: further new objects, added once the transition is allowed and flushed with
    the row (one flush, not one more each)."""
    with refusals(comment_code):
        event = machine.fire(_subject(track, subject), actor, transition,
                             history(session, track), comment=comment, at=at or utcnow())
    row = _append(session, track, track.new_row(event, **columns))
    if vars(track.holder).get(track.attribute, _UNLOADED) != event.to_state:
        # (the same value set again would make the holder a part of the flush for nothing)
        setattr(track.holder, track.attribute, event.to_state)
    session.add_all(also)
    session.flush()
    from eoffice.audit import operations as audit

    audit.append(session, f"{track.action}.{event.transition}", actor=actor,
                 object_type=track.object_type,
                 object_id=track.holder.id if track.object_id is None else track.object_id,
                 details={"from": event.from_state, "to": event.to_state,
                          "comment": event.comment, **(details or {})})
    return row


def journal(session: Session, track: Track, actor: Any, entry: str, comment: str, *,
            from_state: str = "", to_state: str = "") -> EventRow:
    """An entry of the subject's history that fires no machine (a progress note, a
    reminder, who was assigned): kept beside the events under its own ``track.key``."""
    event = workflow.Event(transition=entry, from_state=from_state, to_state=to_state,
                           actor=str(getattr(actor, "username", actor)), at=utcnow(),
                           comment=comment)
    return _append(session, track, track.new_row(event))


def _append(session: Session, track: Track, row: EventRow) -> EventRow:
    if track.collection is not None:
        track.collection.append(row)
    else:
        session.add(row)
    return row


def _subject(track: Track, subject: Any) -> Any:
    return track.holder if subject is None else subject
