"""Drafting: a structured draft rendered to PDF (reserved fields) + DOCX, or an upload."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import signing
from eoffice import untrusted
from eoffice.audit import operations as audit
from eoffice.auth.models import Clearance, Role, User
from eoffice.documents.models import Direction, Document, Urgency
from eoffice.documents.operations import attach_file, mark_changed
from eoffice.errors import Forbidden, Invalid
from eoffice.i18n import N_
from eoffice.outgoing import authority as authority_rules
from eoffice.rendering import DOCUMENT_TYPES, DraftDocument, render_docx, render_pdf
from eoffice.rendering.types import clean_list_item, clean_subject
from eoffice.storage import DOCX, PDF, FileStore
from eoffice.untrusted import AcceptedFile

REGISTER = "di"
CLASSIFIED_REGISTER = "di-mat"
REGISTERS = {REGISTER: N_("Sổ văn bản đi"), CLASSIFIED_REGISTER: N_("Sổ văn bản đi (mật)")}
DRAFTER_ROLES = (Role.SPECIALIST, Role.HEAD, Role.LEADER)
SIGNER_ROLES = (Role.LEADER, Role.HEAD)


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


@dataclass
class DraftInput:
    """What a drafter fills in (API JSON fields of SPEC §3)."""

    type_code: str
    subject: str
    signer: str
    body: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    authority: str = ""
    urgency: str = "thuong"
    secrecy: str = "none"

    @classmethod
    def from_mapping(cls, data: Any) -> DraftInput:
        """From JSON (lists) or a form (lists as lines of text)."""
        def lines(name: str) -> list[str]:
            value = data.get(name)
            if value is None:
                return []
            if isinstance(value, str):
                value = value.splitlines()
            if not isinstance(value, list):
                raise Invalid("Trường “%(name)s” phải là danh sách.", code="invalid_field",
                              values={"name": name})
            return [nfc(v) for v in value if nfc(v)]

        type_code = nfc(data.get("type_code") or "CV")
        recipients = [r for r in map(clean_list_item, lines("recipients")) if r]
        return cls(type_code=type_code,
                   subject=clean_subject(type_code, nfc(data.get("subject"))),
                   signer=nfc(data.get("signer")), body=lines("body"),
                   recipients=recipients, authority=nfc(data.get("authority")),
                   urgency=nfc(data.get("urgency") or "thuong"),
                   secrecy=nfc(data.get("secrecy") or "none"))


def _check(session: Session, actor: User, data: DraftInput) -> User:
    """Validate the draft; return the named signer."""
    if not actor.has_role(*DRAFTER_ROLES):
        raise Forbidden("Chỉ chuyên viên, trưởng phòng hoặc lãnh đạo được soạn văn bản đi.")
    if data.type_code not in DOCUMENT_TYPES:
        raise Invalid("Loại văn bản không hợp lệ: «%(type_code)s».", code="invalid_type",
                      values={"type_code": data.type_code})
    if not data.subject:
        raise Invalid("Hãy nhập trích yếu của văn bản.", code="missing_field")
    if len(data.subject) > 500:
        raise Invalid("Trích yếu dài quá 500 ký tự.", code="invalid_field")
    if data.urgency not in {u.value for u in Urgency}:
        raise Invalid("Độ khẩn không hợp lệ.", code="invalid_field")
    if data.secrecy not in {c.value for c in Clearance}:
        raise Invalid("Độ mật không hợp lệ.", code="invalid_field")
    if not actor.may_see_secrecy(data.secrecy):
        raise Invalid("Bạn không thể soạn văn bản có độ mật cao hơn độ mật mình được xem.",
                      code="invalid_field")
    if not data.signer:
        raise Invalid("Hãy chọn người ký.", code="missing_field")
    data.authority = authority_rules.check(data.authority)
    signer = session.scalar(sa.select(User).where(User.username == data.signer))
    if signer is None or not signer.active or not signer.has_role(*SIGNER_ROLES):
        raise Invalid("Không có người ký “%(signer)s” (phải là lãnh đạo hoặc trưởng phòng).",
                      code="invalid_signer", values={"signer": data.signer})
    if signer.department.agency_id != actor.department.agency_id:
        raise Invalid("Người ký phải thuộc cùng cơ quan.", code="invalid_signer")
    if not signer.may_see_secrecy(data.secrecy):
        raise Invalid("Người ký không được xem văn bản có độ mật này.", code="invalid_signer")
    return signer


def draft_layout(actor: User, signer: User, data: DraftInput) -> DraftDocument:
    agency = actor.department.agency
    return DraftDocument(
        agency_parent=agency.parent_name.upper(), agency_name=agency.name.upper(),
        agency_abbr=agency.abbreviation, unit_abbr=actor.department_code, place=agency.place,
        type_code=data.type_code, subject=data.subject, body=data.body,
        recipients=data.recipients, signer_name=signer.full_name,
        signer_position=signer.position_title or "", authority=data.authority,
        urgency=data.urgency, secrecy=data.secrecy)


@dataclass(frozen=True)
class PreparedUpload:
    """An uploaded draft, ready to attach: the PDF with the reserved fields, and the DOCX it
    was converted from (``None`` for a PDF upload)."""

    pdf: bytes
    docx: bytes | None
    filename: str = ""


def prepare_upload(upload: bytes | AcceptedFile | PreparedUpload,
                   filename: str = "") -> PreparedUpload:
    """The untrusted-file pipeline (raw bytes), then DOCX → PDF (LibreOffice, limited) and
    the reserved fields. Touches no database: callers run it before their transaction."""
    from eoffice.rendering.convert import ConversionFailed, ConversionUnavailable, docx_to_pdf

    if isinstance(upload, PreparedUpload):
        return upload
    file = untrusted.ensure_checked(upload, accepted={PDF, DOCX}, filename=filename)
    assert file is not None
    data, docx = file.data, None
    if file.mime == DOCX:
        docx = data
        try:
            data = docx_to_pdf(data)
        except (ConversionUnavailable, ConversionFailed) as exc:
            raise Invalid(str(exc), code="conversion_failed") from exc
    try:
        pdf = signing.add_reserved_fields(data)
    except signing.SigningError as exc:
        raise Invalid("Không chuẩn bị được tệp PDF để ký: %(exc)s", code="invalid_pdf",
                      values={"exc": exc}) from exc
    return PreparedUpload(pdf, docx, filename or file.filename)


def attach_upload(session: Session, store: FileStore, document: Document, actor: User,
                  prepared: PreparedUpload) -> None:
    """Attach a prepared upload: the DOCX (history only) and the draft PDF (current)."""
    if prepared.docx is not None:
        attach_file(session, store, document, "upload_docx", prepared.docx, actor,
                    accepted={DOCX}, filename=prepared.filename, current=False)
    attach_file(session, store, document, "draft_pdf", prepared.pdf, actor, accepted={PDF},
                filename=prepared.filename)


def create_draft(session: Session, store: FileStore, actor: User, data: DraftInput, *,
                 upload: bytes | AcceptedFile | PreparedUpload | None = None,
                 filename: str = "",
                 classified_files: bool = False) -> Document:
    """Create an outgoing draft (state ``draft``) with its PDF (and DOCX when rendered)."""
    signer = _check(session, actor, data)
    if data.secrecy != "none" and not classified_files:
        raise Invalid("Hệ thống không được phép lưu tệp văn bản mật (EOFFICE_CLASSIFIED_FILES "
                      "đang tắt): hãy soạn văn bản mật trên máy tính không nối mạng.",
                      code="classified")
    agency = actor.department.agency
    document = Document(
        direction=Direction.OUTGOING, state="draft", type_code=data.type_code,
        type_name=DOCUMENT_TYPES[data.type_code], subject=data.subject,
        issuer_name=agency.name, issuer_id=agency.agency_code,
        signer_name=signer.full_name, signer_position=signer.position_title or "",
        recipients=data.recipients, urgency=Urgency(data.urgency),
        secrecy=Clearance(data.secrecy),
        register=REGISTER if data.secrecy == "none" else CLASSIFIED_REGISTER,
        department_id=actor.department_id, created_by_id=actor.id, signer_id=signer.id,
        extra={"authority": data.authority, "body": data.body,
               "source": "upload" if upload is not None else "template"})
    document.created_by = actor
    document.signer = signer
    document.department = actor.department
    session.add(document)
    document.grant(f"user:{actor.username}", f"dept:{actor.department_code}",
                   f"user:{signer.username}")
    session.flush()
    if upload is not None:
        attach_upload(session, store, document, actor, prepare_upload(upload, filename))
    else:
        layout = draft_layout(actor, signer, data)
        attach_file(session, store, document, "draft_docx", render_docx(layout), actor,
                    accepted={DOCX}, current=False)
        attach_file(session, store, document, "draft_pdf", render_pdf(layout), actor,
                    accepted={PDF})
    audit.append(session, "outgoing.create", actor=actor, object_type="document",
                 object_id=document.id, details={"type_code": data.type_code,
                                                 "signer": signer.username})
    mark_changed(session, document)
    return document
