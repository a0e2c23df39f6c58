"""Domain errors: raised by operations, turned into 4xx answers by the web and API layers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from eoffice.i18n import N_


class AppError(Exception):
    """An error the user can act on. ``template`` is the Vietnamese text, a msgid of the
    message catalogue (``%(name)s`` placeholders filled from ``values``); ``message`` is it
    filled in (API answers, logs, the audit), :meth:`translated` is what a web page shows."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None,
                 values: Mapping[str, object] | None = None) -> None:
        self.template = message
        self.values = dict(values or {})
        self.message = message % self.values if self.values else message
        super().__init__(self.message)
        if code:
            self.code = code

    def translated(self) -> str:
        """The message in the request's language (values that are labels translated too)."""
        from eoffice.i18n import gettext

        values = {k: gettext(v) if isinstance(v, str) else v for k, v in self.values.items()}
        return gettext(self.template, **values)


class NotFound(AppError):
    """Also used for anything the user may not see: same answer as a missing document."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = N_("Không tìm thấy văn bản."), *, code: str | None = None,
                 values: Mapping[str, object] | None = None) -> None:
        super().__init__(message, code=code, values=values)


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Invalid(AppError):
    status = 422
    code = "invalid"


class Conflict(AppError):
    status = 409
    code = "conflict"


class AuditedRefusal(Invalid):
    """A refusal that must leave a trace in the audit log although the request's transaction
    is rolled back: the error handlers call :meth:`record` after the rollback, then commit."""

    def __init__(self, message: str, *, code: str, action: str, actor: str,
                 object_type: str, object_id: object, details: dict | None = None) -> None:
        super().__init__(message, code=code)
        self.action = action
        self.actor = actor
        self.object_type = object_type
        self.object_id = object_id
        self.details = details or {}

    def record(self, session: Session) -> None:
        from eoffice.audit import operations as audit

        audit.append(session, self.action, actor=self.actor,
                     object_type=self.object_type, object_id=self.object_id,
                     details={"code": self.code, "reason": self.message, **self.details})
