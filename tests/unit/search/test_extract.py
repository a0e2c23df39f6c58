"""Text extraction from PDF and DOCX in a limited subprocess (issue 4, schema)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib

import docx
import fontpkg_be_vietnam_pro
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from search import ExtractionError, extract_text

TEXT = "Kế hoạch chuyển đổi số năm 2026 của Sở Thông tin và Truyền thông"


def make_pdf(text: str) -> bytes:
    font = fontpkg_be_vietnam_pro.ROOT / "files" / "BeVietnamPro-Regular.ttf"
    pdfmetrics.registerFont(TTFont("BeVietnamPro", str(font)))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("BeVietnamPro", 12)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(paragraphs: list[str]) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Nơi nhận"
    table.rows[0].cells[1].text = "Đường truyền"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_pdf_text_is_extracted_in_nfc():
    out = extract_text(make_pdf(TEXT), "pdf")
    assert TEXT in " ".join(out.split())
    assert unicodedata.is_normalized("NFC", out)


def test_docx_text_and_tables_are_extracted_in_nfc():
    nfd = unicodedata.normalize("NFD", "Ý kiến của đại biểu")
    out = extract_text(make_docx([TEXT, nfd]), "docx")
    assert TEXT in out and "Ý kiến của đại biểu" in out and "Đường truyền" in out
    assert unicodedata.is_normalized("NFC", out)


def test_garbage_and_unknown_kind_raise_clear_errors():
    with pytest.raises(ExtractionError, match="Không trích xuất được"):
        extract_text(b"PK\x03\x04 not really a zip", "docx")
    with pytest.raises(ExtractionError, match="không được hỗ trợ"):
        extract_text(b"", "odt")  # type: ignore[arg-type]


def docx_bomb(size: int) -> bytes:
    """A valid-looking DOCX whose document.xml inflates to ``size`` bytes."""
    good = zipfile.ZipFile(io.BytesIO(make_docx(["x"])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in good.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, good.read(item))
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                    b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b"A" * (1 << 20)
            for _ in range(size >> 20):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


def pdf_bomb(size: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``size`` bytes of text operators."""
    comp = zlib.compressobj(9)
    op = b"BT /F1 12 Tf 72 720 Td (" + b"A" * 1000 + b") Tj ET\n"
    body = b"".join(comp.compress(op * 1000) for _ in range(size // (len(op) * 1000)))
    body += comp.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.7\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, xref))
    return out.getvalue()


def test_docx_deflate_bomb_is_stopped_by_the_memory_limit():
    bomb = docx_bomb(640 << 20)
    assert len(bomb) < 5 << 20
    with pytest.raises(ExtractionError):
        extract_text(bomb, "docx")


def test_pdf_deflate_bomb_returns_within_limits():
    bomb = pdf_bomb(300 << 20)
    assert len(bomb) < 5 << 20
    try:
        out = extract_text(bomb, "pdf", seconds=5)
    except ExtractionError:
        return
    assert len(out) <= 2_000_000
