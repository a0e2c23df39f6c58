"""Meeting materials: signed/issued documents (never classified) and uploaded working papers;
withdrawal when a document becomes classified; the ZIP pack."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import User
from eoffice.db import utcnow
from eoffice.documents.models import Direction, Document
from eoffice.documents.operations import get_visible, store_bytes
from eoffice.errors import AuditedRefusal, Conflict, Invalid, NotFound
from eoffice.meetings.access import require_secretary
from eoffice.meetings.models import Meeting, MeetingMaterial
from eoffice.meetings.notify import notify, notify_participants
from eoffice.storage import DOCX, PDF, FileStore
from eoffice.untrusted import AcceptedFile, ensure_checked

SIGNED_OUTGOING = {"signed", "issued", "dispatched"}
CLASSIFIED_REASON = ("Văn bản mật không được đưa vào tài liệu cuộc họp (họp không giấy): "
                     "theo quy định, văn bản có độ mật chỉ được phổ biến bằng bản giấy "
                     "theo chế độ bảo vệ bí mật nhà nước.")
WITHDRAWN_REASON = "Văn bản đã được xác định là văn bản mật nên đã được rút khỏi bộ tài liệu."


class MaterialRefused(AuditedRefusal):
    """A refused material: audited as ``meeting.material_refused`` after the rollback."""

    def __init__(self, message: str, *, code: str, document_id: int, meeting_id: int,
                 actor: str) -> None:
        super().__init__(message, code=code, action="meeting.material_refused", actor=actor,
                         object_type="meeting", object_id=meeting_id,
                         details={"document_id": document_id})
        self.document_id = document_id


def is_signed_or_issued(document: Document) -> bool:
    """Outgoing documents signed/issued/dispatched; incoming with a valid signature."""
    if document.direction == Direction.OUTGOING:
        return document.state in SIGNED_OUTGOING
    validation = (document.extra or {}).get("validation") or {}
    return validation.get("verdict") == "valid"


def _ensure_editable(meeting: Meeting) -> None:
    if meeting.state in ("cancelled", "held", "minutes_signed"):
        raise Conflict("Cuộc họp đã kết thúc hoặc đã hủy; không thể thay đổi tài liệu.",
                       code="meeting_closed")


def add_document(session: Session, meeting: Meeting, actor: User,
                 document_id: object) -> MeetingMaterial:
    """Add a document of the system. 404 if the secretary may not see it; 422 ``classified``
    if it is classified; 422 ``not_signed`` unless signed or issued."""
    require_secretary(meeting, actor)
    _ensure_editable(meeting)
    document = get_visible(session, actor, document_id)
    if document.is_classified:
        raise MaterialRefused(CLASSIFIED_REASON, code="classified", document_id=document.id,
                              meeting_id=meeting.id, actor=actor.username)
    if not is_signed_or_issued(document):
        raise MaterialRefused(
            "Chỉ văn bản đã ký số hoặc đã ban hành (văn bản đến có chữ ký số hợp lệ) mới được "
            "đưa vào tài liệu cuộc họp; văn bản này chưa được ký hoặc chữ ký không hợp lệ.",
            code="not_signed", document_id=document.id, meeting_id=meeting.id,
            actor=actor.username)
    if document.current_file_sha is None:
        raise Invalid("Văn bản này không có tệp để đưa vào tài liệu cuộc họp.", code="no_file")
    if any(m.document_id == document.id and m.withdrawn_at is None for m in meeting.materials):
        raise Conflict("Văn bản này đã có trong tài liệu cuộc họp.", code="duplicate")
    material = MeetingMaterial(document_id=document.id, document=document,
                               added_by_id=actor.id, mime=PDF)
    meeting.materials.append(material)
    session.flush()
    audit.append(session, "meeting.material_add", actor=actor, object_type="meeting",
                 object_id=meeting.id, details={"document_id": document.id})
    notify_participants(session, meeting, f"Cuộc họp “{meeting.title}” có thêm tài liệu: "
                                          f"{material.title}.")
    return material


def safe_filename(name: str, default: str) -> str:
    """The client's file name for display only: NFC, no path, no control characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip(" .")
    return name[:200] or default


def add_working_paper(session: Session, store: FileStore, meeting: Meeting, actor: User,
                      data: bytes | AcceptedFile | None, filename: str) -> MeetingMaterial:
    """An uploaded PDF/DOCX, marked as a working paper (tài liệu tham khảo). Raw bytes go
    through the untrusted-file pipeline here (before anything is written)."""
    require_secretary(meeting, actor)
    _ensure_editable(meeting)
    if not data:
        raise Invalid("Hãy chọn tệp tài liệu (PDF hoặc DOCX).", code="missing_file")
    file = ensure_checked(data, accepted={PDF, DOCX}, filename=filename)
    assert file is not None
    stored = store_bytes(session, store, file.data, {PDF, DOCX})
    session.flush()
    ext = ".pdf" if stored.mime == PDF else ".docx"
    name = safe_filename(filename, "tai-lieu" + ext)
    if not name.lower().endswith(ext):
        name += ext
    material = MeetingMaterial(sha256=stored.sha256, filename=name, mime=stored.mime,
                               added_by_id=actor.id)
    meeting.materials.append(material)
    session.flush()
    audit.append(session, "meeting.working_paper_add", actor=actor, object_type="meeting",
                 object_id=meeting.id, details={"sha256": stored.sha256, "filename": name})
    notify_participants(session, meeting, f"Cuộc họp “{meeting.title}” có thêm tài liệu "
                                          f"tham khảo: {name}.")
    return material


