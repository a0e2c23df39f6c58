"""Domain operations of paperless meetings (one import point for views, API and other
features). Operations take the acting user, flush, and never commit.

Split by concept: :mod:`access` (who sees what, workflow), :mod:`planning` (meeting,
agenda), :mod:`materials` (materials, pack), :mod:`distribution` (sign agenda, distribute),
:mod:`minutes`, :mod:`notify` (inbox, read receipts).

Reclassification hook: ``on_document_reclassified(session, document)`` — to be called by
``eoffice.documents.operations.reclassify`` after the secrecy changed. Independently, a
``before_flush`` listener withdraws the materials of a document that becomes classified in any
flush, and the pack never contains a classified document (checked at read time).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.db import utcnow
from eoffice.documents.models import Document
from eoffice.meetings.access import (
    available,
    get_meeting,
    history,
    participant_users,
    role_in,
    visible_meetings,
)
from eoffice.meetings.distribution import cancel, distribute, hold, sign_agenda
from eoffice.meetings.materials import (
    WITHDRAWN_REASON,
    MaterialRefused,
    active_materials,
    add_document,
    add_working_paper,
    build_pack,
    get_material,
    is_signed_or_issued,
    material_bytes,
    record_refusal,
    remove,
    withdraw_classified,
)
from eoffice.meetings.minutes import (
    distribute_minutes,
    may_read_minutes,
    minutes_of,
    record_minutes,
    sign_minutes,
)
from eoffice.meetings.models import Meeting, MeetingMaterial, MeetingNotification
from eoffice.meetings.notify import notifications_for, openings, record_opening
from eoffice.meetings.planning import MeetingInput, create_meeting, set_agenda, update_details

__all__ = [
    "MaterialRefused", "MeetingInput", "active_materials", "add_document", "add_working_paper",
    "available", "build_pack", "cancel", "create_meeting", "distribute", "distribute_minutes",
    "get_material", "get_meeting", "history", "hold", "is_signed_or_issued", "material_bytes",
    "may_read_minutes", "minutes_of", "notifications_for", "on_document_reclassified",
    "openings", "participant_users", "record_minutes", "record_opening", "record_refusal",
    "remove", "role_in", "set_agenda", "sign_agenda", "sign_minutes", "update_details",
    "visible_meetings", "withdraw_classified",
]


def on_document_reclassified(session: Session, document: Document) -> list[int]:
    """Hook for ``reclassify``: withdraw the document from every meeting pack when it is now
    classified, tell the secretaries (and participants after distribution), audit it.
    Returns the ids of the meetings concerned. Safe to call more than once."""
    if not document.is_classified:
        return []
    session.flush()  # lets the before_flush listener withdraw first
    meetings = session.scalars(sa.select(Meeting).where(Meeting.id.in_(
        sa.select(MeetingMaterial.meeting_id).where(
            MeetingMaterial.document_id == document.id)))).all()
    for meeting in meetings:
        withdraw_classified(session, meeting)  # anything the listener did not see
        audit.append(session, "meeting.material_withdrawn_classified", object_type="meeting",
                     object_id=meeting.id, details={"document_id": document.id})
    return [m.id for m in meetings]


@event.listens_for(Session, "before_flush")
def _withdraw_reclassified(session: Session, _context: object, _instances: object) -> None:
    """A document becoming classified leaves every meeting pack in the same flush (no audit
    here: the flush is under way; ``reclassify`` audits the change itself)."""
    ids = [obj.id for obj in session.dirty
           if isinstance(obj, Document) and obj.id is not None and obj.is_classified
           and sa.inspect(obj).attrs.secrecy.history.has_changes()]
    if not ids:
        return
    materials = session.scalars(sa.select(MeetingMaterial).where(
        MeetingMaterial.document_id.in_(ids), MeetingMaterial.withdrawn_at.is_(None))).all()
    for material in materials:
        meeting = session.get(Meeting, material.meeting_id)
        if meeting is None:
            continue
        material.withdrawn_at = utcnow()
        material.withdrawn_reason = WITHDRAWN_REASON
        users = {meeting.secretary_id}
        if meeting.distributed_at is not None:
            users |= {u.id for u in participant_users(session, meeting)} | {meeting.chair_id}
        for user_id in sorted(users):
            message = (f"Một tài liệu của cuộc họp “{meeting.title}” đã được rút khỏi bộ tài "
                       "liệu vì văn bản đã được xác định là văn bản mật.")
            if user_id == meeting.secretary_id:
                message += " Hãy kiểm tra lại bộ tài liệu."
            session.add(MeetingNotification(meeting_id=meeting.id, user_id=user_id,
                                            message=message))
