"""A document that becomes classified leaves every meeting pack: the reclassification hook
(audited, notifies) and a ``before_flush`` listener that catches any flush changing the secrecy.
The pack never contains a classified document either way (checked again at read time).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.db import utcnow
from eoffice.documents.models import Document
from eoffice.meetings.access import participant_users
from eoffice.meetings.materials import WITHDRAWN_REASON, withdraw_classified
from eoffice.meetings.models import Meeting, MeetingMaterial, MeetingNotification


def on_document_reclassified(document: Document, *, session: Session) -> list[int]:
    """Receiver of ``hooks.reclassified``: withdraw the document from every meeting pack
    when it is now classified, tell the secretaries (and participants after distribution),
    audit it.
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
