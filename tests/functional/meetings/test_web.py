"""Web pages: the secretary creates a meeting and builds it, the chair signs, the secretary
distributes, a participant finds it in the inbox/calendar; dashboard panel and navigation."""

from __future__ import annotations

import io
import re

PASSPHRASE = "eoffice-demo"


def _flash_ok(resp) -> str:
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "flash-error" not in page, re.findall(r'flash-error[^>]*>([^<]*)', page)
    return page


def test_web_flow(app, client, auth, make_document, working_paper):
    doc_id = make_document()
    auth.login("thuky")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Họp không giấy" in dashboard and 'data-panel="meetings"' in dashboard
    resp = auth.post("/meetings/new", data={
        "title": "Họp chuyên đề chuyển đổi số", "kind": "chuyen_de",
        "starts_at": "2026-08-03T14:00", "ends_at": "2026-08-03T16:30",
        "location": "Phòng họp số 2", "chair": "chutich", "departments": ["VHTT"],
        "participants_users": ""}, follow_redirects=True)
    page = _flash_ok(resp)
    mid = int(re.search(r'/meetings/(\d+)/agenda"', page).group(1))
    assert f'<option value="{doc_id}">' in page  # the picker offers the issued document
    _flash_ok(auth.post(f"/meetings/{mid}/materials", data={"document_id": str(doc_id)},
                        follow_redirects=True))
    _flash_ok(auth.post(f"/meetings/{mid}/materials", data={
        "file": (io.BytesIO(working_paper), "Tài liệu tham khảo số 1.pdf")},
        content_type="multipart/form-data", follow_redirects=True))
    page = _flash_ok(auth.post(f"/meetings/{mid}/agenda", data={
        "agenda": "14:00 - 14:10 | Khai mạc | Văn phòng\n14:10 - 16:00 | Thảo luận | Các phòng"},
        follow_redirects=True))
    assert "Khai mạc" in page and "agenda-pdf" in page
    assert "distribute-form" not in page  # not before the chair signs

    client.post("/logout", data={"csrf_token": auth.csrf("/dashboard")})
    auth.login("chutich")
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "sign-agenda-form" in page
    _flash_ok(auth.post(f"/meetings/{mid}/sign", data={"passphrase": PASSPHRASE},
                        follow_redirects=True))

    client.post("/logout", data={"csrf_token": auth.csrf("/dashboard")})
    auth.login("thuky")
    page = _flash_ok(auth.post(f"/meetings/{mid}/distribute", follow_redirects=True))
    assert 'data-state="distributed"' in page

    client.post("/logout", data={"csrf_token": auth.csrf("/dashboard")})
    auth.login("chuyenvien")
    inbox = client.get("/meetings/").get_data(as_text=True)
    assert "Họp chuyên đề chuyển đổi số" in inbox and "Giấy mời họp" in inbox
    assert "Thứ Hai, 03/08/2026" in inbox  # calendar list by day
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "download-pack" in page and "Tài liệu tham khảo số 1.pdf" in page
    assert client.get(f"/meetings/{mid}/pack.zip").status_code == 200

    client.post("/logout", data={"csrf_token": auth.csrf("/dashboard")})
    auth.login("thuky")
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-user="chuyenvien"' in page  # who opened it


def test_create_form_errors_are_shown(auth):
    auth.login("thuky")
    page = auth.post("/meetings/new", data={"title": "", "starts_at": "2026-08-03T14:00",
                                            "location": "P2", "chair": "chutich"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Hãy nhập tên (nội dung) cuộc họp." in page


def test_new_meeting_page_is_for_secretaries(auth):
    auth.login("chuyenvien")
    assert auth.client.get("/meetings/new").status_code == 403
    assert auth.client.get("/meetings/").status_code == 200


def test_empty_material_picker_says_why(client, auth, new_meeting, make_document):
    mid = new_meeting()
    auth.login("thuky")
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'id="no-candidates"' in page and "đã ký số hoặc đã ban hành" in page
    assert '<select id="document_id"' not in page
    make_document()
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'id="no-candidates"' not in page and '<select id="document_id"' in page


def test_participants_are_chosen_by_name(client, auth):
    """A secretary does not know usernames: people are offered by full name and position."""
    auth.login("thuky")
    form = client.get("/meetings/new").get_data(as_text=True)
    assert "tên đăng nhập" not in form
    assert re.search(r'name="people" value="chuyenvien"\s*> Hoàng Văn Nam', form)
    assert 'value="admin"' not in form  # administrators do not attend meetings
    page = _flash_ok(auth.post("/meetings/new", data={
        "title": "Họp bàn kế hoạch số hóa", "kind": "chuyen_de",
        "starts_at": "03/08/2026 14:00", "location": "Phòng họp số 2", "chair": "chutich",
        "people": ["chuyenvien", "truongphong"]}, follow_redirects=True))
    members = re.search(r"Thành phần: ([^<]*)</p>", page).group(1)
    assert "Hoàng Văn Nam" in members and "Phạm Thu Hà" in members
    # the agenda box shows an example of its one-line-per-item form
    assert 'placeholder="08:00 - 08:15 | Khai mạc' in page
