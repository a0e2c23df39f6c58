"""Building a meeting: create it, change its details, set the agenda and render the PDF."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import Department, Role, User, in_agency
from eoffice.clock import VN_TZ, agency_today
from eoffice.documents.operations import store_bytes
from eoffice.errors import Conflict, Invalid
from eoffice.i18n import N_
from eoffice.meetings.access import MACHINE, require_secretary
from eoffice.meetings.models import MEETING_KINDS, AgendaItem, Meeting, MeetingParticipant
from eoffice.meetings.notify import notify_participants
from eoffice.rendering import meeting as layout
from eoffice.storage import PDF, FileStore


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


_VN_TIME = re.compile(r"^(?:(\d{1,2}):(\d{2})\s+)?(\d{1,2})/(\d{1,2})/(\d{4})"
                      r"(?:\s+(\d{1,2}):(\d{2}))?$")
TIME_LABELS = {"starts_at": N_("Bắt đầu"), "ends_at": N_("Kết thúc")}


def parse_time(value: Any, name: str) -> datetime:
    """Vietnam local time as people write it (``08:00 01/06/2026`` or ``01/06/2026 08:00``)
    or ISO 8601 (``2026-06-01T08:00``, the API); an offset is converted to Vietnam time."""
    text = nfc(value)
    match = _VN_TIME.match(text)
    try:
        if isinstance(value, datetime):
            parsed = value
        elif match and not (match.group(1) and match.group(6)):
            hour, minute = match.group(1) or match.group(6), match.group(2) or match.group(7)
            parsed = datetime(int(match.group(5)), int(match.group(4)), int(match.group(3)),
                              int(hour or 0), int(minute or 0))
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        label = TIME_LABELS.get(name, name)
        raise Invalid("%(label)s: thời gian không hợp lệ (dạng ngày/tháng/năm giờ:phút, ví dụ "
                      "01/06/2026 08:00).", code="invalid_field", values={"label": label}) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(VN_TZ).replace(tzinfo=None)
    return parsed.replace(second=0, microsecond=0)


@dataclass
class MeetingInput:
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    chair: str
    participants: list[str]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MeetingInput:
        title = nfc(data.get("title"))
        if not title:
            raise Invalid("Hãy nhập tên (nội dung) cuộc họp.", code="missing_field")
        if len(title) > 500:
            raise Invalid("Tên cuộc họp dài quá 500 ký tự.", code="invalid_field")
        kind = nfc(data.get("kind")) or "khac"
        by_label = {v.casefold(): k for k, v in MEETING_KINDS.items()}
        kind = kind if kind in MEETING_KINDS else by_label.get(kind.casefold(), kind)
        if not data.get("starts_at"):
            raise Invalid("Hãy nhập thời gian bắt đầu.", code="missing_field")
        starts = parse_time(data.get("starts_at"), "starts_at")
        ends = parse_time(data["ends_at"], "ends_at") if data.get("ends_at") else None
        if ends is not None and ends <= starts:
            raise Invalid("Thời gian kết thúc phải sau thời gian bắt đầu.", code="invalid_field")
        location = nfc(data.get("location"))
        if not location:
            raise Invalid("Hãy nhập địa điểm hoặc đường dẫn họp trực tuyến.",
                          code="missing_field")
        chair = nfc(data.get("chair"))
        if not chair:
            raise Invalid("Hãy chọn người chủ trì cuộc họp.", code="missing_field")
        raw = data.get("participants") or []
        if isinstance(raw, str):
            raw = [p for p in raw.replace(";", ",").replace("\n", ",").split(",")]
        participants = [nfc(p) for p in raw if nfc(p)]
        return cls(title, kind[:32], starts, ends, location[:500], chair, participants)


def _user(session: Session, username: str, agency_id: int) -> User | None:
    """An active user of the agency (another agency's users are unknown here)."""
    return session.scalar(sa.select(User).where(User.username == username,
                                                User.active.is_(True), in_agency(agency_id)))


def resolve_participants(session: Session, actor: User,
                         names: Iterable[str]) -> list[MeetingParticipant]:
    """Usernames or department codes (of the actor's agency) → participant rows."""
    rows: list[MeetingParticipant] = []
    unknown: list[str] = []
    seen: set[tuple[str, int]] = set()
    agency_id = actor.department.agency_id
    for name in names:
        user = _user(session, name, agency_id)
        if user is not None:
            if ("u", user.id) not in seen:
                rows.append(MeetingParticipant(user_id=user.id, user=user))
                seen.add(("u", user.id))
            continue
        dept = session.scalar(sa.select(Department).where(
            Department.agency_id == agency_id,
            sa.func.upper(Department.abbreviation) == name.upper()))
        if dept is None:
            unknown.append(name)
        elif ("d", dept.id) not in seen:
            rows.append(MeetingParticipant(department_id=dept.id, department=dept))
            seen.add(("d", dept.id))
    if unknown:
        raise Invalid("Không rõ thành phần tham dự: %(names)s (dùng tên đăng nhập hoặc mã phòng "
                      "ban, ví dụ VHTT).", code="unknown_participant",
                      values={"names": ", ".join(unknown)})
    return rows


def create_meeting(session: Session, actor: User, data: MeetingInput) -> Meeting:
    """The secretary creates a meeting in ``draft``; the chair must be a leader."""
    chair = _user(session, data.chair, actor.agency_id)
    if chair is None or not chair.has_role(Role.LEADER):
        raise Invalid("Người chủ trì phải là một lãnh đạo của cơ quan.", code="invalid_chair")
    participants = resolve_participants(session, actor, data.participants)
    if not participants:
        raise Invalid("Hãy chọn ít nhất một thành phần tham dự.", code="missing_field")
    meeting = Meeting(title=data.title, kind=data.kind, starts_at=data.starts_at,
                      ends_at=data.ends_at, location=data.location, chair_id=chair.id,
                      chair=chair, secretary_id=actor.id, secretary=actor,
                      state=MACHINE.initial, participants=participants, extra={})
    session.add(meeting)
    session.flush()
    audit.append(session, "meeting.create", actor=actor, object_type="meeting",
                 object_id=meeting.id, details={"title": meeting.title, "chair": chair.username,
                                                "participants": data.participants})
    return meeting


def update_details(session: Session, meeting: Meeting, actor: User, *, starts_at: Any = None,
                   ends_at: Any = None, location: str | None = None) -> list[str]:
    """Change time or place; after distribution every participant is notified."""
    require_secretary(meeting, actor)
    if meeting.state in ("cancelled", "held", "minutes_signed"):
        raise Conflict("Cuộc họp đã kết thúc hoặc đã hủy; không thể thay đổi.",
                       code="meeting_closed")
    changes: list[str] = []
    if starts_at:
        new = parse_time(starts_at, "starts_at")
        if new != meeting.starts_at:
            meeting.starts_at = new
            changes.append(f"thời gian bắt đầu: {new.strftime('%H:%M ngày %d/%m/%Y')}")
    if ends_at:
        new = parse_time(ends_at, "ends_at")
        if new != meeting.ends_at:
            meeting.ends_at = new
            changes.append(f"thời gian kết thúc: {new.strftime('%H:%M ngày %d/%m/%Y')}")
    if location is not None and nfc(location) and nfc(location) != meeting.location:
        meeting.location = nfc(location)[:500]
        changes.append(f"địa điểm: {meeting.location}")
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        raise Invalid("Thời gian kết thúc phải sau thời gian bắt đầu.", code="invalid_field")
    if changes:
        audit.append(session, "meeting.update", actor=actor, object_type="meeting",
                     object_id=meeting.id, details={"changes": changes})
        notify_participants(session, meeting,
                            f"Cuộc họp “{meeting.title}” thay đổi " + "; ".join(changes) + ".")
    return changes


def _agenda_layout(meeting: Meeting, participant_labels: Sequence[str],
                   today: date | None) -> layout.Meeting:
    agency = meeting.chair.department.agency
    chair = meeting.chair
    return layout.Meeting(
        agency_parent=agency.parent_name, agency_name=agency.name,
        agency_abbr=agency.abbreviation, place=agency.place or "", title=meeting.title,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, location=meeting.location,
        chair_name=chair.full_name, chair_position=chair.position_title or "Chủ trì",
        participants=list(participant_labels), kind=meeting.kind_label,
        unit_abbr=meeting.secretary.department_code,
        issued_on=today or agency_today())


def set_agenda(session: Session, store: FileStore, meeting: Meeting, actor: User,
               items: Sequence[Mapping[str, Any]], *, today: date | None = None) -> bytes:
    """Replace the agenda items and generate the invitation/agenda PDF (unsigned), dated
    ``today`` (the agency clock; default: today in Vietnam)."""
    require_secretary(meeting, actor)
    if meeting.state != "draft" or meeting.agenda_signed:
        raise Conflict("Chương trình đã được ký; không thể sửa chương trình cuộc họp.",
                       code="agenda_signed")
    if not isinstance(items, Sequence) or isinstance(items, str | bytes) or not items:
        raise Invalid("Chương trình cần ít nhất một nội dung.", code="missing_field")
    rows: list[AgendaItem] = []
    for n, item in enumerate(items):
        if not isinstance(item, Mapping) or not nfc(item.get("title")):
            raise Invalid("Nội dung thứ %(value)s của chương trình chưa có tiêu đề.",
                          code="invalid_field", values={"value": n + 1})
        rows.append(AgendaItem(position=n, time=nfc(item.get("time"))[:64],
                               title=nfc(item.get("title"))[:1000],
                               presenter=nfc(item.get("presenter"))[:255]))
    meeting.agenda_items = rows
    labels = [p.label for p in meeting.participants]
    pdf = layout.render_agenda_pdf(
        _agenda_layout(meeting, labels, today),
        [layout.AgendaItem(time=r.time, title=r.title, presenter=r.presenter) for r in rows])
    stored = store_bytes(session, store, pdf, {PDF})
    session.flush()
    meeting.agenda_sha = stored.sha256
    audit.append(session, "meeting.agenda", actor=actor, object_type="meeting",
                 object_id=meeting.id, details={"items": len(rows), "sha256": stored.sha256})
    return pdf
