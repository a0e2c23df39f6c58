"""Sending meeting files (agenda, materials, minutes, pack) — shared by the web and the API.
Every call checks access (404 for anyone else), audits the download and commits once."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file

from eoffice.audit import operations as audit
from eoffice.db import db
from eoffice.errors import NotFound
from eoffice.extensions import file_store
from eoffice.meetings import access, materials, notify
from eoffice.meetings import minutes as minutes_ops
from eoffice.meetings.materials import agenda_filename, material_filename
from eoffice.storage import PDF


def _send(data: bytes, mime: str, name: str, as_attachment: bool) -> Any:
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=as_attachment,
                     download_name=name)


def agenda(user: Any, meeting_id: int, *, as_attachment: bool = False) -> Any:
    meeting = access.get_meeting(db.session, user, meeting_id)
    if meeting.agenda_sha is None:
        raise NotFound("Cuộc họp chưa có chương trình.")
    data = file_store().get(meeting.agenda_sha)
    notify.record_opening(db.session, meeting, user)
    audit.append(db.session, "meeting.download_agenda", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"sha256": meeting.agenda_sha})
    return _send(data, PDF, agenda_filename(meeting), as_attachment)


def material(user: Any, meeting_id: int, material_id: int, *,
             as_attachment: bool = False) -> Any:
    meeting = access.get_meeting(db.session, user, meeting_id)
    item = materials.get_material(meeting, material_id)
    data = materials.material_bytes(file_store(), item)
    notify.record_opening(db.session, meeting, user)
    audit.append(db.session, "meeting.download_material", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"material_id": item.id,
                                                "document_id": item.document_id})
    return _send(data, item.mime, material_filename(item, item.id), as_attachment)


def minutes(user: Any, meeting_id: int, *, as_attachment: bool = False) -> Any:
    meeting = access.get_meeting(db.session, user, meeting_id)
    record = minutes_ops.minutes_of(db.session, meeting)
    if not minutes_ops.may_read_minutes(record, access.role_in(db.session, meeting, user)):
        raise NotFound("Cuộc họp chưa có biên bản.")
    assert record is not None and record.pdf_sha is not None
    data = file_store().get(record.pdf_sha)
    audit.append(db.session, "meeting.download_minutes", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"sha256": record.pdf_sha})
    return _send(data, PDF, f"Biên bản - {meeting.title[:80]}.pdf", as_attachment)


def pack(user: Any, meeting_id: int) -> Any:
    meeting = access.get_meeting(db.session, user, meeting_id)
    built = materials.build_pack(file_store(), meeting)
    notify.record_opening(db.session, meeting, user, pack=True)
    audit.append(db.session, "meeting.download_pack", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"files": built.names})
    return _send(built.data, "application/zip", built.filename, True)
