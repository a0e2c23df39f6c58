"""Registering a received document: signature check, arrival number, duplicates, return.

Operations take the acting user, flush and never commit; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice import signature_checks, workflow_store
from eoffice.audit import operations as audit
from eoffice.auth.models import Clearance, User
from eoffice.db import utcnow
from eoffice.documents.models import Direction, Document
from eoffice.documents.operations import fire, store_bytes, visible_filter
from eoffice.errors import Invalid
from eoffice.i18n import N_
from eoffice.incoming import registration_rows
from eoffice.incoming.forms import IncomingInput
from eoffice.incoming.header_guess import guess_fields
from eoffice.incoming.registration_rows import ARRIVAL_COMMENT, RegistrationRows
from eoffice.rendering.types import DOCUMENT_TYPES
from eoffice.search_app.hooks import note_queued
from eoffice.signing_services import TrustMaterial
from eoffice.storage import PDF, FileStore
from eoffice.untrusted import AcceptedFile, check_bytes, ensure_checked

GENERAL_REGISTER = "chung"
CLASSIFIED_REGISTER = "mat"
REGISTER_LABELS = {GENERAL_REGISTER: N_("Sổ văn bản đến"), CLASSIFIED_REGISTER: N_("Sổ văn bản "
    "đến mật")}
CLASSIFIED_FILE_REFUSED = ("Hệ thống không được phép lưu tệp của văn bản mật: hãy vào sổ văn bản "
                           "mật chỉ với thông tin (không kèm tệp) và lưu bản giấy theo quy định.")


@dataclass
class Registration:
    """A registered document: what the answer needs, and the document when asked for."""

    session: Session
    document_id: int
    arrival_number: int
    arrival_year: int
    register: str
    duplicates: list[int]
    validation: dict[str, Any] | None

    @cached_property
    def document(self) -> Document:
        """The document as stored, loaded when first read (its rows were written without
        the ORM, so no object of it is in the session before)."""
        return self.session.get_one(Document, self.document_id)


def register_for(secrecy: Clearance | str) -> str:
    return GENERAL_REGISTER if Clearance(secrecy) is Clearance.NONE else CLASSIFIED_REGISTER


TrustSource = TrustMaterial | Callable[[], TrustMaterial]
"""Trust material, or the function that reads it when it is needed."""


def _resolve(trust: TrustSource) -> TrustMaterial:
    return trust if isinstance(trust, TrustMaterial) else trust()


def _trust_options(trust: TrustMaterial) -> dict[str, Any]:
    return {"roots": trust.roots, "crls": trust.crls, "online": trust.online,
            "revocation_cache": trust.revocation_cache}


def analyse(data: bytes, trust: TrustMaterial, *, text: bool = True) -> AcceptedFile:
    """The untrusted-file pipeline with signature validation (FileRefused, 4xx, when the
    file does not pass); ``text``: also the first pages' text (for :func:`prefill`)."""
    return check_bytes(data, accepted={PDF}, validate=True, text=text, **_trust_options(trust))


def prefill(check: AcceptedFile) -> dict[str, Any]:
    """Form values suggested by the file: number, code, date, type, trích yếu and issuer read
    from the Decree 30 header; signer, position and issuer from the signatures; pages."""
    from signing.validation import extract_signer_info

    info = extract_signer_info(check.report)
    values: dict[str, Any] = {**guess_fields(check.text), "page_count": check.page_count}
    if info.get("signer_name"):
        values["signer_name"] = info["signer_name"]
    if info.get("position"):
        values["signer_position"] = info["position"]
    if info.get("issuer_org"):
        values["issuer_name"] = info["issuer_org"]
    return values


def find_duplicates(session: Session, actor: User, issuer_name: str, code_number: int | None,
                    code_notation: str | None, *, exclude: int | None = None) -> list[int]:
    """Incoming documents with the same issuer, number and code (that the actor may see)."""
    if code_number is None or not code_notation:
        return []
    query = (sa.select(Document.id)
             .where(Document.direction == Direction.INCOMING,
                    sa.func.lower(Document.issuer_name) == issuer_name.lower(),
                    Document.code_number == code_number,
                    Document.code_notation == code_notation,
                    Document.state != "returned",
                    visible_filter(actor))
             .order_by(Document.id))
    if exclude is not None:
        query = query.where(Document.id != exclude)
    return list(session.scalars(query))


def check_before_file(actor: User, data: IncomingInput, *, has_file: bool,
                      classified_files: bool) -> None:
    """The checks that need no file content: clearance, a file where one is required, no
    file of a classified document when classified files are off."""
    classified = data.secrecy is not Clearance.NONE
    if classified and not actor.may_see_secrecy(data.secrecy):
        raise Invalid("Bạn không thể vào sổ văn bản có độ mật cao hơn độ mật mình được xem.",
                      code="clearance")
    if not has_file and not classified:
        raise Invalid("Cần tải lên tệp PDF của văn bản đến.", code="missing_file")
    if has_file and classified and not classified_files:
        raise Invalid(CLASSIFIED_FILE_REFUSED, code="classified_file")


