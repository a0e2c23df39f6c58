"""Notifications in the meetings inbox, and read receipts (who opened the meeting)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.auth.models import User
from eoffice.db import utcnow
from eoffice.meetings.models import Meeting, MeetingNotification, MeetingOpening


def notify(session: Session, meeting: Meeting, users: Iterable[User], message: str) -> int:
    """One notification per distinct user; returns how many were written."""
    ids = sorted({u.id for u in users})
    for user_id in ids:
        session.add(MeetingNotification(meeting_id=meeting.id, user_id=user_id,
                                        message=message))
    return len(ids)


def notify_participants(session: Session, meeting: Meeting, message: str) -> int:
    """Tell every participant (and the chair) about a change, once the meeting has been
    distributed; before that nobody has seen it, so nobody is told."""
    if meeting.distributed_at is None:
        return 0
    from eoffice.meetings.access import participant_users

    users = [u for u in participant_users(session, meeting) if u.id != meeting.secretary_id]
    if meeting.chair_id != meeting.secretary_id:
        users.append(meeting.chair)
    return notify(session, meeting, users, message)


def notifications_for(session: Session, user: User, *, unread_only: bool = False,
                      limit: int = 50) -> list[MeetingNotification]:
    query = sa.select(MeetingNotification).where(MeetingNotification.user_id == user.id)
    if unread_only:
        query = query.where(MeetingNotification.read.is_(False))
    return list(session.scalars(query.order_by(MeetingNotification.id.desc()).limit(limit)))


def mark_read(session: Session, meeting: Meeting, user: User) -> None:
    session.execute(sa.update(MeetingNotification).where(
        MeetingNotification.meeting_id == meeting.id, MeetingNotification.user_id == user.id,
        MeetingNotification.read.is_(False)).values(read=True))


def record_opening(session: Session, meeting: Meeting, user: User, *,
                   pack: bool = False) -> None:
    """Read receipt of a participant (the secretary's own views are not counted)."""
    if meeting.distributed_at is None or user.id == meeting.secretary_id:
        return
    row = session.get(MeetingOpening, (meeting.id, user.id))
    if row is None:
        session.add(MeetingOpening(meeting_id=meeting.id, user_id=user.id,
                                   downloaded_pack=pack))
    else:
        row.count += 1
        row.last_at = utcnow()
        row.downloaded_pack = row.downloaded_pack or pack
    mark_read(session, meeting, user)
    session.flush()


def openings(session: Session, meeting: Meeting) -> list[MeetingOpening]:
    return list(session.scalars(sa.select(MeetingOpening).where(
        MeetingOpening.meeting_id == meeting.id).order_by(MeetingOpening.first_at)))
