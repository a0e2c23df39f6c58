"""Do the database, the file store, the search index and the audit chain agree?

``eoffice repair`` runs these checks after a crash; with ``--fix`` it removes what is safe to
remove (unreferenced blobs, stale temporary uploads) and brings the index in line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

import workflow
from eoffice.documents.models import StoredFile
from eoffice.storage import FileStore

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


def _derived(machine: workflow.Machine, events: list[workflow.Event]) -> str:
    try:
        return machine.state_of(events)
    except workflow.InvalidHistory:
        return "?"


def check_states(session: Session, report: ConsistencyReport) -> None:
    """Every document's and meeting's cached ``state`` equals the state its append-only
    history gives (outgoing/incoming/meeting machines)."""
    from eoffice.documents.models import Direction, Document, DocumentEvent
    from eoffice.meetings.models import Meeting, MeetingEvent

    machines = {Direction.OUTGOING: workflow.OUTGOING, Direction.INCOMING: workflow.INCOMING}
    history: dict[int, list[workflow.Event]] = defaultdict(list)
    for r in session.scalars(sa.select(DocumentEvent).where(DocumentEvent.machine.in_(
            [m.name for m in machines.values()])).order_by(DocumentEvent.id)):
        history[r.document_id].append(workflow.Event(
            transition=r.transition, from_state=r.from_state, to_state=r.to_state,
            actor=r.actor, at=r.at, comment=r.comment))
    for doc_id, direction, state in session.execute(
            sa.select(Document.id, Document.direction, Document.state)):
        machine = machines.get(direction)
        if machine is not None and _derived(machine, history.get(doc_id, [])) != state:
            report.state_mismatches.append(f"document:{doc_id}")
    meeting_history: dict[int, list[workflow.Event]] = defaultdict(list)
    for m in session.scalars(sa.select(MeetingEvent).order_by(MeetingEvent.id)):
        meeting_history[m.meeting_id].append(workflow.Event(
            transition=m.transition, from_state=m.from_state, to_state=m.to_state,
            actor=m.actor, at=m.at, comment=getattr(m, "comment", "") or ""))
    for meeting_id, state in session.execute(sa.select(Meeting.id, Meeting.state)):
        if _derived(workflow.MEETING, meeting_history.get(meeting_id, [])) != state:
            report.state_mismatches.append(f"meeting:{meeting_id}")


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

    fix_queue(session, ids(report.lost_signature_checks), ids(report.stale_signature_checks))
    session.commit()
    report.lost_signature_checks, report.stale_signature_checks = [], []


def fix_files(store: FileStore, report: ConsistencyReport) -> None:
    """Remove what nothing refers to: orphan blobs (a crash between the file and the commit)
    and stale temporary files. Missing or corrupt blobs cannot be recreated: they stay listed."""
    for sha in report.orphan_blobs:
        store.delete(sha)
    for name in report.stale_tmp:
        store.remove_temporary(name)
    report.orphan_blobs, report.stale_tmp = [], []
