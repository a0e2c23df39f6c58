"""Do the database, the file store, the search index and the audit chain agree?

``eoffice repair`` runs these checks after a crash; with ``--fix`` it removes what is safe to
remove (unreferenced blobs, stale temporary uploads), sets cached workflow states from their
histories and brings the index in line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice.db import unit_of_work
from eoffice.documents.models import StoredFile
from eoffice.storage import FileStore
from eoffice.workflow_store import EventRow

TMP_GRACE_SECONDS = 3600  # a temporary upload younger than this may still be in flight


@dataclass
class ConsistencyReport:
    missing_blobs: list[str] = field(default_factory=list)  # in the database, not on disk
    corrupt_blobs: list[str] = field(default_factory=list)  # content does not match the name
    orphan_blobs: list[str] = field(default_factory=list)  # on disk, in no database row
    stale_tmp: list[str] = field(default_factory=list)  # interrupted writes
    index_problems: dict[str, list[str]] = field(default_factory=dict)
    audit_problem: str | None = None
    state_mismatches: list[str] = field(default_factory=list)  # cached state ≠ history
    lost_signature_checks: list[str] = field(default_factory=list)  # pending, not queued
    stale_signature_checks: list[str] = field(default_factory=list)  # queued, not pending
    fixed_states: list[str] = field(default_factory=list)  # set from the history by --fix

    @property
    def ok(self) -> bool:
        return not (self.missing_blobs or self.corrupt_blobs or self.orphan_blobs
                    or self.stale_tmp or any(self.index_problems.values())
                    or self.audit_problem or self.state_mismatches
                    or self.lost_signature_checks or self.stale_signature_checks)

    def lines(self) -> list[str]:
        out: list[str] = []
        labels = [("Tệp mất (có trong CSDL, không có trên đĩa)", self.missing_blobs),
                  ("Tệp hỏng (nội dung không khớp sha256)", self.corrupt_blobs),
                  ("Tệp thừa (không thuộc văn bản nào)", self.orphan_blobs),
                  ("Tệp tạm còn sót", self.stale_tmp),
                  ("Trạng thái lưu khác trạng thái suy ra từ lịch sử xử lý",
                   self.state_mismatches),
                  ("Chữ ký đang chờ kiểm tra nhưng không có trong hàng đợi kiểm tra",
                   self.lost_signature_checks),
                  ("Hàng đợi kiểm tra chữ ký còn mục của văn bản đã có kết luận",
                   self.stale_signature_checks)]
        labels += [(f"Chỉ mục — {name}", ids) for name, ids in self.index_problems.items()]
        for label, items in labels:
            if items:
                out.append(f"{label}: {len(items)} — {', '.join(sorted(items)[:20])}")
        if self.audit_problem:
            out.append(f"Nhật ký: {self.audit_problem}")
        if self.fixed_states:
            out.append(f"Đã đặt lại trạng thái lưu theo lịch sử xử lý: {len(self.fixed_states)}"
                       f" — {', '.join(sorted(self.fixed_states)[:20])}")
        return out


def check_files(session: Session, store: FileStore, report: ConsistencyReport) -> None:
    known = set(session.scalars(sa.select(StoredFile.sha256)))
    on_disk = store.all_digests()
    for sha in sorted(known):
        if sha not in on_disk:
            report.missing_blobs.append(sha)
        elif not store.verify(sha):
            report.corrupt_blobs.append(sha)
    report.orphan_blobs = sorted(on_disk - known)
    report.stale_tmp = store.stale_temporaries(TMP_GRACE_SECONDS)


def check_audit(session: Session, report: ConsistencyReport) -> None:
    from eoffice.audit.operations import verify_chain

    _, problem = verify_chain(session)
    if problem is not None:
        report.audit_problem = f"mục {problem.entry_id}: {problem.reason}"


def _derived(machine: workflow.Machine, events: list[workflow.Event]) -> str | None:
    try:
        return machine.state_of(events)
    except workflow.InvalidHistory:
        return None


def _histories(session: Session, model: type[EventRow], *owner: str,
               where: sa.ColumnElement[bool] | None = None
               ) -> dict[tuple[Any, ...], list[workflow.Event]]:
    """Every subject's events in one event table, keyed by its ``owner`` columns."""
    query = sa.select(model).order_by(model.id)
    if where is not None:
        query = query.where(where)
    found: dict[tuple[Any, ...], list[workflow.Event]] = defaultdict(list)
    for row in session.scalars(query):
        found[tuple(getattr(row, c) for c in owner)].append(row.as_event())
    return found


