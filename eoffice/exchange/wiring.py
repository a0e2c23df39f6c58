"""The exchange's hooks into the rest of the app (dispatch, recall, the document page)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import Session

from eoffice.auth.models import Agency, User
from eoffice.db import db
from eoffice.documents.models import Document
from eoffice.exchange import deliveries, service


def on_dispatched(document: Document, *, session: Session, actor: User,
                  codes: list[str]) -> None:
    deliveries.send(session, document, actor, codes, service.send_context())


def on_recalled(document: Document, *, session: Session, actor: User, reason: str) -> int:
    if not deliveries.sent_deliveries(session, document):
        return 0
    return len(deliveries.recall(session, document, actor, reason))


def deliveries_for_page(document: Document) -> list[Any]:
    """The sender's view: every recipient agency with its status history."""
    return deliveries.sent_deliveries(db.session, document)


def agencies_for_dispatch(document: Document) -> list[Agency]:
    """Other agencies of the deployment, offered as recipients on the dispatch form."""
    if not current_user.is_authenticated:
        return []
    own = current_user.department.agency_id
    return list(db.session.scalars(sa.select(Agency).where(Agency.id != own)
                                   .order_by(Agency.agency_code)))
