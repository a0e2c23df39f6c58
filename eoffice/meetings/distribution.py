"""The chair signs the agenda; the secretary distributes it; the meeting is held or cancelled."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eoffice.auth.models import User
from eoffice.db import utcnow
from eoffice.documents.operations import store_bytes
from eoffice.errors import Conflict, Forbidden, Invalid
from eoffice.meetings import signatures
from eoffice.meetings.access import fire, participant_users
from eoffice.meetings.models import Meeting
from eoffice.meetings.notify import notify, notify_participants
from eoffice.signing_services import SigningSettings
from eoffice.storage import PDF, FileStore


def sign_agenda(session: Session, store: FileStore, meeting: Meeting, actor: User, *,
                settings: SigningSettings, passphrase: str | None = None,
                pin: str | None = None,
                token: signatures.TokenSignature | None = None) -> Meeting:
    """The chair signs the generated agenda (PAdES, Decree-30 appearance); ``token``: with
    the official's USB token through the agent (:mod:`eoffice.token_agent`)."""
    if meeting.chair_id != actor.id:
        raise Forbidden("Chỉ người chủ trì cuộc họp được ký chương trình.", code="not_allowed")
    if meeting.state != "draft":
        raise Conflict("Chương trình cuộc họp đã được ký.", code="transition_not_allowed")
    if meeting.agenda_sha is None:
        raise Invalid("Thư ký chưa lập chương trình cuộc họp.", code="no_agenda")
    signed = signatures.sign_as(store.get(meeting.agenda_sha), actor, settings,
                                field_name="sig_official", reason="Ký giấy mời, chương trình "
                                "cuộc họp", passphrase=passphrase, pin=pin, token=token)
    stored = store_bytes(session, store, signed, {PDF})
    session.flush()
    meeting.agenda_sha = stored.sha256
    meeting.agenda_signed = True
    summary = signatures.validation(signed, settings)
    meeting.extra = {**(meeting.extra or {}), "agenda_validation": {
        k: summary[k] for k in ("verdict", "label", "reasons", "signatures")}}
    fire(session, meeting, actor, "sign_agenda", details={"sha256": stored.sha256})
    notify(session, meeting, [meeting.secretary],
           f"Chương trình cuộc họp “{meeting.title}” đã được ký; có thể gửi giấy mời.")
    return meeting


def distribute(session: Session, meeting: Meeting, actor: User) -> int:
    """Send the signed agenda and the materials: participants find it in their inbox."""
    if meeting.state == "draft":
        raise Conflict("Chương trình cuộc họp chưa được người chủ trì ký; chưa thể gửi.",
                       code="agenda_not_signed")
    fire(session, meeting, actor, "distribute")
    meeting.distributed_at = utcnow()
    users = [u for u in participant_users(session, meeting) if u.id != actor.id]
    return notify(session, meeting, users,
                  f"Giấy mời họp: {meeting.title} — "
                  f"{meeting.starts_at.strftime('%H:%M ngày %d/%m/%Y')}, {meeting.location}.")


def hold(session: Session, meeting: Meeting, actor: User) -> None:
    fire(session, meeting, actor, "hold")


def cancel(session: Session, meeting: Meeting, actor: User, reason: str = "") -> None:
    fire(session, meeting, actor, "cancel", comment=reason)
    notify_participants(session, meeting, f"Cuộc họp “{meeting.title}” đã bị hủy"
                                          + (f": {reason}." if reason else "."))
