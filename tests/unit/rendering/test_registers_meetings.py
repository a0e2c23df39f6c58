"""Registers (PDF and XLSX) and meeting documents (agenda, minutes)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from eoffice.rendering.meeting import (
    AgendaItem,
    Meeting,
    Minutes,
    render_agenda_pdf,
    render_minutes_pdf,
)
from eoffice.rendering.register_rows import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    TRACKING_COLUMNS,
    IncomingRegisterRow,
    OutgoingRegisterRow,
    TrackingRegisterRow,
)
from eoffice.rendering.registers import (
    render_incoming_register,
    render_outgoing_register,
    render_tracking_register,
)
from eoffice.rendering.registers_xlsx import (
    incoming_register_xlsx,
    outgoing_register_xlsx,
    tracking_register_xlsx,
)

SPEC_OUTGOING = [
    "Số ký hiệu",
    "Ngày văn bản",
    "Tên loại và trích yếu",
    "Người ký",
    "Nơi nhận",
    "Đơn vị/người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
SPEC_INCOMING = [
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số ký hiệu",
    "Ngày văn bản",
    "Tên loại và trích yếu",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]


def outgoing_rows(n: int) -> list[OutgoingRegisterRow]:
    return [
        OutgoingRegisterRow(
            f"{i:02d}/KH-UBND",
            date(2026, 3, 5),
            "Kế hoạch",
            f"Tổ chức hoạt động văn hóa đợt {i}",
            "Nguyễn Văn An",
            "Phòng Văn hóa và Thông tin",
            "Văn phòng",
            3,
            date(2026, 3, 6),
        )
        for i in range(1, n + 1)
    ]


def incoming_rows(n: int) -> list[IncomingRegisterRow]:
    return [
        IncomingRegisterRow(
            date(2026, 3, 9),
            i,
            "Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Phúc",
            f"{100 + i}/SVHTTDL-QLVH",
            date(2026, 3, 2),
            "Công văn",
            f"V/v hướng dẫn tổ chức lễ hội số {i}",
            "Phòng Văn hóa và Thông tin",
            date(2026, 3, 10),
        )
        for i in range(1, n + 1)
    ]


def test_columns_are_exactly_the_spec():
    assert [h for h, _ in OUTGOING_COLUMNS] == SPEC_OUTGOING
    assert [h for h, _ in INCOMING_COLUMNS] == SPEC_INCOMING
    for cols in (OUTGOING_COLUMNS, INCOMING_COLUMNS, TRACKING_COLUMNS):
        assert sum(w for _, w in cols) <= 297 - 30  # fits landscape A4


def test_outgoing_register_pdf(pdf_text, page_images, ink):
    rows = outgoing_rows(40)
    pdf = render_outgoing_register(
        rows, agency="UBND thành phố Vĩnh Yên", year=2026, register_name="Sổ văn bản đi"
    )
    text = pdf_text(pdf)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and "Năm 2026" in text
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for page in pages:  # header row repeated on every page
        page_text = " ".join(page.extract_text().split())
        for header in ("Số ký hiệu", "Tên loại và trích yếu", "Ký nhận", "Ghi chú"):
            assert header in page_text
    for header in SPEC_OUTGOING:
        assert all(word in text for word in header.split())
    for i in (1, 9, 40):
        assert f"{i:02d}/KH-UBND" in text and f"Tổ chức hoạt động văn hóa đợt {i}" in text
    assert "05/03/2026" in text and "Nguyễn Văn An" in text
    assert "Trang 2" in text
    assert all(ink(p) > 0.002 for p in page_images(pdf))


def test_incoming_and_tracking_register_pdf(pdf_text):
    text = pdf_text(
        render_incoming_register(incoming_rows(3), agency="UBND thành phố Vĩnh Yên", year=2026)
    )
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    for header in SPEC_INCOMING:
        assert all(word in text for word in header.split())
    words = set(text.split())  # wrapped cells interleave in reading order: compare words
    assert set("Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Phúc".split()) <= words
    assert "103/SVHTTDL-QLVH" in words and "09/03/2026" in words
    tracking = [
        TrackingRegisterRow(
            1,
            date(2026, 3, 9),
            "Sở Nội vụ",
            "15/SNV-CCVC",
            "Công văn",
            "V/v báo cáo biên chế",
            "Phòng Nội vụ",
            "Phòng Tài chính - Kế hoạch",
            date(2026, 3, 20),
            "Đang xử lý",
        )
    ]
    text = pdf_text(render_tracking_register(tracking, agency="UBND thành phố Vĩnh Yên", year=2026))
    assert "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN" in text and "Đang xử lý" in text
    assert "20/03/2026" in text


def test_empty_register_says_so(pdf_text):
    text = pdf_text(render_outgoing_register([], agency="UBND", year=2027))
    assert "Chưa có văn bản nào trong sổ." in text and "Năm 2027" in text


@pytest.mark.parametrize(
    ("export", "rows", "columns"),
    [
        (outgoing_register_xlsx, outgoing_rows(12), OUTGOING_COLUMNS),
        (incoming_register_xlsx, incoming_rows(7), INCOMING_COLUMNS),
        (tracking_register_xlsx, [], TRACKING_COLUMNS),
    ],
)
def test_xlsx_has_the_same_columns_and_rows(export, rows, columns):
    wb = load_workbook(io.BytesIO(export(rows, year=2026)))
    ws = wb.active
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == [h for h, _ in columns]
    assert len(values) == len(rows) + 1
    for got, row in zip(values[1:], rows, strict=True):
        expected = [None if v == "" else v for v in row.values()]
        normalised = [g.date() if isinstance(g, datetime) else g for g in got]
        assert normalised == expected


@pytest.fixture
def meeting() -> Meeting:
    return Meeting(
        "UBND TỈNH VĨNH PHÚC",
        "UBND THÀNH PHỐ VĨNH YÊN",
        "UBND",
        "Vĩnh Yên",
        "Họp giao ban công tác tháng 3 năm 2026",
        datetime(2026, 3, 12, 8, 30),
        "Phòng họp số 1, trụ sở UBND thành phố",
        "Nguyễn Văn An",
        "CHỦ TỊCH",
        ["Lãnh đạo Phòng Văn hóa và Thông tin", "Lãnh đạo Phòng Tài chính - Kế hoạch"],
        ends_at=datetime(2026, 3, 12, 11, 0),
        authority="TM. ỦY BAN NHÂN DÂN",
    )


def test_agenda_pdf(meeting, pdf_text, page_images, ink):
    items = [
        AgendaItem("08:30 - 08:45", "Khai mạc, giới thiệu đại biểu", "Chánh Văn phòng"),
        AgendaItem("08:45 - 10:00", "Báo cáo kết quả công tác tháng 3", "Trưởng phòng VHTT"),
    ]
    pdf = render_agenda_pdf(meeting, items)
    text = pdf_text(pdf)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY MỜI",
        "Họp giao ban công tác tháng 3 năm 2026",
        "trân trọng kính mời",
        "Lãnh đạo Phòng Văn hóa và Thông tin",
        "08 giờ 30 phút, Thứ Năm, ngày 12 tháng 3 năm 2026",
        "Phòng họp số 1",
        "Thời gian",
        "Nội dung",
        "Người trình bày",
        "Khai mạc, giới thiệu đại biểu",
        "Trưởng phòng VHTT",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Văn An",
    ):
        assert expected in text, expected
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert fields["sig_official"]["/FT"] == "/Sig"
    assert all(ink(p) > 0.002 for p in page_images(pdf))


def test_minutes_pdf(pdf_text):
    minutes = Minutes(
        "UBND TỈNH VĨNH PHÚC",
        "UBND THÀNH PHỐ VĨNH YÊN",
        "Vĩnh Yên",
        "Họp giao ban tháng 3",
        datetime(2026, 3, 12, 8, 30),
        datetime(2026, 3, 12, 11, 0),
        "Phòng họp số 1",
        "Nguyễn Văn An",
        "Trần Thị Bình",
        ["Ông Nguyễn Văn An - Chủ tịch UBND thành phố"],
        ["Ông Phạm Văn Dũng - có lý do"],
        ["Trưởng phòng Văn hóa và Thông tin báo cáo kết quả công tác."],
        ["Giao Phòng Văn hóa và Thông tin hoàn thiện kế hoạch."],
    )
    pdf = render_minutes_pdf(minutes)
    text = pdf_text(pdf)
    for expected in (
        "BIÊN BẢN",
        "Họp giao ban tháng 3",
        "Vắng mặt",
        "Ông Phạm Văn Dũng",
        "Chủ trì: Nguyễn Văn An",
        "Thư ký (người ghi biên bản): Trần Thị Bình",
        "hoàn thiện kế hoạch",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "11 giờ",
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf))
    fields = reader.get_fields()
    assert fields["sig_secretary"]["/FT"] == "/Sig" and fields["sig_chair"]["/FT"] == "/Sig"
    rects = {}
    for annot in reader.pages[-1]["/Annots"]:
        a = annot.get_object()
        rects[str(a["/T"])] = [float(v) for v in a["/Rect"]]
    assert rects["sig_secretary"][0] < rects["sig_chair"][0]  # secretary left, chair right