def check_states(session: Session, report: ConsistencyReport, *, fix: bool = False) -> None:
    """Every document's, meeting's and exchange delivery's cached state equals the state its
    append-only history gives (outgoing/incoming, meeting, delivery machines). With ``fix``
    the cached state is set from the history (audited); a history that does not chain stays
    listed."""
    from eoffice.documents.models import Direction, Document, DocumentEvent
    from eoffice.exchange.models import ExchangeDelivery, ExchangeEvent
    from eoffice.meetings.models import Meeting, MeetingEvent

    machines = {Direction.OUTGOING: workflow.OUTGOING, Direction.INCOMING: workflow.INCOMING}
    documents = _histories(session, DocumentEvent, "document_id", "machine",
                           where=DocumentEvent.machine.in_([m.name for m in machines.values()]))
    meetings = _histories(session, MeetingEvent, "meeting_id")
    deliveries = _histories(session, ExchangeEvent, "delivery_id")
    cached: list[tuple[str, Any, str, int, str, str | None]] = []
    for doc_id, direction, state in session.execute(
            sa.select(Document.id, Document.direction, Document.state)):
        machine = machines.get(direction)
        if machine is not None:
            cached.append(("document", Document, "state", doc_id, state,
                           _derived(machine, documents.get((doc_id, machine.name), []))))
    for meeting_id, state in session.execute(sa.select(Meeting.id, Meeting.state)):
        cached.append(("meeting", Meeting, "state", meeting_id, state,
                       _derived(workflow.MEETING, meetings.get((meeting_id,), []))))
    for delivery_id, status in session.execute(
            sa.select(ExchangeDelivery.id, ExchangeDelivery.status)):
        cached.append(("delivery", ExchangeDelivery, "status",
                       delivery_id, status,
                       _derived(workflow.DELIVERY, deliveries.get((delivery_id,), []))))
    for kind, model, column, key, state, derived in cached:
        if derived == state:
            continue
        name = f"{kind}:{key}"
        if fix and derived is not None:
            _set_state(session, model, column, key, state, derived, name)
            report.fixed_states.append(name)
        else:
            report.state_mismatches.append(name)


def _set_state(session: Session, model: Any, column: str, key: int, old: str, new: str,
               name: str) -> None:
    from eoffice.audit import operations as audit

    session.execute(sa.update(model).where(model.id == key).values({column: new}))
    audit.append(session, "repair.state", actor="eoffice repair", object_type=name.split(":")[0],
                 object_id=key, details={"cached": old, "history": new})


def check_signature_queue(session: Session, report: ConsistencyReport) -> None:
    """Every document whose verdict is ``pending`` has its queued check (else nobody would
    ever write its verdict), and the queue holds only pending documents."""
    from eoffice.signature_checks import check_queue

    lost, stale = check_queue(session)
    report.lost_signature_checks = [f"document:{i}" for i in lost]
    report.stale_signature_checks = [f"document:{i}" for i in stale]


def fix_signature_queue(session: Session, report: ConsistencyReport) -> None:
    """Queue the lost checks again (a worker writes their verdicts), drop the stale rows."""
    from eoffice.signature_checks import fix_queue

    def ids(items: list[str]) -> list[int]:
        return [int(item.split(":", 1)[1]) for item in items]

    with unit_of_work(session):
        fix_queue(session, ids(report.lost_signature_checks),
                  ids(report.stale_signature_checks))
    report.lost_signature_checks, report.stale_signature_checks = [], []


def fix_files(store: FileStore, report: ConsistencyReport) -> None:
    """Remove what nothing refers to: orphan blobs (a crash between the file and the commit)
    and stale temporary files. Missing or corrupt blobs cannot be recreated: they stay listed."""
    for sha in report.orphan_blobs:
        store.delete(sha)
    for name in report.stale_tmp:
        store.remove_temporary(name)
    report.orphan_blobs, report.stale_tmp = [], []
