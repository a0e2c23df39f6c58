"""The sandboxed structure check: bombs (also nested filters), loops and DOCX zip bombs are
refused with a code; benign files pass with their page count; a damaged stream is not a bomb."""

from __future__ import annotations

import io

import pytest
from hostile_files import (
    content_bomb,
    docx_zip_bomb,
    page_tree_cycle,
    page_tree_loop,
    plain_pdf,
    reference_loop,
)

from signing.structure import check_structure


@pytest.mark.parametrize("layers", [1, 3])
def test_deflate_bomb_is_refused_whatever_the_filter_nesting(layers):
    assert check_structure(content_bomb(plain_pdf(), megabytes=512, layers=layers),
                           "pdf").problem == "bomb"


@pytest.mark.parametrize("hostile", [page_tree_loop, page_tree_cycle, reference_loop])
def test_loops_are_refused(hostile):
    assert check_structure(hostile(plain_pdf(pages=2)), "pdf").problem == "loop"


def test_garbage_is_unreadable():
    assert check_structure(b"%PDF-1.7\n% nothing else", "pdf").problem == "unreadable"


def test_benign_pdf_passes_with_pages_report_and_text(reserved_pdf, make_reserved_pdf):
    found = check_structure(make_reserved_pdf(pages=3), "pdf", text=True)
    assert found.problem is None and found.page_count == 3
    assert found.report is not None and found.report.verdict == "unsigned"
    assert "KẾ HOẠCH" in found.text


def test_damaged_stream_is_not_a_bomb(signed_once, validate):
    damaged = bytearray(signed_once)
    start = damaged.find(b"stream", 200) + 20
    damaged[start:start + 40] = b"\x00" * 40
    found = check_structure(bytes(damaged), "pdf")
    assert found.problem is None  # accepted, and its broken signature is reported
    assert found.report is not None and found.report.verdict == "invalid"


def test_docx_zip_bomb_is_refused_and_a_letter_passes():
    from docx import Document

    assert check_structure(docx_zip_bomb(300), "docx").problem == "bomb"
    letter = Document()
    letter.add_paragraph("Kính gửi: Các phòng, ban chuyên môn")
    buf = io.BytesIO()
    letter.save(buf)
    assert check_structure(buf.getvalue(), "docx").problem is None
    assert check_structure(b"PK\x03\x04 not a zip", "docx").problem == "unreadable"


@pytest.mark.parametrize("hostile, problem", [
    (lambda pdf: content_bomb(pdf, megabytes=512, layers=3), "bomb"),
    (page_tree_loop, "loop"), (page_tree_cycle, "loop"), (reference_loop, "loop"),
])
def test_registration_check_refuses_the_same(hostile, problem):
    """Registration checks without validating (the sandbox's small structure zygote)."""
    found = check_structure(hostile(plain_pdf(pages=2)), "pdf", validate=False, unsigned=True)
    assert found.problem == problem
    benign = check_structure(plain_pdf(pages=2), "pdf", validate=False, unsigned=True)
    assert benign.problem is None and benign.page_count == 2
    assert benign.report is not None and benign.report.verdict == "unsigned"
