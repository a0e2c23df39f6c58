"""Unread markers outside meetings (issue 16): an incoming document directed or assigned to
someone is "Mới" in their lists, dashboard and menu until they open it, per user."""

from __future__ import annotations

import re
from datetime import date

NEW_ROW = re.compile(r'<tr class="[^"]*\bnew\b[^"]*" data-id="(\d+)"')


def _new_rows(page: str) -> set[int]:
    return {int(i) for i in NEW_ROW.findall(page)}


def _menu_count(page: str, label: str) -> int:
    match = re.search(re.escape(label) + r'<span class="new-count"[^>]*>(\d+)</span>', page)
    return int(match.group(1)) if match else 0


def test_directed_document_is_new_until_opened_per_user(app, api, auth, register, scan):
    app.config["TODAY"] = date(2026, 3, 2)
    first = register(scan, subject="Về việc tổ chức lễ hội xuân").get_json()["id"]
    second = register(scan, subject="Về việc phòng chống dịch").get_json()["id"]
    # the leader sees both waiting for direction, new to him
    auth.login("chutich")
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    panel = dashboard.split('data-panel="to_direct"')[1].split("</article>")[0]
    assert panel.count('class="badge new"') == 2 and "2 mới" in panel
    assert _menu_count(dashboard, "Văn bản đến") == 2
    listing = auth.client.get("/incoming?tab=to_direct").get_data(as_text=True)
    assert _new_rows(listing) == {first, second}
    assert re.search(r'data-tab="to_direct">Chờ bút phê <span class="count">2</span>', listing)
    # opening one clears its marker for him only
    assert auth.client.get(f"/incoming/{first}").status_code == 200
    listing = auth.client.get("/incoming?tab=to_direct").get_data(as_text=True)
    assert _new_rows(listing) == {second}
    assert _menu_count(listing, "Văn bản đến") == 1
    # he directs it to VHTT: new for the head of VHTT, not for him (his own action)
    resp = api.post(f"/api/v1/incoming/{first}/direction", "chutich", json={
        "instruction": "Giao Phòng VHTT chủ trì.", "lead": "VHTT", "deadline": "2026-03-16"})
    assert resp.status_code == 200, resp.get_json()
    auth.post("/logout")
    auth.login("truongphong")
    head = auth.client.get("/incoming?tab=pending").get_data(as_text=True)
    assert first in _new_rows(head)
    assert _menu_count(head, "Văn bản đến") >= 1
    auth.client.get(f"/incoming/{first}")
    head = auth.client.get("/incoming?tab=pending").get_data(as_text=True)
    assert first not in _new_rows(head) and _menu_count(head, "Văn bản đến") == 0
    # the leader's read state is his own: the second document is still new to him
    auth.post("/logout")
    auth.login("chutich")
    listing = auth.client.get("/incoming?tab=to_direct").get_data(as_text=True)
    assert _new_rows(listing) == {second}


def test_read_marks_are_stored_per_user_and_kind(app, api, register, scan):
    import sqlalchemy as sa

    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.documents import reads

    app.config["TODAY"] = date(2026, 3, 2)
    doc_id = register(scan).get_json()["id"]
    with app.app_context():
        leader = db.session.scalar(sa.select(User).where(User.username == "chutich"))
        clerk = db.session.scalar(sa.select(User).where(User.username == "vanthu"))
        assert reads.new_documents(db.session, leader, [doc_id]) == {doc_id}
        assert reads.new_documents(db.session, clerk, [doc_id]) == set()  # she registered it
        reads.mark_seen(db.session, leader, reads.DOCUMENT, [doc_id])
        reads.mark_seen(db.session, leader, reads.DOCUMENT, [doc_id])  # twice: an upsert
        db.session.commit()
        assert reads.new_documents(db.session, leader, [doc_id]) == set()
        assert reads.unseen(db.session, leader, reads.DELIVERY, [doc_id]) == {doc_id}
