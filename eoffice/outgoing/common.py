"""Shared pieces of the outgoing flow: the workflow subject, transition checks, queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice import workflow_store
from eoffice.auth.models import User
from eoffice.documents.models import Direction, Document, Urgency
from eoffice.documents.operations import get_visible, track
from eoffice.errors import NotFound

MACHINE = workflow.OUTGOING
STATES = list(MACHINE.states)
ISSUED_STATES = ("issued", "dispatched", "recalled")


@dataclass(frozen=True)
class OutgoingSubject:
    """What the workflow guards read about an outgoing document."""

    drafter_username: str
    department_code: str
    signer_username: str | None


def subject_of(document: Document) -> OutgoingSubject:
    return OutgoingSubject(
        drafter_username=document.created_by.username,
        department_code=document.department.abbreviation,
        signer_username=document.signer.username if document.signer else None,
    )


def get_outgoing(session: Session, user: User, document_id: Any) -> Document:
    """An outgoing document the user may see (NotFound otherwise, as if it did not exist)."""
    document = get_visible(session, user, document_id)
    if document.direction is not Direction.OUTGOING:
        raise NotFound()
    return document


def history(session: Session, document: Document) -> list[workflow.Event]:
    return workflow_store.history(session, track(document, MACHINE.name))


def ensure_allowed(session: Session, document: Document, actor: User,
                   transition: str) -> workflow.Transition:
    """Check (without firing) that ``actor`` may fire ``transition`` now: 409 / 403."""
    return workflow_store.ensure_allowed(session, MACHINE, track(document, MACHINE.name), actor,
                                         transition, subject=subject_of(document))


def available_actions(session: Session, document: Document, actor: User) -> list[str]:
    """Names of the transitions ``actor`` may fire now (buttons on the document page)."""
    return workflow_store.available(session, MACHINE, track(document, MACHINE.name), actor,
                                    subject=subject_of(document))


URGENCY_ORDER = sa.case((Document.urgency == Urgency.HOA_TOC, 3),
                        (Document.urgency == Urgency.THUONG_KHAN, 2),
                        (Document.urgency == Urgency.KHAN, 1), else_=0)


def outgoing_query(user: User) -> sa.Select[Document]:
    """Outgoing documents the user may see, urgent first then newest."""
    from eoffice.documents.operations import visible_filter

    return (sa.select(Document)
            .where(Document.direction == Direction.OUTGOING, visible_filter(user))
            .order_by(URGENCY_ORDER.desc(), Document.id.desc()))


def to_sign_query(user: User) -> sa.Select[Document]:
    """The documents ``user`` is named to sign and that wait for the signature — all of them,
    filtered in SQL (no limit)."""
    return outgoing_query(user).where(Document.state == "ready_to_sign",
                                      Document.signer_id == user.id)
