"""Acceptance 1: the whole outgoing flow in a real browser — chuyenvien drafts, truongphong
approves the content, vanthu the format, chutich signs, vanthu issues — and the issued PDF
downloaded from the page carries two valid signatures, the code and the date."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest

pytestmark = pytest.mark.e2e
PASSPHRASE = "eoffice-demo"


def _state(page) -> str:
    return page.locator("#document").get_attribute("data-state")


def _act(page, action: str, passphrase: str | None = None) -> None:
    form = page.locator(f"form.action-{action}")
    if passphrase:
        form.locator("input[name=passphrase]").fill(passphrase)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _nss_db(directory, root) -> str:
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"],
                   check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "root", "-t", "CT,C,C",
                    "-i", str(root)], check=True, capture_output=True)
    return f"sql:{directory}"


def test_outgoing_flow_in_the_browser(login_as, live_server, tmp_path):
    base = live_server.url
    page = login_as("chuyenvien")
    page.goto(f"{base}/outgoing/new")
    page.select_option("#type_code", "KH")
    page.fill("#subject", "Tổ chức Ngày hội Văn hóa các dân tộc thành phố năm 2026")
    page.fill("#body", "Thực hiện chỉ đạo của UBND tỉnh Vĩnh Phúc.\nI. MỤC ĐÍCH, YÊU CẦU")
    page.fill("#recipients", "Các phòng, ban thuộc UBND thành phố")
    page.select_option("#signer", "chutich")
    assert page.locator("#authority").input_value() == "TM. ỦY BAN NHÂN DÂN"  # by signer
    page.locator("#draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/outgoing/\d+$"))
    doc_url = page.url
    assert _state(page) == "draft"
    assert page.locator("#preview iframe").count() == 1  # preview before any approval
    _act(page, "submit")
    assert _state(page) == "content_review"

    for user, action, passphrase, state in [
            ("truongphong", "approve", None, "format_review"),
            ("vanthu", "approve", None, "ready_to_sign"),
            ("chutich", "sign", PASSPHRASE, "signed"),
            ("vanthu", "issue", PASSPHRASE, "issued")]:
        page = login_as(user)
        page.goto(doc_url)
        _act(page, action, passphrase)
        assert _state(page) == state, page.locator(".flash").all_inner_texts()

    assert "01/KH-UBND" in page.locator("#document h1").inner_text()
    shown = re.search(r"Ngày ban hành: (\d\d)/(\d\d)/(\d{4})",
                      page.locator("#document").inner_text())
    assert shown, "the page shows the issue date"
    issued = date(int(shown.group(3)), int(shown.group(2)), int(shown.group(1)))
    with page.expect_download() as info:
        page.click("#download-pdf")
    pdf_path = tmp_path / "issued.pdf"
    info.value.save_as(pdf_path)

    pki = live_server.instance / "pki"
    out = subprocess.run(["pdfsig", "-nssdir", _nss_db(tmp_path / "nss", pki / "root.pem"),
                          str(pdf_path)], capture_output=True, text=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out

    from signing.validation import validate_pdf

    pdf = pdf_path.read_bytes()
    report = validate_pdf(pdf, trust_roots=[(pki / "root.pem").read_bytes()],
                          crls=[p.read_bytes() for p in sorted((pki / "crl").glob("*.crl"))])
    assert report.verdict == "valid", report.reasons
    official = next(s for s in report.signatures if s.field_name == "sig_official")
    assert official.modification_level in ("none", "form_filling")

    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Số: 01/KH-UBND" in text
    month = f"{issued.month:02d}" if issued.month < 3 else str(issued.month)
    assert f"ngày {issued.day:02d} tháng {month} năm {issued.year}" in text


def test_drafter_edits_a_rejected_draft_in_the_browser(login_as, live_server):
    base = live_server.url
    page = login_as("chuyenvien")
    page.goto(f"{base}/outgoing/new")
    page.select_option("#type_code", "TB")
    page.fill("#subject", "Thông báo lịch trực cơ quan dịp lễ")
    page.fill("#body", "Phân công trực theo danh sách kèm theo.")
    page.select_option("#signer", "chutich")
    page.locator("#draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/outgoing/\d+$"))
    doc_url = page.url
    _act(page, "submit")
    assert _state(page) == "content_review"
    assert page.locator("#edit-draft").count() == 0

    page = login_as("truongphong")
    page.goto(doc_url)
    page.locator("form.action-reject input[name=comment]").fill("Ghi rõ thời gian trực.")
    _act(page, "reject")
    assert _state(page) == "draft"
    assert page.locator("#edit-draft").count() == 0  # not the drafter

    page = login_as("chuyenvien")
    page.goto(doc_url)
    page.click("#edit-draft")
    page.wait_for_url(re.compile(r"/outgoing/\d+/edit$"))
    assert "Ghi rõ thời gian trực." in page.locator("#rejection").inner_text()
    assert page.input_value("#subject") == "lịch trực cơ quan dịp lễ"  # type name printed above it
    page.fill("#subject", "Thông báo lịch trực cơ quan dịp lễ 30/4 và 1/5")
    page.select_option("#urgency", "khan")
    page.locator("#draft-form button[type=submit]").click()
    page.wait_for_url(doc_url)
    assert _state(page) == "draft"
    assert "30/4 và 1/5" in page.locator("#document").inner_text()
    _act(page, "submit")
    assert _state(page) == "content_review"
