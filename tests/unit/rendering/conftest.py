"""Fixtures for the renderer tests: sample drafts and poppler-based inspectors."""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from eoffice.rendering import DraftDocument

BODY = [
    "Thực hiện Kế hoạch số 45/KH-UBND ngày 12 tháng 02 năm 2026 của UBND tỉnh Vĩnh Phúc về "
    "việc tổ chức các hoạt động văn hóa, thể thao chào mừng các ngày lễ lớn năm 2026, UBND "
    "thành phố Vĩnh Yên đề nghị các đơn vị triển khai thực hiện một số nội dung sau:",
    "Điều 1. Giao Phòng Văn hóa và Thông tin chủ trì, phối hợp với các đơn vị liên quan "
    "tổ chức tuyên truyền, trang trí khánh tiết trên các tuyến phố chính.",
]


@pytest.fixture
def make_draft() -> Callable[..., DraftDocument]:
    def build(type_code: str = "KH", **overrides: object) -> DraftDocument:
        values: dict[str, object] = dict(
            agency_parent="UBND TỈNH VĨNH PHÚC",
            agency_name="UBND THÀNH PHỐ VĨNH YÊN",
            agency_abbr="UBND",
            unit_abbr="VHTT",
            place="Vĩnh Yên",
            type_code=type_code,
            subject="Tổ chức các hoạt động chào mừng Ngày Quốc khánh",
            body=list(BODY),
            recipients=["Phòng Văn hóa và Thông tin", "UBND các xã, phường"],
            signer_name="Nguyễn Văn An",
            signer_position="CHỦ TỊCH",
            authority="TM. ỦY BAN NHÂN DÂN",
        )
        values.update(overrides)
        return DraftDocument(**values)  # type: ignore[arg-type]

    return build


@pytest.fixture
def pdf_text() -> Callable[[bytes], str]:
    """Text of a PDF as ``pdftotext`` (poppler) extracts it, reading order."""

    def extract(pdf: bytes) -> str:
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return " ".join(out.stdout.decode("utf-8").split())

    return extract


@pytest.fixture
def page_images() -> Callable[[bytes], list[Image.Image]]:
    """Pages rendered by ``pdftoppm`` at 40 dpi."""

    def render(pdf: bytes) -> list[Image.Image]:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.pdf"
            src.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "40", str(src), f"{tmp}/p"], check=True)
            return [
                Image.open(io.BytesIO(p.read_bytes())).convert("L")
                for p in sorted(Path(tmp).glob("p-*.png"))
            ]

    return render


@pytest.fixture
def ink() -> Callable[[Image.Image], float]:
    """Share of dark pixels in a page image (0 = blank)."""

    def measure(img: Image.Image) -> float:
        hist = img.histogram()
        return sum(hist[:128]) / (img.width * img.height)

    return measure
