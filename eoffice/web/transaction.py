"""The transaction boundary: one commit per request, for the web pages and the API alike.

Views and operations never commit. After the view (or an error handler) has produced the
response, :func:`finish_request` commits the request's unit of work once; a read-only view
(:func:`read_only`) rolls back instead, and a read-only view that wrote raises. A domain
error (:class:`~eoffice.errors.AppError`) is undone in one place, :func:`undo`: rollback,
then an audited refusal is recorded (and committed by the boundary). Web forms that show
the error on the page call :func:`flash_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, flash, request
from flask.typing import ResponseReturnValue
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from eoffice.audit import operations as audit
from eoffice.db import db
from eoffice.errors import AppError, AuditedRefusal

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])
READ_ONLY = "eoffice_read_only"
_WROTE = "eoffice.wrote"


def read_only(view: F) -> F:
    """Mark a view that only reads: its transaction is rolled back, never committed."""
    setattr(view, READ_ONLY, True)
    return view


def undo(exc: BaseException) -> None:
    """Roll back the request's work after an error; an audited refusal is then recorded in
    the fresh transaction (the boundary commits it)."""
    db.session.rollback()
    if isinstance(exc, AuditedRefusal):
        exc.record(db.session)


def flash_error(exc: AppError) -> None:
    """Web forms: undo the work and show the domain error's message on the next page."""
    undo(exc)
    flash(exc.translated(), "error")


def _is_read_only() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, READ_ONLY, False))


def finish_request(response: Response) -> Response:
    """Commit once (or roll back a read-only request); a failing commit becomes a 500."""
    session = db.session()
    if _is_read_only():
        wrote = session.info.pop(_WROTE, False) or audit.has_pending(session)
        session.rollback()
        if wrote:
            raise RuntimeError(f"read-only view {request.endpoint} wrote to the database")
    else:
        session.info.pop(_WROTE, None)
        session.commit()
    return response


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def wrote_in_request(session: Session) -> bool:
    """Whether the request's transaction has flushed a write (see :func:`_note_write`) or
    has audit entries to write at its commit."""
    return bool(session.info.get(_WROTE)) or audit.has_pending(session)


def init_app(app: Flask) -> None:
    app.after_request(finish_request)
