"""Statistics for leaders: incoming work received, handled on time and overdue per department
and month; share of incoming documents with valid digital signatures and share of outgoing
documents digitally signed, per department (the province's "digital-signature use" figure).

Counts only documents the viewing user may see (classified ones need clearance)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.auth.models import Department, User
from eoffice.documents.models import Direction, Document
from eoffice.documents.operations import visible_filter
from eoffice.incoming.models import LEAD, Assignment

SIGNED_OUTGOING_STATES = ("signed", "issued", "dispatched")


@dataclass
class WorkFigures:
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0


@dataclass
class SignatureFigures:
    incoming: int = 0
    incoming_valid: int = 0
    outgoing: int = 0
    outgoing_signed: int = 0

    @staticmethod
    def share(part: int, whole: int) -> float:
        return round(100.0 * part / whole, 1) if whole else 0.0

    @property
    def incoming_share(self) -> float:
        return self.share(self.incoming_valid, self.incoming)

    @property
    def outgoing_share(self) -> float:
        return self.share(self.outgoing_signed, self.outgoing)


@dataclass
class Statistics:
    year: int
    departments: list[Department]
    work: dict[tuple[str, int], WorkFigures] = field(default_factory=dict)
    by_department: dict[str, WorkFigures] = field(default_factory=dict)
    signatures: dict[str, SignatureFigures] = field(default_factory=dict)
    total: SignatureFigures = field(default_factory=SignatureFigures)

    def months(self) -> list[int]:
        return sorted({m for _, m in self.work})


def compute(session: Session, user: User, year: int, today: date) -> Statistics:
    departments = list(session.scalars(sa.select(Department).where(
        Department.agency_id == user.agency_id).order_by(Department.id)))
    stats = Statistics(year, departments)
    work: dict[tuple[str, int], WorkFigures] = defaultdict(WorkFigures)
    per_dept: dict[str, WorkFigures] = defaultdict(WorkFigures)
    rows = session.scalars(
        sa.select(Assignment).join(Document, Document.id == Assignment.document_id)
        .where(Assignment.active.is_(True), Document.arrival_year == year,
               visible_filter(user))).unique().all()
    for a in rows:
        month = a.document.arrival_date.month if a.document.arrival_date else 1
        for figures in (work[(a.department_code, month)], per_dept[a.department_code]):
            figures.received += 1
            if a.state == "done":
                if a.done_on_time():
                    figures.on_time += 1
                else:
                    figures.late += 1
            else:
                figures.open += 1
                if a.is_overdue(today):
                    figures.overdue += 1
    stats.work = dict(sorted(work.items(), key=lambda kv: (kv[0][1], kv[0][0])))
    stats.by_department = dict(per_dept)
    signatures: dict[str, SignatureFigures] = defaultdict(SignatureFigures)
    incoming = session.scalars(
        sa.select(Document).where(Document.direction == Direction.INCOMING,
                                  Document.arrival_year == year, visible_filter(user))
    ).unique().all()
    leads = {a.document_id: a.department_code for a in rows if a.role == LEAD}
    for d in incoming:
        code = leads.get(d.id, d.department.abbreviation)
        valid = (d.extra.get("validation") or {}).get("verdict") == "valid"
        for signed in (signatures[code], stats.total):
            signed.incoming += 1
            signed.incoming_valid += int(valid)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    outgoing = session.execute(
        sa.select(Document.department_id, Document.state, sa.func.count(Document.id))
        .where(Document.direction == Direction.OUTGOING, Document.created_at >= start,
               Document.created_at < end, visible_filter(user))
        .group_by(Document.department_id, Document.state)).all()
    codes = {d.id: d.abbreviation for d in departments}
    for dept_id, state, count in outgoing:
        for signed in (signatures[codes.get(dept_id, "?")], stats.total):
            signed.outgoing += int(count)
            if state in SIGNED_OUTGOING_STATES:
                signed.outgoing_signed += int(count)
    stats.signatures = dict(signatures)
    return stats
