"""Minutes (biên bản): record, render, sign (secretary, then chair), distribute."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import User
from eoffice.db import utcnow
from eoffice.documents.operations import store_bytes
from eoffice.errors import Conflict, Forbidden, Invalid, NotFound
from eoffice.meetings import signatures
from eoffice.meetings.access import fire, require_secretary
from eoffice.meetings.models import Meeting, MeetingMinutes
from eoffice.meetings.notify import notify, notify_participants
from eoffice.meetings.planning import nfc, parse_time
from eoffice.rendering import meeting as layout
from eoffice.signing_services import SigningSettings
from eoffice.storage import PDF, FileStore


def minutes_of(session: Session, meeting: Meeting) -> MeetingMinutes | None:
    return session.scalar(sa.select(MeetingMinutes).where(
        MeetingMinutes.meeting_id == meeting.id))


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [nfc(v) for v in (value or []) if nfc(v)]


def record_minutes(session: Session, store: FileStore, meeting: Meeting, actor: User,
                   data: Mapping[str, Any]) -> MeetingMinutes:
    """Create or rewrite the (unsigned) minutes and render the PDF. A distributed meeting is
    marked as held first."""
    require_secretary(meeting, actor)
    if meeting.state == "distributed":
        fire(session, meeting, actor, "hold")
    if meeting.state != "held":
        raise Conflict("Chỉ lập biên bản cho cuộc họp đã gửi giấy mời và đã họp.",
                       code="meeting_not_held")
    minutes = minutes_of(session, meeting)
    if minutes is not None and minutes.state != "draft":
        raise Conflict("Biên bản đã được ký; không thể sửa.", code="minutes_signed")
    starts = parse_time(data.get("starts_at") or meeting.starts_at, "starts_at")
    ends = parse_time(data.get("ends_at") or meeting.ends_at or meeting.starts_at, "ends_at")
    if ends < starts:
        raise Invalid("Thời gian kết thúc phải sau thời gian bắt đầu.", code="invalid_field")
    content = _lines(data.get("content"))
    conclusions = _lines(data.get("conclusions"))
    if not content or not conclusions:
        raise Invalid("Biên bản cần có nội dung cuộc họp và kết luận.", code="missing_field")
    if minutes is None:
        minutes = MeetingMinutes(meeting_id=meeting.id, starts_at=starts, ends_at=ends)
        session.add(minutes)
    minutes.starts_at, minutes.ends_at = starts, ends
    minutes.location = nfc(data.get("location")) or meeting.location
    minutes.attendees = _lines(data.get("attendees"))
    minutes.absentees = _lines(data.get("absentees"))
    minutes.content, minutes.conclusions = content, conclusions
    agency = meeting.chair.department.agency
    pdf = layout.render_minutes_pdf(layout.Minutes(
        agency_parent=agency.parent_name, agency_name=agency.name, place=agency.place or "",
        title=meeting.title, starts_at=starts, ends_at=ends, location=minutes.location,
        chair_name=meeting.chair.full_name, secretary_name=meeting.secretary.full_name,
        attendees=minutes.attendees, absentees=minutes.absentees, content=content,
        conclusions=conclusions, chair_position=meeting.chair.position_title or ""))
    stored = store_bytes(session, store, pdf, {PDF})
    session.flush()
    minutes.pdf_sha = stored.sha256
    audit.append(session, "meeting.minutes", actor=actor, object_type="meeting",
                 object_id=meeting.id, details={"sha256": stored.sha256})
    return minutes


def _require_minutes(session: Session, meeting: Meeting) -> MeetingMinutes:
    minutes = minutes_of(session, meeting)
    if minutes is None or minutes.pdf_sha is None:
        raise NotFound("Cuộc họp chưa có biên bản.")
    return minutes


def sign_minutes(session: Session, store: FileStore, meeting: Meeting, actor: User, *,
                 settings: SigningSettings, passphrase: str | None = None,
                 pin: str | None = None,
                 token: signatures.TokenSignature | None = None) -> MeetingMinutes:
    """The secretary signs first (``sig_secretary``), then the chair (``sig_chair``)."""
    minutes = _require_minutes(session, meeting)
    if minutes.state == "draft":
        if actor.id != meeting.secretary_id:
            raise Forbidden("Thư ký cuộc họp ký biên bản trước, sau đó người chủ trì ký.",
                            code="not_allowed")
        field, next_state = "sig_secretary", "secretary_signed"
    elif minutes.state == "secretary_signed":
        if actor.id != meeting.chair_id:
            raise Forbidden("Chỉ người chủ trì cuộc họp được ký biên bản lúc này.",
                            code="not_allowed")
        field, next_state = "sig_chair", "signed"
    else:
        raise Conflict("Biên bản đã được ký đủ.", code="minutes_signed")
    signed = signatures.sign_as(store.get(minutes.pdf_sha or ""), actor, settings,
                                field_name=field, reason="Ký biên bản cuộc họp",
                                passphrase=passphrase, pin=pin, token=token)
    stored = store_bytes(session, store, signed, {PDF})
    session.flush()
    minutes.pdf_sha = stored.sha256
    minutes.state = next_state
    summary = signatures.validation(signed, settings)
    minutes.extra = {**(minutes.extra or {}), "validation": {
        k: summary[k] for k in ("verdict", "label", "reasons", "signatures")}}
    if next_state == "signed":
        fire(session, meeting, actor, "sign_minutes", details={"sha256": stored.sha256})
    else:
        audit.append(session, "meeting.minutes_sign", actor=actor, object_type="meeting",
                     object_id=meeting.id, details={"field": field, "sha256": stored.sha256})
        notify(session, meeting, [meeting.chair],
               f"Biên bản cuộc họp “{meeting.title}” chờ người chủ trì ký.")
    return minutes


def distribute_minutes(session: Session, meeting: Meeting, actor: User) -> MeetingMinutes:
    require_secretary(meeting, actor)
    minutes = _require_minutes(session, meeting)
    if minutes.state != "signed":
        raise Conflict("Biên bản chưa được thư ký và người chủ trì ký đủ.",
                       code="minutes_not_signed")
    minutes.state = "distributed"
    minutes.distributed_at = utcnow()
    audit.append(session, "meeting.minutes_distribute", actor=actor, object_type="meeting",
                 object_id=meeting.id)
    notify_participants(session, meeting, f"Biên bản cuộc họp “{meeting.title}” đã được gửi.")
    return minutes


def may_read_minutes(minutes: MeetingMinutes | None, role: str | None) -> bool:
    """Secretary and chair at every stage; participants once distributed."""
    if minutes is None or minutes.pdf_sha is None or role is None:
        return False
    return role in ("secretary", "chair") or minutes.state == "distributed"
