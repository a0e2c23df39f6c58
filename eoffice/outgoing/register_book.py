"""The outgoing register (sổ đăng ký văn bản đi): rows by year and register, and its PDF."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import User
from eoffice.documents.classified import masked_subject
from eoffice.documents.models import Document
from eoffice.outgoing.common import ISSUED_STATES, outgoing_query
from eoffice.outgoing.dispatch import dispatches_of
from eoffice.outgoing.drafting import REGISTER, REGISTERS
from eoffice.rendering.register_rows import OutgoingRegisterRow
from eoffice.rendering.types import clean_list_item


def register_documents(session: Session, user: User, year: int,
                       register: str = REGISTER) -> list[Document]:
    """Issued documents of one register and year, in number order (the user's view)."""
    query = (outgoing_query(user)
             .where(Document.state.in_(ISSUED_STATES), Document.register == register,
                    Document.issued_date >= date(year, 1, 1),
                    Document.issued_date <= date(year, 12, 31))
             .order_by(None).order_by(Document.code_number))
    return list(session.scalars(query))


def register_rows(session: Session, documents: list[Document]) -> list[OutgoingRegisterRow]:
    rows = []
    for doc in documents:
        sent = dispatches_of(session, doc)
        note = "Đã thu hồi" if doc.state == "recalled" else ""
        rows.append(OutgoingRegisterRow(
            code=doc.code or "", issued_date=doc.issued_date, type_name=doc.type_name,
            subject=masked_subject(doc) if doc.register == REGISTER else doc.subject,
            signer=doc.signer_name,
            recipients="; ".join(filter(None, map(clean_list_item, doc.recipients or [])))
            or ", ".join(d.recipient for d in sent),
            archive_holder=f"VT, {doc.department.abbreviation}", copies=doc.copies,
            transfer_date=sent[0].at.date() if sent else None, note=note))
    return rows


def register_pdf(session: Session, user: User, year: int, register: str = REGISTER) -> bytes:
    """The register printed as PDF; audited (``print``) whether the web or the API asks."""
    from eoffice.rendering.registers import render_outgoing_register

    documents = register_documents(session, user, year, register)
    agency = user.department.agency
    audit.append(session, "print", actor=user, object_type="register",
                 object_id=f"outgoing:{register}:{year}")
    return render_outgoing_register(register_rows(session, documents), agency=agency.name,
                                    year=year, register_name=REGISTERS.get(register, register))


def years_with_documents(session: Session) -> list[int]:
    dates = session.scalars(sa.select(Document.issued_date)
                            .where(Document.issued_date.is_not(None)).distinct())
    return sorted({d.year for d in dates if d}, reverse=True)


def register_xlsx(session: Session, user: User, year: int, register: str = REGISTER) -> bytes:
    """The same rows as the screen and the PDF, as an XLSX workbook; audited
    (``download``, format xlsx) whether the web or the API asks."""
    from eoffice.errors import Invalid
    from eoffice.rendering import outgoing_register_xlsx

    if register != REGISTER:
        raise Invalid("Sổ văn bản mật không được xuất ra tệp bảng tính; chỉ in sổ giấy (PDF) "
                      "theo quy định bảo vệ bí mật nhà nước.", code="classified")
    documents = register_documents(session, user, year, register)
    audit.append(session, "download", actor=user, object_type="register",
                 object_id=f"outgoing:{register}:{year}", details={"format": "xlsx"})
    return outgoing_register_xlsx(register_rows(session, documents), year=year)
