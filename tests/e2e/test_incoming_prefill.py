"""Acceptance 2 of issue 16: "Kiểm tra chữ ký và điền thông tin" fills the number, code, date,
type and trích yếu of issued PDFs made by three different generators, and says it guessed."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

AGENCY = dict(agency_parent="UBND TỈNH VĨNH PHÚC", agency_name="UBND HUYỆN TAM ĐẢO",
              agency_abbr="UBND", unit_abbr="VHTT", place="Tam Đảo")


def _draft(type_code: str, subject: str):
    from eoffice.rendering import DraftDocument

    return DraftDocument(**AGENCY, type_code=type_code, subject=subject,
                         body=["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 "
                               "năm 2015;", "Ủy ban nhân dân huyện đề nghị các đơn vị."],
                         recipients=["Các phòng, ban thuộc UBND huyện", "UBND các xã"],
                         signer_name="Đinh Văn Thắng", signer_position="Chủ tịch",
                         authority="TM. ỦY BAN NHÂN DÂN")


def drafting_path() -> bytes:
    """eoffice's own draft PDF with the number and date written as issuance writes them."""
    from eoffice.rendering import render_pdf
    from signing.issuance import DATE_FONT_SIZE, DATE_STYLE, fill_text_field
    from signing.pades import open_pdf

    writer = open_pdf(render_pdf(_draft(
        "KH", "Tổ chức Ngày hội Văn hóa các dân tộc huyện Tam Đảo năm 2022")))
    fill_text_field(writer, "doc_number", "82/KH-UBND")
    fill_text_field(writer, "doc_date", "ngày 28 tháng 3 năm 2022", style=DATE_STYLE,
                    font_size=DATE_FONT_SIZE)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def libreoffice_from_docx() -> bytes:
    """A DOCX template filled in a word processor and printed to PDF by LibreOffice."""
    import docx

    from eoffice.rendering.convert import docx_to_pdf
    from eoffice.rendering.draft_docx import render_docx

    document = docx.Document(io.BytesIO(render_docx(_draft(
        "CV", "Hướng dẫn tổ chức Tết Trồng cây năm 2023"), year=2023)))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    if p.text.startswith("Số:"):
                        p.runs[0].text = "Số: 115/UBND-VHTT"
                    elif "ngày" in p.text and "tháng" in p.text:
                        p.runs[0].text = "Tam Đảo, ngày 06 tháng 01 năm 2023"
    buf = io.BytesIO()
    document.save(buf)
    return docx_to_pdf(buf.getvalue())


