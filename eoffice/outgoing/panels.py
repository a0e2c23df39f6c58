"""Dashboard panels: my drafts, content/format review, to sign, to issue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import url_for

from eoffice.db import db
from eoffice.documents.models import Document
from eoffice.documents.reads import new_documents
from eoffice.i18n import gettext as _
from eoffice.outgoing.common import MACHINE, outgoing_query, to_sign_query
from eoffice.outgoing.editing import last_rejection
from eoffice.web.dashboard import PanelItem, panel_provider
from eoffice.web.display import URGENCY_LABELS, full_name


def _items(query: Any) -> list[PanelItem]:
    return _items_of(list(db.session.scalars(query.limit(50)).all()))


@panel_provider("my_drafts")
def my_drafts(user: Any) -> list[PanelItem]:
    """The drafter's drafts; those sent back by a reviewer come first, flagged, with the
    reviewer's comment."""
    query = outgoing_query(user).where(Document.created_by_id == user.id,
                                       Document.state == "draft")
    docs = db.session.scalars(query.limit(50)).all()
    returned, fresh = [], []
    for d in docs:
        rejection = last_rejection(db.session, d)
        if rejection is None:
            fresh.append(d)
            continue
        returned.append(PanelItem(
            title=d.subject, url=url_for("outgoing.edit", document_id=d.id),
            subtitle=f"{d.type_name} · {full_name(rejection.actor)}: “{rejection.comment}”",
            urgent=True, badge=_("Bị trả lại"), document_id=d.id))
    return returned + _items_of(fresh)


def _items_of(docs: Sequence[Document],
              subtitle: Callable[[Document], str] | None = None) -> list[PanelItem]:
    """Panel rows of outgoing documents; ``subtitle`` defaults to type name · state."""
    def state_line(d: Document) -> str:
        return f"{d.type_name} · {_(MACHINE.label(d.state))}"

    line = subtitle or state_line
    return [PanelItem(title=d.subject, url=url_for("outgoing.show", document_id=d.id),
                      subtitle=line(d),
                      urgent=d.urgency.is_urgent,
                      badge=URGENCY_LABELS[d.urgency.value] if d.urgency.is_urgent else "",
                      document_id=d.id)
            for d in docs]


@panel_provider("content_review")
def content_review(user: Any) -> list[PanelItem]:
    return _items(outgoing_query(user).where(Document.state == "content_review",
                                             Document.department_id == user.department_id))


@panel_provider("format_review")
def format_review(user: Any) -> list[PanelItem]:
    return _items(outgoing_query(user).where(Document.state == "format_review"))


@panel_provider("to_sign")
def to_sign(user: Any) -> list[PanelItem]:
    docs = db.session.scalars(to_sign_query(user)).all()
    return [PanelItem(title=d.subject, url=url_for("outgoing.show", document_id=d.id),
                      subtitle=d.type_name, urgent=d.urgency.is_urgent, document_id=d.id)
            for d in docs]


@panel_provider("to_issue")
def to_issue(user: Any) -> list[PanelItem]:
    return _items(outgoing_query(user).where(Document.state == "signed"))


@panel_provider("received")
def received(user: Any) -> list[PanelItem]:
    """Issued documents another unit dispatched to the user's department."""
    from eoffice.outgoing.dispatch import received_query

    docs = db.session.scalars(received_query(user).limit(50)).all()
    return _items_of(docs, lambda d: f"{d.code or d.type_name} · {d.department.name}")


def waiting_ids(user: Any) -> set[int]:
    """The outgoing documents waiting for the user: to sign, to review, to issue, and the
    user's own drafts (new again when a reviewer sends one back)."""
    from eoffice.auth.models import Role

    def ids(query: Any) -> set[int]:
        return set(db.session.scalars(query.with_only_columns(Document.id)
                                      .order_by(None).limit(500)))

    found = ids(to_sign_query(user))
    found |= ids(outgoing_query(user).where(Document.created_by_id == user.id,
                                            Document.state == "draft"))
    if user.has_role(Role.HEAD):
        found |= ids(outgoing_query(user).where(
            Document.state == "content_review", Document.department_id == user.department_id))
    if user.has_role(Role.CLERK):
        found |= ids(outgoing_query(user).where(Document.state.in_(["format_review",
                                                                    "signed"])))
    return found


def new_outgoing(user: Any) -> int:
    return len(new_documents(db.session, user, waiting_ids(user)))


def new_received(user: Any) -> int:
    from eoffice.outgoing.dispatch import received_query

    query = received_query(user).with_only_columns(Document.id).order_by(None).limit(500)
    return len(new_documents(db.session, user, db.session.scalars(query)))
