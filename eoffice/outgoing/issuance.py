"""Stage 2 (clerk): allocate the number, write number and date into the reserved fields,
add the agency seal signature — all or nothing, in the caller's transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

import signing
from eoffice import signing_services
from eoffice.auth.models import User
from eoffice.clock import Clock, agency_today
from eoffice.documents.models import Document
from eoffice.documents.numbering import next_value, peek_value
from eoffice.documents.operations import attach_file, fire
from eoffice.errors import Conflict
from eoffice.outgoing.common import MACHINE, ensure_allowed, subject_of
from eoffice.outgoing.signature import current_pdf, record_validation
from eoffice.rendering import reference_code, vn_date_text
from eoffice.signing_services import SigningSettings
from eoffice.storage import PDF, FileStore


def counter_key(document: Document, year: int) -> str:
    """One series per register and year (classified documents have their own register)."""
    agency_id = document.department.agency_id
    return f"outgoing:{agency_id}:{document.register}:{year}"


def code_for(document: Document, number: int) -> str:
    """``01/KH-UBND``; Công văn: agency + drafting unit, ``12/UBND-VP``."""
    agency = document.department.agency
    return reference_code(number, document.type_code, agency.abbreviation,
                          document.department.abbreviation)


def issue(session: Session, store: FileStore, document: Document, actor: User, *,
          settings: SigningSettings, passphrase: str | None = None, pin: str | None = None,
          clock: Clock | None = None) -> str:
    """Issue a signed document. Order matters: check, open the seal key, take the number,
    sign in memory, and only then store the file. Any failure raises before anything is
    recorded, and the caller's rollback returns the number."""
    ensure_allowed(session, document, actor, "issue")
    seal = signing_services.seal_signer(settings, passphrase=passphrase, pin=pin)
    pdf = current_pdf(store, document)
    today = (clock or agency_today)()
    number = next_value(session, counter_key(document, today.year))
    code = code_for(document, number)
    try:
        issued = signing.issue_document(
            pdf, number_text=code, date_text=vn_date_text(today), seal_signer=seal,
            seal_png=settings.seal_png, **signing_services.signing_options(settings))
    except signing_services.SIGNING_FAILURES as exc:
        raise signing_services.signing_failed(exc) from exc
    record_issue(session, store, document, actor, issued, number, code, today, settings)
    return document.state


def next_code(session: Session, document: Document, today: date) -> tuple[int, str]:
    """The number and code the next issuance in this series will get (nothing taken)."""
    number = peek_value(session, counter_key(document, today.year)) + 1
    return number, code_for(document, number)


def take_number(session: Session, document: Document, today: date, expected: int) -> None:
    """Take the number a token issuance prepared; another issuance in between → 409."""
    number = next_value(session, counter_key(document, today.year))
    if number != expected:
        raise Conflict("Số văn bản đã được cấp cho văn bản khác trong lúc ký; hãy ký lại.",
                       code="number_taken")


def record_issue(session: Session, store: FileStore, document: Document, actor: User,
                 issued: bytes, number: int, code: str, today: date,
                 settings: SigningSettings) -> None:
    """Keep the issued PDF, the number and date, the validation summary; fire ``issue``."""
    document.code_number = number
    document.code_notation = code.split("/", 1)[1]
    document.issued_date = today
    attach_file(session, store, document, "issued", issued, actor, accepted={PDF})
    record_validation(document, issued, settings)
    fire(session, MACHINE, document, actor, "issue", subject=subject_of(document),
         details={"number": number, "code": code, "issued_date": today.isoformat()})
