"""Acceptance 1: vanthu registers a signed PDF (verdict valid shown), chutich directs it to
VHTT (lead) and TCKH (coordinating), truongphong assigns chuyenvien, who completes it; each
step shows in the history and the audit log."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _signed_pdf(pki: Path) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    import signing

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 720, "Ke hoach to chuc le hoi xuan")
    c.showPage()
    c.save()
    writer = IncrementalPdfFileWriter(io.BytesIO(buf.getvalue()))
    fields.append_signature_field(writer, fields.SigFieldSpec(
        "sig_official", on_page=0, box=(300, 100, 500, 180)))
    out = io.BytesIO()
    writer.write(out)
    signer = signing.load_pkcs12_signer(pki / "users" / "chutich.p12", "eoffice-demo")
    return signing.sign_official(out.getvalue(), signer,
                                 image_png=pki / "users" / "chutich-signature.png", level="B-B")


def test_incoming_flow_from_registration_to_completion(login_as, live_server, tmp_path):
    pdf = tmp_path / "cong-van-den.pdf"
    # pyHanko signs through asyncio.run: not in the thread where Playwright's loop runs
    with ThreadPoolExecutor(1) as pool:
        pdf.write_bytes(pool.submit(_signed_pdf, Path(live_server.instance) / "pki").result())

    page = login_as("vanthu")
    page.goto(live_server.url + "/incoming/new")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("button[value=analyse]")
    panel = page.locator("section[data-verdict]")
    assert panel.get_attribute("data-verdict") == "valid"
    assert "hợp lệ" in panel.inner_text()
    assert page.input_value("input[name=signer_name]") == "Trần Văn Hùng"
    page.fill("input[name=issuer_name]", "Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Phúc")
    page.fill("textarea[name=subject]", "Về việc tổ chức lễ hội xuân năm 2026")
    page.click("button[value=register]")
    page.wait_for_url("**/incoming/*")
    # the demo has sample incoming documents: this one takes the next arrival number
    assert re.search(r"ĐẾN — Số: \d+ — Ngày: \d\d/\d\d/\d{4}",
                     page.locator("#arrival-stamp").inner_text())
    assert page.locator("section[data-verdict]").get_attribute("data-verdict") == "valid"
    doc_url = page.url

    page = login_as("chutich")
    page.goto(doc_url)
    page.fill("#direct-form textarea[name=instruction]", "Giao Phòng VHTT chủ trì, TCKH phối hợp")
    page.select_option("#direct-form select[name=lead]", "VHTT")
    page.fill("#direct-form input[name=deadline]", "2099-06-30")
    page.check("#direct-form input[name=coordinators][value=TCKH]")
    page.fill("#direct-form input[name=deadline_TCKH]", "2099-06-20")
    page.click("#direct-form button[type=submit]")
    assert page.locator("#incoming-state").get_attribute("data-state") == "directed"
    assert page.locator("tr[data-role=lead][data-department=VHTT]").count() == 1
    assert page.locator("tr[data-role=coordinator][data-department=TCKH]").count() == 1

    page = login_as("truongphong")
    page.goto(doc_url)
    lead = page.locator("tr[data-role=lead]")
    lead.locator("form.reassign select[name=assignee]").select_option("chuyenvien")
    lead.locator("form.reassign button").click()
    assert "Hoàng Văn Nam" in page.locator("tr[data-role=lead] td.handler").inner_text()

    page = login_as("chuyenvien")
    page.goto(live_server.url + "/incoming?tab=pending")
    page.click("#incoming-list a")
    lead = page.locator("tr[data-role=lead]")
    lead.locator("form.note input[name=text]").fill("Đã dự thảo kế hoạch")
    lead.locator("form.note button").click()
    lead = page.locator("tr[data-role=lead]")
    lead.locator("form.complete input[name=result]").fill("Đã tham mưu văn bản trả lời")
    lead.locator("form.complete button").click()
    assert page.locator("#incoming-state").get_attribute("data-state") == "completed"
    history = page.locator("#history").inner_text()
    for step in ("Vào sổ văn bản đến", "Bút phê", "Giao xử lý", "Giao lại",
                 "Báo cáo tiến độ", "Hoàn thành"):
        assert step in history, step
    doc_id = doc_url.rstrip("/").split("/")[-1]

    page = login_as("admin")
    page.goto(f"{live_server.url}/admin/audit?document_id={doc_id}")
    # each step is in the log, shown in words (the code stays in the cell's data-action)
    codes = page.eval_on_selector_all("#audit td[data-action]",
                                      "tds => tds.map(t => t.dataset.action)")
    for action in ("incoming.register", "incoming.direct", "assignment.reassign",
                   "assignment.note", "assignment.complete", "incoming.complete"):
        assert action in codes, action
    assert "incoming.register" not in page.locator("#audit").inner_text()
