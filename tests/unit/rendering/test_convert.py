"""DOCX → PDF conversion with LibreOffice."""

from __future__ import annotations

import pytest

from eoffice.rendering import render_docx
from eoffice.rendering.convert import (
    ConversionFailed,
    ConversionUnavailable,
    docx_to_pdf,
)


def test_docx_converts_with_vietnamese_text(make_draft, pdf_text):
    pdf = docx_to_pdf(render_docx(make_draft("KH")))
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" in text and "Nguyễn Văn An" in text


def test_garbage_is_a_clear_failure():
    with pytest.raises(ConversionFailed, match="không phải là tệp DOCX"):
        docx_to_pdf(b"this is not a docx")


def test_missing_libreoffice_gives_vietnamese_message(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionUnavailable, match="chưa cài LibreOffice"):
        docx_to_pdf(b"PK")
