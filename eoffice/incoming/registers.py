"""The incoming register and the tracking register (sổ theo dõi giải quyết văn bản đến):
the same rows on screen, in the printable PDF and in the XLSX export."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice.audit import operations as audit
from eoffice.auth.models import Agency, Clearance, User
from eoffice.documents.classified import masked_subject
from eoffice.documents.models import URGENCY_LABELS, Direction, Document, Urgency
from eoffice.documents.operations import visible_filter
from eoffice.i18n import N_
from eoffice.incoming.models import COORDINATOR, LEAD, LEADER_REMINDER, Assignment, Reminder
from eoffice.incoming.registration import GENERAL_REGISTER, REGISTER_LABELS
from eoffice.rendering.register_rows import IncomingRegisterRow, TrackingRegisterRow

RECLASSIFIED_NOTE = "Vào sổ chung, sau đó được xác định là văn bản mật"
KINDS = {"incoming": N_("Sổ đăng ký văn bản đến"),
         "tracking": N_("Sổ theo dõi giải quyết văn bản đến")}


def register_documents(session: Session, user: User, year: int,
                       register: str = GENERAL_REGISTER) -> list[Document]:
    """The year's documents of one register in arrival order (only those the user may see).
    A classified register also lists documents classified after they entered the general one."""
    in_register = Document.register == register
    if register != GENERAL_REGISTER:
        in_register = sa.or_(in_register, sa.and_(Document.register == GENERAL_REGISTER,
                                                  Document.secrecy != Clearance.NONE))
    return list(session.scalars(
        sa.select(Document).where(Document.direction == Direction.INCOMING,
                                  Document.arrival_year == year, in_register,
                                  visible_filter(user))
        .order_by(Document.arrival_number)).unique())


def _assignments(session: Session, ids: list[int]) -> dict[int, list[Assignment]]:
    out: dict[int, list[Assignment]] = {i: [] for i in ids}
    if ids:
        for a in session.scalars(sa.select(Assignment).where(
                Assignment.document_id.in_(ids), Assignment.active.is_(True))
                .order_by(Assignment.id)):
            out[a.document_id].append(a)
    return out


def _reminders(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(sa.select(Reminder.document_id, sa.func.count(Reminder.id))
                           .where(Reminder.document_id.in_(ids),
                                  Reminder.kind == LEADER_REMINDER)
                           .group_by(Reminder.document_id)).all()
    return {doc_id: int(n) for doc_id, n in rows}


def _transfer_date(assignments: list[Assignment]) -> date | None:
    return min((a.created_at.date() for a in assignments), default=None)


def incoming_rows(session: Session, user: User, year: int,
                  register: str = GENERAL_REGISTER) -> list[IncomingRegisterRow]:
    docs = register_documents(session, user, year, register)
    handlers = _assignments(session, [d.id for d in docs])
    rows = []
    for d in docs:
        lead = [a for a in handlers[d.id] if a.role == LEAD]
        note = []
        if Urgency(d.urgency).is_urgent:
            note.append(URGENCY_LABELS[Urgency(d.urgency)])
        if d.state == "returned":
            note.append("Đã trả lại nơi gửi")
        recalled = d.extra.get("recalled_by_sender")
        if recalled:
            why = recalled.get("reason") or "không nêu lý do"
            note.append(f"Nơi gửi đã lấy lại văn bản ({why})")
        verdict = (d.extra.get("validation") or {}).get("label")
        if verdict:
            note.append(f"Chữ ký số: {verdict}")
        if d.register != register:
            note.append(RECLASSIFIED_NOTE)
        rows.append(IncomingRegisterRow(
            arrival_date=d.arrival_date, arrival_number=d.arrival_number or "",
            issuer=d.issuer_name, code=d.code or (d.code_notation or ""),
            issued_date=d.issued_date, type_name=d.type_name,
            subject=_subject(d, register), recipient="; ".join(a.handler_label for a in lead),
            transfer_date=_transfer_date(handlers[d.id]), note="; ".join(note)))
    return rows


def _subject(document: Document, register: str) -> str:
    """General and tracking registers of the general book never show a classified subject."""
    return masked_subject(document) if register == GENERAL_REGISTER else document.subject


def progress_text(document: Document, assignments: list[Assignment], today: date) -> str:
    state = workflow.INCOMING.label(document.state)
    lead = next((a for a in assignments if a.role == LEAD), None)
    if lead is not None and lead.notes and document.state != "completed":
        state += f": {lead.notes[-1].text}"
    if lead is not None and lead.state == "done" and lead.completed_on:
        state += f" ngày {lead.completed_on.strftime('%d/%m/%Y')}"
        state += " (đúng hạn)" if lead.done_on_time() else " (quá hạn)"
    elif any(a.is_overdue(today) for a in assignments):
        state += " (quá hạn)"
    return state


def tracking_rows(session: Session, user: User, year: int, today: date,
                  register: str = GENERAL_REGISTER) -> list[TrackingRegisterRow]:
    docs = register_documents(session, user, year, register)
    ids = [d.id for d in docs]
    handlers = _assignments(session, ids)
    reminders = _reminders(session, ids)
    rows = []
    for d in docs:
        mine = handlers[d.id]
        lead = next((a for a in mine if a.role == LEAD), None)
        note = f"Đôn đốc {reminders[d.id]} lần" if reminders.get(d.id) else ""
        rows.append(TrackingRegisterRow(
            arrival_number=d.arrival_number or "", arrival_date=d.arrival_date,
            issuer=d.issuer_name, code=d.code or (d.code_notation or ""),
            type_name=d.type_name, subject=_subject(d, register),
            lead=lead.handler_label if lead else "",
            coordinators="; ".join(a.handler_label for a in mine if a.role == COORDINATOR),
            deadline=lead.deadline if lead else d.due_date,
            progress=progress_text(d, mine, today), note=note))
    return rows


def agency_name(session: Session, user: User) -> str:
    agency = session.get(Agency, user.agency_id)
    return agency.name if agency else ""


def render(session: Session, user: User, kind: str, fmt: str, year: int, today: date,
           register: str = GENERAL_REGISTER) -> bytes:
    """The register as ``pdf`` or ``xlsx`` bytes; audited (``print`` / ``export``) whichever
    entry point asks."""
    from eoffice.rendering import registers as pdf
    from eoffice.rendering import registers_xlsx as xlsx

    name = REGISTER_LABELS.get(register, register)
    if fmt == "xlsx" and register != GENERAL_REGISTER:
        from eoffice.errors import Invalid

        raise Invalid("Sổ văn bản mật không được xuất ra tệp bảng tính; chỉ in sổ giấy (PDF) "
                      "theo quy định bảo vệ bí mật nhà nước.", code="classified")
    audit.append(session, "print" if fmt == "pdf" else "export", actor=user,
                 object_type="register", object_id=f"{kind}:{register}:{year}",
                 details={"format": fmt})
    if kind == "incoming":
        rows = incoming_rows(session, user, year, register)
        if fmt == "pdf":
            return pdf.render_incoming_register(rows, agency=agency_name(session, user), year=year,
                                                register_name=name)
        return xlsx.incoming_register_xlsx(rows, year=year)
    tracking = tracking_rows(session, user, year, today, register)
    if fmt == "pdf":
        return pdf.render_tracking_register(tracking, agency=agency_name(session, user), year=year,
                                            register_name=name)
    return xlsx.tracking_register_xlsx(tracking, year=year)
