"""Unread markers on outgoing work (issue 16): a draft waiting for review or signature is new
to the reviewer/signer until opened; a draft sent back is new again to its drafter."""

from __future__ import annotations

import re

NEW_ROW = re.compile(r'<tr class="[^"]*\bnew\b[^"]*" data-id="(\d+)"')


def _new_rows(page: str) -> set[int]:
    return {int(i) for i in NEW_ROW.findall(page)}


def _panel(page: str, key: str) -> str:
    return page.split(f'data-panel="{key}"')[1].split("</article>")[0]


def test_review_and_returned_draft_markers(api, auth, new_draft, switch_user):
    doc_id = new_draft()
    auth.login("chuyenvien")
    # the drafter's own draft is not new to her
    assert 'class="badge new"' not in _panel(auth.client.get("/dashboard").get_data(
        as_text=True), "my_drafts")
    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").status_code == 200
    switch_user("truongphong")
    page = auth.client.get("/outgoing/?view=content_review").get_data(as_text=True)
    assert doc_id in _new_rows(page)
    assert re.search(r'Văn bản đi<span class="new-count"[^>]*>1</span>', page)
    assert 'class="badge new"' in _panel(auth.client.get("/dashboard").get_data(
        as_text=True), "content_review")
    auth.client.get(f"/outgoing/{doc_id}")
    page = auth.client.get("/outgoing/?view=content_review").get_data(as_text=True)
    assert doc_id not in _new_rows(page)
    resp = api.post(f"/api/v1/outgoing/{doc_id}/reject", "truongphong",
                    json={"comment": "Bổ sung kinh phí"})
    assert resp.status_code == 200, resp.get_json()
    # sent back: new to the drafter, flagged on her dashboard, cleared when she opens it
    switch_user("chuyenvien")
    panel = _panel(auth.client.get("/dashboard").get_data(as_text=True), "my_drafts")
    assert "Bị trả lại" in panel and 'class="badge new"' in panel
    assert auth.client.get(f"/outgoing/{doc_id}/edit").status_code == 200
    panel = _panel(auth.client.get("/dashboard").get_data(as_text=True), "my_drafts")
    assert "Bị trả lại" in panel and 'class="badge new"' not in panel