def scanned_with_text_layer(tmp: Path) -> bytes:
    """A page image (as a scanner makes it) with an invisible OCR text layer on top."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from eoffice.rendering import render_pdf
    from eoffice.rendering.fonts import FAMILY, register_fonts

    source = tmp / "source.pdf"
    source.write_bytes(render_pdf(_draft("QĐ", "Về việc thành lập Ban tổ chức Hội thi")))
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(source), str(tmp / "scan")], check=True)
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(str(tmp / "scan.png"), 0, 0, *A4)
    text = c.beginText()
    text.setTextRenderMode(3)  # invisible, as OCR layers are
    text.setFont(FAMILY, 12)
    lines = [(60, 790, "UBND TỈNH VĨNH PHÚC"), (60, 775, "UBND HUYỆN TAM ĐẢO"),
             (300, 790, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
             (300, 775, "Độc lập - Tự do - Hạnh phúc"), (60, 740, "Số: 07/QĐ-UBND"),
             (300, 740, "Tam Đảo, ngày 15 tháng 4 năm 2024"), (250, 700, "QUYẾT ĐỊNH"),
             (150, 685, "Về việc thành lập Ban tổ chức Hội thi"),
             (250, 660, "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO")]
    for x, y, line in lines:
        text.setTextOrigin(x, y)
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return buf.getvalue()


CASES = {
    "drafting": (drafting_path, {"code_number": "82", "code_notation": "KH-UBND",
                                 "issued_date": "28/03/2022", "type_code": "KH",
                                 "subject": "Tổ chức Ngày hội Văn hóa các dân tộc huyện Tam "
                                            "Đảo năm 2022"}),
    "libreoffice": (libreoffice_from_docx, {"code_number": "115", "code_notation": "UBND-VHTT",
                                            "issued_date": "06/01/2023", "type_code": "CV",
                                            "subject": "Hướng dẫn tổ chức Tết Trồng cây năm "
                                                       "2023"}),
    "scanned": (scanned_with_text_layer, {"code_number": "7", "code_notation": "QĐ-UBND",
                                          "issued_date": "15/04/2024", "type_code": "QĐ",
                                          "subject": "Về việc thành lập Ban tổ chức Hội thi"}),
}


@pytest.mark.parametrize("generator", list(CASES))
def test_check_fills_number_code_date_type_and_subject(generator, login_as, live_server,
                                                        tmp_path):
    make, expected = CASES[generator]
    pdf = tmp_path / f"{generator}.pdf"
    pdf.write_bytes(make(tmp_path) if generator == "scanned" else make())
    page = login_as("vanthu")
    page.goto(live_server.url + "/incoming/new")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("button[value=analyse]")
    page.wait_for_selector("#guessed")
    for name, value in expected.items():
        selector = f"[name={name}]"
        assert page.input_value(selector) == value, (generator, name)
        assert "guessed" in (page.get_attribute(selector, "class") or ""), name
    notice = page.locator("#guessed").inner_text()
    assert "hãy kiểm tra lại" in notice and "Trích yếu" in notice and "Số" in notice
    assert page.input_value("[name=issuer_name]") == "UBND HUYỆN TAM ĐẢO"
    page.click("button[value=register]")  # what was guessed registers as is
    page.wait_for_url("**/incoming/*")
    assert expected["subject"] in page.locator("h1").inner_text()


SUMMARY_NAMES = "() => [...document.querySelectorAll('#form-summary a')].map(a => a.textContent)"


def _try_register(page) -> list[str]:
    page.fill("[name=issued_date]", "28/3")
    page.fill("[name=page_count]", "hai")
    page.click("button[value=register]")
    page.wait_for_selector("#form-summary")
    return page.evaluate(SUMMARY_NAMES)


def test_missing_fields_are_named_before_and_after_submit(login_as, live_server, browser):
    """The form never blocks silently: in the browser, before anything is sent, each missing
    or wrong field gets a Vietnamese message next to it and a summary names them all; the
    server (no script) names the same fields."""
    page = login_as("vanthu")
    page.goto(live_server.url + "/incoming/new")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    names = _try_register(page)
    assert names == ["Cơ quan ban hành", "Ngày văn bản", "Trích yếu", "Số trang"]
    assert posts == [] and page.url.endswith("/incoming/new")  # checked before submitting
    note = page.locator("#error-issuer_name")
    assert note.inner_text() == "Chưa nhập Cơ quan ban hành."
    assert "ngày không hợp lệ" in page.locator("#error-issued_date").inner_text()
    field = page.locator("[name=issuer_name]").bounding_box()
    below = note.bounding_box()
    assert 0 <= below["y"] - (field["y"] + field["height"]) < 30  # right under its field
    assert page.evaluate("document.activeElement.name") == "issuer_name"
    page.fill("[name=issuer_name]", "Sở Nội vụ tỉnh Vĩnh Phúc")
    assert page.locator("#error-issuer_name").count() == 0  # fixed: its message goes
    # the server says the same without the script
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        plain = context.new_page()
        plain.goto(live_server.url + "/login")
        plain.fill("#username", "vanthu")
        plain.fill("#password", "eoffice-demo")
        plain.click("main button[type=submit]")
        plain.wait_for_url("**/dashboard")
        plain.goto(live_server.url + "/incoming/new")
        plain.fill("[name=issued_date]", "28/3")
        plain.fill("[name=page_count]", "hai")
        with plain.expect_response(lambda r: r.request.method == "POST") as answer:
            plain.click("button[value=register]")
        assert answer.value.status == 422
        assert plain.evaluate(SUMMARY_NAMES) == names
        assert plain.locator("#error-subject").inner_text() == "Chưa nhập Trích yếu."
    finally:
        context.close()
