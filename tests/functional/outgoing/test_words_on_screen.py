"""Words a clerk reads: full names, "15:42 29/11/2026", Vietnamese labels instead of codes,
flash messages that say what happened, recall apart with a reason and a confirmation."""

from __future__ import annotations

import re

SECRET = {"passphrase": "eoffice-demo"}
RAW_CODES = ("entire_revision", "entire_file", "form_filling", "toi_mat", "outgoing.create",
             "outgoing.submit", "incoming.register", ">none<", ">khan<")
VN_TIME = re.compile(r"\b\d\d:\d\d \d\d/\d\d/\d{4}\b")


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def _no_raw_codes(page: str) -> None:
    visible = re.sub(r'\s(?:data-[a-z-]+|class|name|value|id|href|action|title)="[^"]*"', "", page)
    for code in RAW_CODES:
        assert code not in visible, code


def test_rejection_shows_names_times_and_says_what_happened(client, auth, switch_user,
                                                           new_draft, api):
    doc_id = new_draft(urgency="khan")
    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").status_code == 200
    auth.login("truongphong")
    resp = auth.post(f"/outgoing/{doc_id}/reject", data={"comment": "Sửa lại số liệu"},
                     follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Đã trả lại dự thảo cho người soạn" in page and "Đã thực hiện" not in page
    history = page.split('id="history"')[1]
    assert "Phạm Thu Hà" in history and "Hoàng Văn Nam" in history
    assert "truongphong" not in _text(history) and "chuyenvien" not in _text(history)
    assert VN_TIME.search(history) and not re.search(r"\d{4}-\d\d-\d\d", _text(history))
    _no_raw_codes(page)
    switch_user("chuyenvien")
    edit = client.get(f"/outgoing/{doc_id}/edit").get_data(as_text=True)
    box = edit.split('id="rejection"')[1].split("</section>")[0]
    assert "Phạm Thu Hà" in box and "truongphong" not in box and VN_TIME.search(box)


def test_issued_document_page(client, auth, document_at):
    doc_id = document_at("issued", secrecy="none")
    auth.login("vanthu")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert "Tải bản DOCX" not in page  # nothing to edit once issued
    actions = page.split('id="actions"')[1].split("</section>")[0]
    assert "Thu hồi" not in actions  # not next to "Phát hành"
    recall = page.split('id="recall"')[1].split("</section>")[0]
    assert 'name="comment" required' in recall and 'name="confirm" value="1" required' in recall
    _no_raw_codes(page)
    assert "ký lúc" in page and VN_TIME.search(page.split('id="signatures"')[1])
    # without the confirmation nothing happens
    refused = auth.post(f"/outgoing/{doc_id}/recall", data={"comment": "Sai số liệu"},
                        follow_redirects=True).get_data(as_text=True)
    assert "xác nhận" in refused and 'data-state="issued"' in refused
    done = auth.post(f"/outgoing/{doc_id}/recall", data={"comment": "Sai số liệu",
                                                         "confirm": "1"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Đã thu hồi văn bản" in done and 'data-state="recalled"' in done


def test_audit_log_in_words(client, auth, new_draft):
    new_draft()
    auth.login("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Đăng nhập" in page
    _no_raw_codes(page)
    assert "Hoàng Văn Nam" in page and VN_TIME.search(page)


def test_declassify_flash_says_what_happened(client, auth, document_at):
    doc_id = document_at("issued", secrecy="none")
    auth.login("vanthu")
    up = auth.post(f"/documents/{doc_id}/reclassify",
                   data={"secrecy": "mat", "next": f"/outgoing/{doc_id}",
                         "confirm_remove_files": "1"},
                   follow_redirects=True).get_data(as_text=True)
    assert "Đã đặt độ mật “Mật”" in up
    down = auth.post(f"/documents/{doc_id}/reclassify",
                     data={"secrecy": "none", "next": f"/outgoing/{doc_id}"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Đã bỏ độ mật" in down and "không còn trong kết quả tìm kiếm" not in down


def test_first_page_image_for_phones_follows_document_access(client, auth, switch_user,
                                                             new_draft):
    doc_id = new_draft()
    auth.login("chuyenvien")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert f'src="/documents/{doc_id}/page-1.png"' in page
    image = client.get(f"/documents/{doc_id}/page-1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"/documents/{doc_id}/page-1.png").data == image.data  # cached
    switch_user("thuky")  # may not see the draft: as for a missing id
    assert client.get(f"/documents/{doc_id}/page-1.png").status_code == 404
    assert client.get("/documents/999999/page-1.png").status_code == 404


def test_drafter_dashboard_flags_a_returned_draft(client, auth, api, new_draft):
    kept = new_draft(subject="Dự thảo chưa trình omega")
    doc_id = new_draft(subject="Dự thảo bị trả lại sigma")
    assert api.post(f"/api/v1/outgoing/{doc_id}/submit", "chuyenvien").status_code == 200
    assert api.post(f"/api/v1/outgoing/{doc_id}/reject", "truongphong",
                    json={"comment": "Bổ sung số liệu"}).status_code == 200
    auth.login("chuyenvien")
    page = client.get("/dashboard").get_data(as_text=True)
    panel = page.split('data-panel="my_drafts"')[1].split("</article>")[0]
    first, second = panel.index("Dự thảo bị trả lại sigma"), panel.index("Dự thảo chưa trình")
    assert first < second  # returned first
    returned = panel[first:second]
    assert "Bị trả lại" in returned and "Phạm Thu Hà" in returned
    assert "Bổ sung số liệu" in returned and f"/outgoing/{doc_id}/edit" in panel
    assert "Bị trả lại" not in panel[second:] and kept


def test_department_dashboard_lists_documents_dispatched_to_it(client, auth, api, document_at):
    doc_id = document_at("issued", subject="Thông báo lịch trực tết lambda")
    assert api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": ["TCKH", "VHTT"]}).status_code == 200
    auth.login("truongphong")  # head of VHTT
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-panel="received"' in page
    panel = page.split('data-panel="received"')[1].split("</article>")[0]
    assert "lịch trực tết lambda" in panel and f"/outgoing/{doc_id}" in panel


def test_recipients_sent_to_are_named(client, auth, document_at):
    """'Nơi nhận đã gửi' names departments as people know them, not by their code."""
    doc_id = document_at("dispatched", secrecy="none")
    auth.login("vanthu")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    sent = page.split("Nơi nhận đã gửi")[1].split("</section>")[0]
    assert re.search(r'data-recipient="TCKH">Phòng Tài chính - Kế hoạch · \d\d:\d\d', sent)
    assert "TCKH (phòng ban)" not in sent
