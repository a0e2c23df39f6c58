"""Dashboard panels fed by incoming work (urgent first; only what the user may see)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from eoffice import settings
from eoffice.db import db
from eoffice.documents.models import URGENCY_LABELS, Document, Urgency
from eoffice.documents.reads import new_documents
from eoffice.i18n import gettext as _
from eoffice.incoming import inbox
from eoffice.web.dashboard import PanelItem, panel_provider
from eoffice.web.display import vndate


def _doc_item(document: Document, subtitle: str = "") -> PanelItem:
    urgency = Urgency(document.urgency)
    return PanelItem(
        title=_("Số đến %(n)s: %(subject)s", n=document.arrival_number,
                subject=document.subject),
        url=url_for("incoming.show", document_id=document.id),
        subtitle=subtitle or document.issuer_name, urgent=urgency.is_urgent,
        badge=URGENCY_LABELS[urgency] if urgency.is_urgent else "", document_id=document.id)


def _work_items(items: list[inbox.WorkItem]) -> list[PanelItem]:
    out = []
    for item in items:
        a = item.assignment
        deadline = (_("hạn %(date)s", date=a.deadline.strftime("%d/%m/%Y"))
                    if a and a.deadline else "")
        out.append(_doc_item(item.document, " · ".join(
            p for p in (a.handler_label if a else "", deadline) if p)))
    return out


@panel_provider("to_direct")
def to_direct(user: Any) -> list[PanelItem]:
    return [_doc_item(d) for d in inbox.to_direct(db.session, user)]


@panel_provider("to_assign")
def to_assign(user: Any) -> list[PanelItem]:
    return _work_items(inbox.to_assign(db.session, user))


@panel_provider("my_work")
def my_work(user: Any) -> list[PanelItem]:
    today = settings.today()
    return _work_items(inbox.inbox(db.session, user, "pending", today)
                       + inbox.inbox(db.session, user, "in_progress", today))


@panel_provider("overdue")
def overdue(user: Any) -> list[PanelItem]:
    return _work_items(inbox.overdue(db.session, user, settings.today()))


@panel_provider("recent_incoming")
def recent_incoming(user: Any) -> list[PanelItem]:
    """The clerk's latest registrations, so a mistake is caught the same day."""
    import sqlalchemy as sa

    from eoffice.documents.models import Direction
    from eoffice.documents.operations import visible_filter

    documents = db.session.scalars(
        sa.select(Document).where(Document.direction == Direction.INCOMING,
                                  Document.created_by_id == user.id, visible_filter(user))
        .order_by(Document.id.desc()).limit(10)).all()
    return [_doc_item(d, _("%(issuer)s · vào sổ %(date)s", issuer=d.issuer_name,
                           date=vndate(d.arrival_date)))
            for d in documents]


def my_work_ids(user: Any) -> set[int]:
    """The incoming documents waiting for the user: to direct, to assign, to handle."""
    from eoffice.auth.models import Role

    today = settings.today()
    items = (inbox.inbox(db.session, user, "pending", today)
             + inbox.inbox(db.session, user, "in_progress", today))
    if user.has_role(Role.HEAD):
        items += inbox.to_assign(db.session, user)
    ids = {item.document.id for item in items}
    if user.has_role(Role.LEADER):
        ids |= {d.id for d in inbox.to_direct(db.session, user)}
    return ids


def new_incoming(user: Any) -> int:
    return len(new_documents(db.session, user, my_work_ids(user)))
