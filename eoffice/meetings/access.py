"""Who may see a meeting, who takes part in it, and the workflow bridge.

The secretary and the chair see their meeting at every stage; participants see it once it
has been distributed. Anyone else gets the same 404 as for a meeting that does not exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice import workflow_store
from eoffice.auth.models import User
from eoffice.errors import Forbidden, NotFound
from eoffice.meetings.models import Meeting, MeetingEvent, MeetingParticipant

MACHINE = workflow.MEETING
NOT_FOUND = "Không tìm thấy cuộc họp."


def participant_users(session: Session, meeting: Meeting) -> list[User]:
    """Every active user taking part: named users and the members of named departments
    (the chair and the secretary are not included unless named)."""
    user_ids = {p.user_id for p in meeting.participants if p.user_id is not None}
    dept_ids = {p.department_id for p in meeting.participants if p.department_id is not None}
    if not user_ids and not dept_ids:
        return []
    query = sa.select(User).where(User.active.is_(True), sa.or_(
        User.id.in_(user_ids or {-1}), User.department_id.in_(dept_ids or {-1})))
    return list(session.scalars(query.order_by(User.full_name)).unique())


def is_participant(session: Session, meeting: Meeting, user: User) -> bool:
    for p in meeting.participants:
        if p.user_id == user.id or (p.department_id is not None
                                    and p.department_id == user.department_id):
            return True
    return False


def role_in(session: Session, meeting: Meeting, user: User) -> str | None:
    """``secretary``, ``chair``, ``participant`` or None (may not see the meeting)."""
    if meeting.secretary_id == user.id:
        return "secretary"
    if meeting.chair_id == user.id:
        return "chair"
    if meeting.distributed_at is not None and is_participant(session, meeting, user):
        return "participant"
    return None


def get_meeting(session: Session, user: User, meeting_id: Any) -> Meeting:
    """The meeting if ``user`` may see it, else NotFound (same as a missing meeting)."""
    try:
        mid = int(meeting_id)
    except (TypeError, ValueError):
        raise NotFound(NOT_FOUND) from None
    meeting = session.get(Meeting, mid)
    if (meeting is None or meeting.agency_id != user.agency_id
            or role_in(session, meeting, user) is None):
        raise NotFound(NOT_FOUND)
    return meeting


def require_secretary(meeting: Meeting, user: User) -> None:
    if meeting.secretary_id != user.id:
        raise Forbidden("Chỉ thư ký cuộc họp được thực hiện thao tác này.")


def visible_meetings(user: User) -> sa.Select[Meeting]:
    """Meetings the user runs, chairs, or (once distributed) takes part in."""
    part = sa.select(MeetingParticipant.meeting_id).where(sa.or_(
        MeetingParticipant.user_id == user.id,
        MeetingParticipant.department_id == user.department_id))
    return sa.select(Meeting).where(Meeting.agency_id == user.agency_id, sa.or_(
        Meeting.secretary_id == user.id, Meeting.chair_id == user.id,
        sa.and_(Meeting.distributed_at.is_not(None), Meeting.id.in_(part))))


def track(meeting: Meeting) -> workflow_store.Track:
    """The meeting's history (MEETING machine) in the workflow store."""
    return workflow_store.Track(MeetingEvent, {"meeting_id": meeting.id}, holder=meeting,
                                object_type="meeting", object_id=meeting.id, action="meeting")


def history(session: Session, meeting: Meeting) -> list[workflow.Event]:
    return workflow_store.history(session, track(meeting))


def available(session: Session, meeting: Meeting, user: User) -> list[str]:
    return workflow_store.available(session, MACHINE, track(meeting), user)


def fire(session: Session, meeting: Meeting, actor: User, transition: str, *,
         comment: str = "", details: dict[str, Any] | None = None) -> workflow.Event:
    """Fire a MEETING transition through the workflow store (refusals 409/403, audited)."""
    return workflow_store.fire(session, MACHINE, track(meeting), actor, transition,
                               comment=comment, details=details).as_event()
