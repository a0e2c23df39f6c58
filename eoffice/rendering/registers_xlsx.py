"""XLSX export of the registers (openpyxl): the same columns and rows as the PDFs."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from eoffice.rendering.register_rows import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    TRACKING_COLUMNS,
    IncomingRegisterRow,
    OutgoingRegisterRow,
    TrackingRegisterRow,
    _Row,
)
from eoffice.rendering.types import nfc

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _xlsx(rows: Sequence[_Row], columns: list[tuple[str, float]], sheet: str, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([h for h, _ in columns])
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(width * 0.6, 9)
        c = ws.cell(row=1, column=i)
        c.font = Font(name="Times New Roman", bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = BORDER
    for row in rows:
        ws.append([nfc(v) if isinstance(v, str) else v for v in row.values()])
    for line in ws.iter_rows(min_row=2):
        for c in line:
            c.alignment = Alignment(vertical="top", wrap_text=True)
            c.border = BORDER
            c.font = Font(name="Times New Roman")
            if c.is_date:
                c.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def outgoing_register_xlsx(rows: Sequence[OutgoingRegisterRow], *, year: int) -> bytes:
    """Sổ đăng ký văn bản đi as XLSX: header row 1, one row per document from row 2."""
    return _xlsx(rows, OUTGOING_COLUMNS, f"Văn bản đi {year}", f"Sổ đăng ký văn bản đi năm {year}")


def incoming_register_xlsx(rows: Sequence[IncomingRegisterRow], *, year: int) -> bytes:
    """Sổ đăng ký văn bản đến as XLSX."""
    return _xlsx(
        rows, INCOMING_COLUMNS, f"Văn bản đến {year}", f"Sổ đăng ký văn bản đến năm {year}"
    )


def tracking_register_xlsx(rows: Sequence[TrackingRegisterRow], *, year: int) -> bytes:
    """Sổ theo dõi giải quyết văn bản đến as XLSX."""
    return _xlsx(
        rows, TRACKING_COLUMNS, f"Theo dõi {year}", f"Sổ theo dõi giải quyết văn bản đến năm {year}"
    )