def withdraw(session: Session, meeting: Meeting, material: MeetingMaterial, actor: User | None,
             reason: str) -> None:
    """Take a material out of the pack; participants are told after distribution."""
    if material.withdrawn_at is not None:
        return
    material.withdrawn_at = utcnow()
    material.withdrawn_reason = reason
    audit.append(session, "meeting.material_withdraw", actor=actor, object_type="meeting",
                 object_id=meeting.id, details={"material_id": material.id,
                                                "document_id": material.document_id,
                                                "reason": reason})
    notify_participants(session, meeting, f"Tài liệu “{material.title}” đã được rút khỏi "
                                          f"cuộc họp “{meeting.title}”.")


def remove(session: Session, meeting: Meeting, actor: User, material_id: int) -> None:
    require_secretary(meeting, actor)
    _ensure_editable(meeting)
    material = next((m for m in meeting.materials if m.id == material_id), None)
    if material is None:
        raise NotFound("Không tìm thấy tài liệu.")
    withdraw(session, meeting, material, actor, "Thư ký rút tài liệu khỏi cuộc họp.")


def withdraw_classified(session: Session, meeting: Meeting) -> list[MeetingMaterial]:
    """Withdraw materials whose document is now classified; tell the secretary."""
    hits = [m for m in meeting.materials if m.withdrawn_at is None and m.document is not None
            and m.document.is_classified]
    for material in hits:
        withdraw(session, meeting, material, None, WITHDRAWN_REASON)
        notify(session, meeting, [meeting.secretary],
               f"Tài liệu số {material.id} của cuộc họp “{meeting.title}” đã bị rút vì văn bản "
               "đã được xác định là văn bản mật. Hãy kiểm tra lại bộ tài liệu.")
    return hits


def active_materials(meeting: Meeting) -> list[MeetingMaterial]:
    """The materials in the pack right now: not withdrawn, and never a classified
    document (checked at read time, whatever happened to the withdrawal)."""
    return [m for m in meeting.materials if m.withdrawn_at is None
            and (m.document is None or not m.document.is_classified)]


def get_material(meeting: Meeting, material_id: int) -> MeetingMaterial:
    for m in active_materials(meeting):
        if m.id == material_id:
            return m
    raise NotFound("Không tìm thấy tài liệu.")


def material_bytes(store: FileStore, material: MeetingMaterial) -> bytes:
    sha = material.document.current_file_sha if material.document is not None \
        else material.sha256
    if sha is None:
        raise NotFound("Tài liệu này không có tệp.")
    return store.get(sha)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\x00-\x1f\x7f/\\<>:\"|?*]", "-", text)
    return re.sub(r"\s+", " ", text).strip(" .-")[:120]


def material_filename(material: MeetingMaterial, n: int) -> str:
    """Vietnamese file name inside the pack, e.g. ``02 - KH 01-KH-UBND - Tổ chức….pdf``."""
    if material.document is not None:
        doc = material.document
        code = (doc.code or f"van-ban-{doc.id}").replace("/", "-")
        return f"{n:02d} - {_clean(code + ' ' + doc.subject)}.pdf"
    stem, dot, ext = material.filename.rpartition(".")
    return f"{n:02d} - Tài liệu tham khảo - {_clean(stem or material.filename)}.{ext or 'pdf'}"


def agenda_filename(meeting: Meeting) -> str:
    return f"01 - Giấy mời và chương trình - {_clean(meeting.title)}.pdf"


@dataclass
class Pack:
    filename: str
    data: bytes
    names: list[str]


def build_pack(store: FileStore, meeting: Meeting) -> Pack:
    """One ZIP: the signed agenda and the allowed materials (UTF-8 names, flag 0x800)."""
    if not meeting.agenda_signed or meeting.agenda_sha is None:
        raise NotFound("Cuộc họp chưa có chương trình đã ký.")
    out = io.BytesIO()
    names = [agenda_filename(meeting)]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_info(names[0]), store.get(meeting.agenda_sha))
        for n, material in enumerate(active_materials(meeting), start=2):
            name = material_filename(material, n)
            zf.writestr(_info(name), material_bytes(store, material))
            names.append(name)
    return Pack(f"Tài liệu họp - {_clean(meeting.title)[:60]}.zip", out.getvalue(), names)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits |= 0x800  # names are UTF-8
    return info
