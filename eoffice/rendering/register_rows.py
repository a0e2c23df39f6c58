"""Rows and columns of the registers (SPEC §2; Decree 30/2020, Appendix IV)."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date

from eoffice.i18n import N_
from eoffice.rendering.dates import vn_short_date
from eoffice.rendering.types import nfc, subject_without_type

Cell = str | int | date | None

OUTGOING_COLUMNS: list[tuple[str, float]] = [
    ("Số ký hiệu", 25),
    ("Ngày văn bản", 20),
    ("Tên loại và trích yếu", 62),
    ("Người ký", 28),
    ("Nơi nhận", 35),
    ("Đơn vị/người nhận bản lưu", 25),
    ("Số lượng bản", 15),
    ("Ngày chuyển", 20),
    ("Ký nhận", 17),
    ("Ghi chú", 20),
]
INCOMING_COLUMNS: list[tuple[str, float]] = [
    (N_("Ngày đến"), 20),
    (N_("Số đến"), 14),
    (N_("Tác giả"), 35),
    (N_("Số ký hiệu"), 30),
    (N_("Ngày văn bản"), 20),
    (N_("Tên loại và trích yếu"), 61),
    (N_("Đơn vị hoặc người nhận"), 32),
    (N_("Ngày chuyển"), 20),
    (N_("Ký nhận"), 17),
    (N_("Ghi chú"), 18),
]
TRACKING_COLUMNS: list[tuple[str, float]] = [
    (N_("Số đến"), 14),
    (N_("Ngày đến"), 20),
    (N_("Tác giả"), 32),
    (N_("Số ký hiệu"), 28),
    (N_("Tên loại và trích yếu"), 51),
    (N_("Đơn vị chủ trì"), 28),
    (N_("Đơn vị phối hợp"), 28),
    (N_("Thời hạn giải quyết"), 20),
    (N_("Tiến độ giải quyết"), 26),
    (N_("Ghi chú"), 20),
]
"""Sổ theo dõi giải quyết văn bản đến (column widths in mm, landscape A4)."""


def type_and_subject(type_name: str, subject: str) -> str:
    """``Tên loại và trích yếu`` cell: ``Kế hoạch Tổ chức …``."""
    parts = (nfc(type_name).strip(), subject_without_type(type_name, subject))
    return " ".join(p for p in parts if p)


class _Row:
    def values(self) -> list[Cell]:
        """Column values in order (dates as ``date``; used by the XLSX export)."""
        raise NotImplementedError

    def cells(self) -> list[str]:
        """Column texts in order (used by the PDF)."""
        return [
            vn_short_date(v) if isinstance(v, date) else nfc("" if v is None else str(v))
            for v in self.values()
        ]


@dataclass
class OutgoingRegisterRow(_Row):
    """One line of the outgoing register (sổ đăng ký văn bản đi)."""

    code: str
    issued_date: date | None
    type_name: str
    subject: str
    signer: str
    recipients: str
    archive_holder: str = ""
    copies: int | None = None
    transfer_date: date | None = None
    receiver_signature: str = ""
    note: str = ""

    def values(self) -> list[Cell]:
        v = list(astuple(self))
        return [v[0], v[1], type_and_subject(self.type_name, self.subject), *v[4:]]


@dataclass
class IncomingRegisterRow(_Row):
    """One line of the incoming register (sổ đăng ký văn bản đến)."""

    arrival_date: date | None
    arrival_number: int | str
    issuer: str
    code: str
    issued_date: date | None
    type_name: str
    subject: str
    recipient: str = ""
    transfer_date: date | None = None
    receiver_signature: str = ""
    note: str = ""

    def values(self) -> list[Cell]:
        v = list(astuple(self))
        return [*v[:5], type_and_subject(self.type_name, self.subject), *v[7:]]


@dataclass
class TrackingRegisterRow(_Row):
    """One line of the tracking register (sổ theo dõi giải quyết văn bản đến)."""

    arrival_number: int | str
    arrival_date: date | None
    issuer: str
    code: str
    type_name: str
    subject: str
    lead: str = ""
    coordinators: str = ""
    deadline: date | None = None
    progress: str = ""
    note: str = ""

    def values(self) -> list[Cell]:
        v = list(astuple(self))
        return [*v[:4], type_and_subject(self.type_name, self.subject), *v[6:]]
