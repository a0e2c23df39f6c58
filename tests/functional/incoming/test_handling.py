"""Direction (bút phê), re-assignment inside the unit, progress, completion, reminders,
inboxes and overdue work with a frozen clock."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def registered(app, register, scan) -> int:
    app.config["TODAY"] = date(2026, 3, 2)
    resp = register(scan, urgency="thuong")
    assert resp.status_code == 201
    return resp.get_json()["id"]


def _direct(api, doc_id: int, **extra):
    body = {"instruction": "Giao Phòng VHTT chủ trì, TCKH phối hợp tham mưu.", "lead": "VHTT",
            "coordinators": [{"handler": "TCKH", "deadline": "2026-03-10"}],
            "deadline": "2026-03-16", **extra}
    return api.post(f"/api/v1/incoming/{doc_id}/direction", "chutich", json=body)


def _audit_actions(app, doc_id: int) -> list[str]:
    import sqlalchemy as sa

    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.object_id == str(doc_id)).order_by(AuditEntry.id)))


def test_full_flow_direct_assign_note_complete(app, api, registered):
    doc_id = registered
    # a specialist cannot see it before it is assigned, nor direct it
    assert api.get(f"/api/v1/documents/{doc_id}", "chuyenvien").status_code == 404
    assert _direct(api, doc_id).status_code == 200
    doc = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert doc["state"] == "directed"
    assert [(h["role"], h["department"], h["deadline"]) for h in doc["handlers"]] == [
        ("lead", "VHTT", "2026-03-16"), ("coordinator", "TCKH", "2026-03-10")]
    # the head of VHTT sees the work to assign and gives it to chuyenvien
    pending = api.get("/api/v1/incoming?tab=pending", "truongphong").get_json()["items"]
    lead = next(i["assignment"] for i in pending if i["document_id"] == doc_id)
    resp = api.post(f"/api/v1/incoming/assignments/{lead['id']}/reassign", "truongphong",
                    json={"assignee": "chuyenvien"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["assignee"] == "chuyenvien"
    # outside the unit: refused
    bad = api.post(f"/api/v1/incoming/assignments/{lead['id']}/reassign", "truongphong",
                   json={"assignee": "thuky"})
    assert bad.status_code == 422
    mine = api.get("/api/v1/incoming?tab=pending", "chuyenvien").get_json()["items"]
    assert [i["document_id"] for i in mine] == [doc_id]
    base = f"/api/v1/incoming/assignments/{lead['id']}"
    assert api.post(f"{base}/start", "chuyenvien").get_json()["document_state"] == "in_progress"
    assert api.post(f"{base}/note", "chuyenvien",
                    json={"text": "Đã dự thảo kế hoạch"}).status_code == 200
    # someone else cannot complete it
    assert api.post(f"{base}/complete", "truongphong").status_code == 403
    done = api.post(f"{base}/complete", "chuyenvien", json={"result": "Đã tham mưu"})
    assert done.get_json()["state"] == "done"
    assert done.get_json()["document_state"] == "completed"
    assert [i["document_id"] for i in
            api.get("/api/v1/incoming?tab=done", "chuyenvien").get_json()["items"]] == [doc_id]
    history = api.get(f"/api/v1/documents/{doc_id}", "chuyenvien").get_json()["history"]
    actions = [h["action"] for h in history]
    for step in ("register", "direct", "assign", "reassign", "start", "note", "complete"):
        assert step in actions
    audit = _audit_actions(app, doc_id)
    for step in ("incoming.register", "incoming.direct", "assignment.reassign",
                 "assignment.start", "assignment.note", "assignment.complete"):
        assert step in audit


def test_only_leaders_direct_and_handlers_must_exist(api, registered):
    resp = api.post(f"/api/v1/incoming/{registered}/direction", "truongphong",
                    json={"lead": "VHTT"})
    assert resp.status_code == 403
    resp = _direct(api, registered, lead="KHONGCO")
    assert resp.status_code == 422
    assert "KHONGCO" in resp.get_json()["error"]["message"]


def test_direct_to_a_person_and_reminders_are_counted(api, registered):
    assert _direct(api, registered, lead="chuyenvien", coordinators=[]).status_code == 200
    assert api.get(f"/api/v1/documents/{registered}", "chuyenvien").status_code == 200
    for expected in (1, 2):
        resp = api.post(f"/api/v1/incoming/{registered}/remind", "chutich",
                        json={"message": "Đề nghị báo cáo trước ngày 10"})
        assert resp.get_json()["reminders"] == expected
    assert api.post(f"/api/v1/incoming/{registered}/remind", "vanthu").status_code == 403


def test_overdue_with_a_frozen_clock(app, api, auth, registered):
    assert _direct(api, registered).status_code == 200
    assert api.get("/api/v1/incoming?tab=overdue", "truongphong").get_json()["items"] == []
    app.config["TODAY"] = date(2026, 3, 11)  # TCKH (deadline 10/03) is late, VHTT is not
    overdue = api.get("/api/v1/incoming?tab=overdue", "chutich").get_json()["items"]
    assert [i["assignment"]["department"] for i in overdue] == ["TCKH"]
    app.config["TODAY"] = date(2026, 3, 17)
    overdue = api.get("/api/v1/incoming?tab=overdue", "chutich").get_json()["items"]
    assert sorted(i["assignment"]["department"] for i in overdue) == ["TCKH", "VHTT"]
    auth.login("chutich")
    page = auth.client.get("/incoming/statistics?year=2026").get_data(as_text=True)
    assert 'data-department="VHTT"' in page
    row = page.split('data-department="VHTT"')[1].split("</tr>")[0]
    assert '<td class="overdue">1</td>' in row
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    panel = dashboard.split('data-panel="overdue"')[1].split("</article>")[0]
    assert '<span class="count">2</span>' in panel


def test_urgent_documents_first(app, api, register, scan):
    app.config["TODAY"] = date(2026, 3, 2)
    normal = register(scan, subject="Văn bản thường").get_json()["id"]
    urgent = register(scan, subject="Văn bản hỏa tốc", urgency="hoa_toc").get_json()["id"]
    for doc_id in (normal, urgent):
        assert _direct(api, doc_id, coordinators=[]).status_code == 200
    items = api.get("/api/v1/incoming?tab=pending", "truongphong").get_json()["items"]
    assert [i["document_id"] for i in items] == [urgent, normal]


def test_but_phe_offers_handlers_and_people_as_coordinators(app, registered, auth, client):
    """No default lead; people who handle work (not admin, clerk, leaders) as lead or
    coordinator; a person as coordinator gets their own assignment."""
    auth.login("chutich")
    page = client.get(f"/incoming/{registered}").get_data(as_text=True)
    form = page.split('id="direct-form"')[1].split("</form>")[0]
    lead = form.split('<select name="lead" required>')[1].split("</select>")[0]
    assert lead.lstrip().startswith('<option value="">')  # nothing chosen for the leader
    for username in ("admin", "vanthu", "chutich"):
        assert f'value="{username}"' not in form, username
    assert 'value="chuyenvien"' in lead and 'value="truongphong"' in lead
    assert 'name="coordinators" value="chuyenvien"' in form
    resp = auth.post(f"/incoming/{registered}/direct", data={
        "instruction": "Phòng VHTT chủ trì; đồng chí Nam phối hợp.", "lead": "VHTT",
        "deadline": "16/03/2026", "coordinators": ["chuyenvien"],
        "deadline_chuyenvien": "10/03/2026"}, follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "flash-error" not in text
    assignments = text.split('id="assignments"')[1].split("</section>")[0]
    assert "Hoàng Văn Nam" in assignments and "10/03/2026" in assignments
