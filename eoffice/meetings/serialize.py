"""JSON shape of a meeting for the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from eoffice.meetings import access, notify
from eoffice.meetings import materials as materials_ops
from eoffice.meetings import minutes as minutes_ops
from eoffice.meetings.access import MACHINE
from eoffice.meetings.models import Meeting, MeetingMaterial


def _time(value: Any) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def material_json(meeting: Meeting, material: MeetingMaterial) -> dict[str, Any]:
    return {
        "id": material.id,
        "kind": "working_paper" if material.is_working_paper else "document",
        "label": material.kind_label,
        "document_id": material.document_id,
        "title": material.title,
        "filename": material.filename or None,
        "mime": material.mime,
        "withdrawn": material.withdrawn_at is not None,
        "withdrawn_reason": material.withdrawn_reason or None,
        "url": f"/api/v1/meetings/{meeting.id}/materials/{material.id}",
    }


def meeting_json(session: Session, meeting: Meeting, user: Any) -> dict[str, Any]:
    role = access.role_in(session, meeting, user)
    materials = (meeting.materials if role == "secretary"
                 else materials_ops.active_materials(meeting))
    minutes = minutes_ops.minutes_of(session, meeting)
    data: dict[str, Any] = {
        "id": meeting.id,
        "title": meeting.title,
        "kind": meeting.kind,
        "kind_label": meeting.kind_label,
        "starts_at": _time(meeting.starts_at),
        "ends_at": _time(meeting.ends_at),
        "location": meeting.location,
        "chair": meeting.chair.username,
        "secretary": meeting.secretary.username,
        "state": meeting.state,
        "state_label": MACHINE.label(meeting.state),
        "participants": [
            {"username": p.user.username} if p.user is not None
            else {"department": p.department.abbreviation if p.department else None}
            for p in meeting.participants],
        "agenda": [{"time": i.time, "title": i.title, "presenter": i.presenter}
                   for i in meeting.agenda_items],
        "agenda_signed": meeting.agenda_signed,
        "agenda_url": f"/api/v1/meetings/{meeting.id}/agenda" if meeting.agenda_sha else None,
        "agenda_validation": (meeting.extra or {}).get("agenda_validation"),
        "materials": [material_json(meeting, m) for m in materials],
        "distributed_at": _time(meeting.distributed_at),
        "minutes": None,
        "your_role": role,
        "actions": access.available(session, meeting, user),
    }
    if minutes_ops.may_read_minutes(minutes, role):
        assert minutes is not None
        data["minutes"] = {"state": minutes.state, "url": f"/api/v1/meetings/{meeting.id}/minutes",
                           "validation": (minutes.extra or {}).get("validation")}
    if role == "secretary":
        data["openings"] = [{"username": o.user.username, "full_name": o.user.full_name,
                             "first_at": _time(o.first_at), "last_at": _time(o.last_at),
                             "count": o.count, "downloaded_pack": o.downloaded_pack}
                            for o in notify.openings(session, meeting)]
    return data
