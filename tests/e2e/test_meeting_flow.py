"""Acceptance 1 of paperless meetings in a real browser: thuky creates a meeting chaired by
chutich with VHTT as participants, adds an issued document and an uploaded working paper,
generates the agenda; chutich signs it; thuky distributes; chuyenvien opens it on a phone-
sized screen and downloads the pack; pdfsig trusting the instance's dev root reports the
agenda's signature valid."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
import zipfile

import pytest
from hostile_files import plain_pdf

pytestmark = pytest.mark.e2e
PASSPHRASE = "eoffice-demo"
TITLE = "Giao ban công tác văn hóa, thông tin tháng 7"


def _api(base: str, method: str, path: str, token: str | None = None,
         body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode() if method == "POST" else None
    request = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310 (local server)
        return json.loads(resp.read())


def _issued_document(base: str) -> tuple[int, str]:
    """Draft → issued through the outgoing API, dispatched to VP (the secretary's office)."""
    tokens = {u: _api(base, "POST", "/auth/token", body={"username": u,
                                                        "password": PASSPHRASE})["token"]
              for u in ("chuyenvien", "truongphong", "vanthu", "chutich")}
    subject = "Tổ chức Ngày hội Văn hóa các dân tộc thành phố năm 2026"
    doc = _api(base, "POST", "/outgoing", tokens["chuyenvien"], {
        "type_code": "KH", "subject": subject, "signer": "chutich",
        "authority": "TM. ỦY BAN NHÂN DÂN", "body": ["Thực hiện chỉ đạo của UBND tỉnh."],
        "recipients": ["Các phòng, ban thuộc UBND thành phố"]})
    doc_id = doc["id"]
    for route, user, body in [("submit", "chuyenvien", None), ("approve", "truongphong", None),
                              ("approve", "vanthu", None),
                              ("sign", "chutich", {"passphrase": PASSPHRASE}),
                              ("issue", "vanthu", {"passphrase": PASSPHRASE}),
                              ("dispatch", "vanthu", {"recipients": ["VP"]})]:
        _api(base, "POST", f"/outgoing/{doc_id}/{route}", tokens[user], body)
    return doc_id, subject


def _nss_db(directory, root) -> str:
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"],
                   check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "root", "-t", "CT,C,C",
                    "-i", str(root)], check=True, capture_output=True)
    return f"sql:{directory}"


def _submit(page, form: str) -> None:
    """Submit a form with the keyboard (Enter on its button) and wait for the next page.

    A click can be swallowed while the embedded PDF viewer of the same page is starting
    (seen in headless Chromium when earlier tests opened PDFs); Enter on the focused submit
    button is what a keyboard user does and submits the same form."""
    button = page.locator(f"{form} button[type=submit]")
    with page.expect_navigation():
        button.focus()
        button.press("Enter")


def _flash_ok(page) -> None:
    errors = page.locator(".flash-error")
    assert errors.count() == 0, errors.all_inner_texts()


def test_meeting_flow_in_the_browser(login_as, live_server, tmp_path):
    base = live_server.url
    doc_id, subject = _issued_document(base)

    page = login_as("thuky")
    page.click("nav >> text=Họp không giấy")
    page.click("#new-meeting")
    page.fill("#title", TITLE)
    page.select_option("#kind", "giao_ban")
    page.fill("#starts_at", "20/07/2026 08:00")
    page.fill("#ends_at", "20/07/2026 10:30")
    page.fill("#location", "Phòng họp tầng 3, UBND thành phố")
    page.select_option("#chair", "chutich")
    page.check("#dept-VHTT")
    page.locator("#meeting-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    _flash_ok(page)

    page.select_option("#document_id", str(doc_id))
    _submit(page, "#add-document-form")
    _flash_ok(page)
    page.set_input_files("#file", files=[{"name": "Báo cáo tham luận Phòng VHTT.pdf",
                                           "mimeType": "application/pdf",
                                           "buffer": plain_pdf("Bao cao tham luan")}])
    _submit(page, "#upload-form")
    _flash_ok(page)
    materials = page.locator("#materials li.material")
    assert materials.count() == 2
    assert "Tài liệu tham khảo" in materials.nth(1).inner_text()
    page.fill("#agenda-text", "08:00 - 08:15 | Khai mạc | Văn phòng\n"
                              "08:15 - 10:00 | Báo cáo kết quả tháng 7 | Phòng VHTT\n"
                              "10:00 - 10:30 | Kết luận | Chủ tịch UBND")
    _submit(page, "#agenda-form")
    _flash_ok(page)
    assert page.locator("#agenda-pdf").count() == 1
    assert page.locator("#distribute-form").count() == 0

    page = login_as("chutich")
    page.goto(meeting_url)
    page.locator("#sign-agenda-form input[name=passphrase]").fill(PASSPHRASE)
    _submit(page, "#sign-agenda-form")
    _flash_ok(page)
    assert page.locator("#meeting").get_attribute("data-state") == "agenda_signed"

    page = login_as("thuky")
    page.goto(meeting_url)
    _submit(page, "#distribute-form")
    _flash_ok(page)
    assert page.locator("#meeting").get_attribute("data-state") == "distributed"

    page = login_as("chuyenvien")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/meetings/")
    assert page.locator("#notifications").inner_text().count("Giấy mời họp") == 1
    page.locator(f"#calendar a:has-text('{TITLE}')").click()
    page.wait_for_url(meeting_url)
    assert page.locator("#agenda iframe").count() == 1  # PDF preview in the browser
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as info:
        page.click("#download-pack")
    archive = tmp_path / "pack.zip"
    info.value.save_as(archive)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert len(names) == 3
        assert names[0].startswith("01 - Giấy mời và chương trình - Giao ban công tác")
        assert subject in names[1]
        assert names[2] == "03 - Tài liệu tham khảo - Báo cáo tham luận Phòng VHTT.pdf"
        agenda = tmp_path / "agenda.pdf"
        agenda.write_bytes(zf.read(names[0]))

    nss = _nss_db(tmp_path / "nss", live_server.instance / "pki" / "root.pem")
    out = subprocess.run(["pdfsig", "-nssdir", nss, str(agenda)], capture_output=True,
                         text=True).stdout
    assert "Signature is Valid." in out, out
    assert "Certificate is Trusted." in out, out

    page = login_as("thuky")
    page.goto(meeting_url)
    assert page.locator("#openings tr[data-user=chuyenvien]").count() == 1
