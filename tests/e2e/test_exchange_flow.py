"""Liên thông inside one deployment, in the browser: Vĩnh Yên's clerk issues and dispatches
to UBND tỉnh Vĩnh Phúc; the province clerk sees it in the exchange inbox with a valid
verdict and filled metadata and accepts it; the province leader directs it; Vĩnh Yên's
document page shows 01 → 03 → 04 with their times."""

from __future__ import annotations

import re

import pytest
import requests

pytestmark = pytest.mark.e2e
PASSPHRASE = "eoffice-demo"
PROVINCE = "000.00.00.H62"


def _api(base: str, username: str) -> requests.Session:
    session = requests.Session()
    resp = session.post(f"{base}/api/v1/auth/token", timeout=60,
                        json={"username": username, "password": PASSPHRASE})
    assert resp.status_code == 200, resp.text
    session.headers["Authorization"] = f"Bearer {resp.json()['token']}"
    return session


def _signed_draft(base: str, subject: str) -> int:
    """Drafted, approved and signed through the API (the browser steps are the exchange)."""
    resp = _api(base, "chuyenvien").post(f"{base}/api/v1/outgoing", timeout=60, json={
        "type_code": "CV", "subject": subject, "signer": "chutich", "urgency": "khan",
        "body": ["UBND thành phố Vĩnh Yên báo cáo UBND tỉnh như sau:", "1. Kết quả."],
        "recipients": ["UBND tỉnh Vĩnh Phúc"]})
    assert resp.status_code == 201, resp.text
    doc_id = resp.json()["id"]
    for user, action, body in [("chuyenvien", "submit", {}), ("truongphong", "approve", {}),
                               ("vanthu", "approve", {}),
                               ("chutich", "sign", {"passphrase": PASSPHRASE})]:
        resp = _api(base, user).post(f"{base}/api/v1/outgoing/{doc_id}/{action}", json=body,
                                     timeout=120)
        assert resp.status_code == 200, (action, resp.text)
    return doc_id


def test_dispatch_accept_direct_statuses_back(login_as, live_server):
    base = live_server.url
    subject = "Báo cáo kết quả chuyển đổi số quý IV năm 2026"
    doc_id = _signed_draft(base, subject)
    doc_url = f"{base}/outgoing/{doc_id}"

    page = login_as("vanthu")
    page.goto(doc_url)
    issue = page.locator("form.action-issue")
    issue.locator("input[name=passphrase]").fill(PASSPHRASE)
    issue.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#document").get_attribute("data-state") == "issued"
    code = re.search(r"số (\S+)", page.locator("#document h1").inner_text()).group(1)
    dispatch = page.locator("form.action-dispatch")
    dispatch.locator(f"#dispatch-agencies input[value='{PROVINCE}']").check()
    dispatch.locator("button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator(f"#deliveries tr[data-agency='{PROVINCE}']")
    assert row.get_attribute("data-status") == "01"

    page = login_as("vanthutinh")
    page.goto(f"{base}/exchange/inbox")
    item = page.locator("#exchange-inbox tbody tr", has_text=subject)
    assert item.count() == 1
    assert item.locator("[data-verdict]").get_attribute("data-verdict") == "valid"
    assert "hợp lệ" in item.locator("[data-verdict]").inner_text()
    assert item.locator("td.code").inner_text() == code
    assert "UBND thành phố Vĩnh Yên" in item.inner_text() and "Công văn" in item.inner_text()
    assert "urgent" in (item.get_attribute("class") or "")  # khẩn: flagged red
    item.locator("form.accept button").click()
    page.wait_for_load_state()
    flash = " ".join(page.locator(".flash").all_inner_texts())
    assert "số đến" in flash, flash

    page = login_as("chutichtinh")
    page.goto(f"{base}/incoming")
    page.locator("#incoming-list a", has_text=subject).click()
    page.wait_for_load_state()
    page.fill("#direct-form textarea[name=instruction]", "Văn phòng UBND tỉnh tổng hợp.")
    page.select_option("#direct-form select[name=lead]", "VP")
    page.click("#direct-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#incoming-state").get_attribute("data-state") == "directed"

    page = login_as("vanthu")
    page.goto(doc_url)
    row = page.locator(f"#deliveries tr[data-agency='{PROVINCE}']")
    assert row.get_attribute("data-status") == "04"
    steps = row.locator("li[data-status]")
    assert [steps.nth(i).get_attribute("data-status") for i in range(steps.count())] == [
        "01", "03", "04"]
    for i in range(3):  # each with its time
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", steps.nth(i).inner_text())
    assert "Phân công" in steps.nth(2).inner_text()
