"""Reading meeting files (agenda, materials, minutes, pack), audited in one place whether a
web page or the API asks. Every call checks access (404 for anyone else), notes the opening
where the secretary tracks it, audits the download and returns the file to send; the caller
(the request boundary) commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.errors import NotFound
from eoffice.meetings import access, materials, notify
from eoffice.meetings import minutes as minutes_ops
from eoffice.meetings.materials import agenda_filename, material_filename
from eoffice.storage import PDF, FileStore, FileToSend


def agenda(session: Session, store: FileStore, user: Any, meeting_id: int) -> FileToSend:
    meeting = access.get_meeting(session, user, meeting_id)
    if meeting.agenda_sha is None:
        raise NotFound("Cuộc họp chưa có chương trình.")
    data = store.get(meeting.agenda_sha)
    notify.record_opening(session, meeting, user)
    audit.append(session, "meeting.download_agenda", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"sha256": meeting.agenda_sha})
    return FileToSend(data, PDF, agenda_filename(meeting))


def material(session: Session, store: FileStore, user: Any, meeting_id: int,
             material_id: int) -> FileToSend:
    meeting = access.get_meeting(session, user, meeting_id)
    item = materials.get_material(meeting, material_id)
    data = materials.material_bytes(store, item)
    notify.record_opening(session, meeting, user)
    audit.append(session, "meeting.download_material", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"material_id": item.id,
                                                "document_id": item.document_id})
    return FileToSend(data, item.mime, material_filename(item, item.id))


def minutes(session: Session, store: FileStore, user: Any, meeting_id: int) -> FileToSend:
    meeting = access.get_meeting(session, user, meeting_id)
    record = minutes_ops.minutes_of(session, meeting)
    if not minutes_ops.may_read_minutes(record, access.role_in(session, meeting, user)):
        raise NotFound("Cuộc họp chưa có biên bản.")
    assert record is not None and record.pdf_sha is not None
    data = store.get(record.pdf_sha)
    audit.append(session, "meeting.download_minutes", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"sha256": record.pdf_sha})
    return FileToSend(data, PDF, f"Biên bản - {meeting.title[:80]}.pdf")


def pack(session: Session, store: FileStore, user: Any, meeting_id: int) -> FileToSend:
    meeting = access.get_meeting(session, user, meeting_id)
    built = materials.build_pack(store, meeting)
    notify.record_opening(session, meeting, user, pack=True)
    audit.append(session, "meeting.download_pack", actor=user, object_type="meeting",
                 object_id=meeting.id, details={"files": built.names})
    return FileToSend(built.data, "application/zip", built.filename)