def register_incoming(session: Session, store: FileStore, actor: User, data: IncomingInput, *,
                      file: bytes | AcceptedFile | None, filename: str = "",
                      trust: TrustSource, classified_files: bool, today: date,
                      check: AcceptedFile | None = None,
                      defer_validation: bool = False,
                      validated: dict[str, Any] | None = None) -> Registration:
    """Vào sổ văn bản đến: next arrival number of the year's register, file and validation.

    All checks (type, secrecy, structure, signatures: the untrusted-file pipeline) run
    before the first write, so a refused file leaves nothing behind; the arrival number is
    taken with the rows' INSERTs (:mod:`eoffice.incoming.registration_rows`), the last
    statement before the commit, and returns on rollback. Raw bytes go through the pipeline
    here; ``file`` (or ``check`` for the same bytes) may already have passed it.

    ``defer_validation``: a file that passed the structure check without its signatures
    being validated is registered with the verdict ``pending`` and queued for a background
    worker (:mod:`eoffice.signature_checks`); a file already validated keeps its verdict.
    ``trust``: the trust material, or the function that reads it (called only when
    signatures are validated here, not when the validation is deferred).
    ``validated``: the verdict this server computed for the same bytes in the form's check
    step (same user), used instead of validating them again (with ``defer_validation``).
    """
    if isinstance(file, bytes) and not file:
        file = None
    check_before_file(actor, data, has_file=file is not None, classified_files=classified_files)
    if isinstance(file, bytes) and check is not None and check.data == file:
        file = check
    # the trust material is read (from the database) only when signatures are validated here
    validating = not defer_validation and isinstance(file, bytes)
    checked = ensure_checked(file, accepted={PDF}, validate=not defer_validation, text=False,
                             **(_trust_options(_resolve(trust)) if validating else {}))
    if checked is not None and checked.report is None and not defer_validation:
        checked = analyse(checked.data, _resolve(trust), text=False)  # passed unvalidated
    check = checked
    validation = None
    if check is not None:
        if check.report is not None:
            validation = check.report.to_dict()
        else:
            validation = validated or signature_checks.pending_validation()
    duplicates = find_duplicates(session, actor, data.issuer_name, data.code_number,
                                 data.code_notation)

    register = register_for(data.secrecy)
    year = today.year
    # the transition is checked before any write (its guard reads the actor only)
    with workflow_store.refusals():
        event = workflow.REGISTRATION.fire(data, actor, "register", [], at=utcnow())
    stored = None
    if check is not None:  # the blob and its row first: the document row refers to it
        stored = store_bytes(session, store, check.data, {PDF})
    now = utcnow()
    rows = RegistrationRows(
        counter_key=f"incoming:{actor.agency_id}:{register}:{year}",
        document={
            # registered: where REGISTRATION ends and the document's INCOMING handling starts
            "direction": Direction.INCOMING, "state": workflow.INCOMING.initial,
            "type_code": data.type_code, "type_name": DOCUMENT_TYPES[data.type_code],
            "code_number": data.code_number, "code_notation": data.code_notation,
            "issued_date": data.issued_date, "issuer_name": data.issuer_name,
            "issuer_id": data.issuer_id, "subject": data.subject,
            "description": data.description,
            "page_count": data.page_count or (check.page_count if check else None),
            "signer_name": data.signer_name, "signer_position": data.signer_position,
            "urgency": data.urgency, "secrecy": data.secrecy, "due_date": data.due_date,
            "arrival_date": today, "arrival_year": year, "register": register,
            "agency_id": actor.agency_id, "department_id": actor.department_id,
            "created_by_id": actor.id, "created_at": now, "updated_at": now,
            "current_file_sha": stored.sha256 if stored else None,
            "extra": {"validation": validation,
                      "signatures": validation["signatures"] if validation else [],
                      "duplicates_at_registration": duplicates},
        },
        access_keys=REGISTRATION_ACCESS,
        event={"machine": workflow.REGISTRATION.name, "transition": event.transition,
               "from_state": event.from_state, "to_state": event.to_state,
               "actor": event.actor, "at": event.at.replace(tzinfo=None)},
        file=None if check is None or stored is None else {
            "kind": "received", "sha256": stored.sha256,
            "filename": (filename or check.filename or "van-ban-den.pdf")[:255],
            "created_at": now, "created_by_id": actor.id},
        outbox={"created_at": now},
    )
    document_id, number = registration_rows.insert(session, rows)
    note_queued(session, document_id, classified=data.secrecy is not Clearance.NONE)
    if stored is not None and signature_checks.is_pending(validation):
        signature_checks.queue(session, document_id, stored.sha256)
    audit.append(session, "incoming.register", actor=actor, object_type="document",
                 object_id=document_id,
                 details={"from": event.from_state, "to": event.to_state,
                          "comment": ARRIVAL_COMMENT + str(number), "arrival_number": number,
                          "register": register, "year": year,
                          "verdict": validation["verdict"] if validation else None,
                          "duplicates": duplicates})
    return Registration(session, document_id, number, year, register, duplicates, validation)


REGISTRATION_ACCESS = ("role:clerk", "role:leader")
"""The access keys of a registered document (the clerks and the leaders of its agency)."""


def return_to_sender(session: Session, document: Document, actor: User, reason: str) -> None:
    """Trả lại nơi gửi (e.g. an invalid signature): the clerk gives the reason."""
    fire(session, workflow.INCOMING, document, actor, "return", comment=reason)

