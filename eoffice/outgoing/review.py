"""Review: submit, content approval (head of the drafting department), format approval
(clerk), reject with a comment back to the draft."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eoffice.auth.models import User
from eoffice.documents.models import Document
from eoffice.documents.operations import fire
from eoffice.errors import Invalid
from eoffice.outgoing.common import MACHINE, ensure_allowed, subject_of


def submit(session: Session, document: Document, actor: User, comment: str = "") -> str:
    fire(session, MACHINE, document, actor, "submit", comment=comment,
         subject=subject_of(document))
    return document.state


def approve(session: Session, document: Document, actor: User, comment: str = "") -> str:
    event = fire(session, MACHINE, document, actor, "approve", comment=comment,
                 subject=subject_of(document))
    if event.to_state == "format_review":
        document.grant("role:clerk")  # the clerks now check the format
    return document.state


def reject(session: Session, document: Document, actor: User, comment: str) -> str:
    ensure_allowed(session, document, actor, "reject")
    if not (comment or "").strip():
        raise Invalid("Hãy ghi ý kiến (lý do trả lại).", code="comment_required")
    fire(session, MACHINE, document, actor, "reject", comment=comment,
         subject=subject_of(document))
    return document.state
