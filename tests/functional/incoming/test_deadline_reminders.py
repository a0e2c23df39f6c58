"""Automatic deadline reminders (nhắc hạn): the periodic sweep reminds each open assignment
once before its deadline and once past it; leaders' đôn đốc counts stay theirs. (On Celery
with Redis: tests/functional/test_workers.py.)"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from eoffice import background
from eoffice.incoming.deadlines import TASK


@pytest.fixture
def directed(app, api, register, scan) -> int:
    """Registered on 2 March; VHTT leads (deadline 16 March), TCKH coordinates (10 March)."""
    app.config["TODAY"] = date(2026, 3, 2)
    doc_id = register(scan).get_json()["id"]
    resp = api.post(f"/api/v1/incoming/{doc_id}/direction", "chutich", json={
        "instruction": "Giao VHTT chủ trì.", "lead": "VHTT", "deadline": "2026-03-16",
        "coordinators": [{"handler": "TCKH", "deadline": "2026-03-10"}]})
    assert resp.status_code == 200, resp.get_json()
    return doc_id


def _sweep_on(app, day: date) -> list[tuple[str, str]]:
    from eoffice.db import db
    from eoffice.incoming.models import Reminder

    app.config["TODAY"] = day
    background.run(app, TASK)
    with app.app_context():
        rows = db.session.execute(sa.select(Reminder.kind, Reminder.message).where(
            Reminder.sender_id.is_(None)).order_by(Reminder.id)).all()
        db.session.rollback()
    return [(kind, message) for kind, message in rows]


def test_each_deadline_is_reminded_once_before_and_once_after(app, api, auth, directed):
    assert _sweep_on(app, date(2026, 3, 8)) == []  # nothing due in the next day
    sent = _sweep_on(app, date(2026, 3, 9))
    assert [kind for kind, _ in sent] == ["due_soon"]
    assert "sắp đến hạn" in sent[0][1] and "10/03/2026" in sent[0][1]
    assert len(_sweep_on(app, date(2026, 3, 9))) == 1  # every sweep, one reminder
    assert [kind for kind, _ in _sweep_on(app, date(2026, 3, 11))] == ["due_soon", "overdue"]
    # the leaders' đôn đốc stays theirs
    resp = api.post(f"/api/v1/incoming/{directed}/remind", "chutich", json={"message": "Nhanh"})
    assert resp.get_json()["reminders"] == 1
    auth.login("chutich")
    page = auth.client.get(f"/incoming/{directed}").get_data(as_text=True)
    assert 'id="deadline-reminders"' in page and "đã quá hạn xử lý (10/03/2026)" in page


def test_finished_work_and_a_new_deadline(app, api, directed):
    from eoffice.db import db
    from eoffice.incoming.models import Assignment

    with app.app_context(), db.transaction() as session:
        lead = session.scalars(sa.select(Assignment).where(Assignment.role == "lead")).one()
        coordinator = session.scalars(sa.select(Assignment).where(
            Assignment.role == "coordinator")).one()
        coordinator.state = "done"  # finished work is never reminded
        lead.deadline = date(2026, 3, 12)
    assert [k for k, _ in _sweep_on(app, date(2026, 3, 11))] == ["due_soon"]
    with app.app_context(), db.transaction() as session:
        session.scalars(sa.select(Assignment).where(Assignment.role == "lead")).one() \
            .deadline = date(2026, 3, 20)  # a new deadline: a reminder of its own
    assert [k for k, _ in _sweep_on(app, date(2026, 3, 19))] == ["due_soon", "due_soon"]
