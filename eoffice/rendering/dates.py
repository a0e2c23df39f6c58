"""Vietnamese dates as Decree 30/2020 writes them."""

from __future__ import annotations

from datetime import date, datetime


def vn_date_text(d: date) -> str:
    """``ngày 05 tháng 3 năm 2026``: day below 10 and months 1, 2 with a leading zero."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def vn_place_date(place: str, d: date) -> str:
    """``Vĩnh Yên, ngày 05 tháng 3 năm 2026``."""
    return f"{place}, {vn_date_text(d)}"


def vn_short_date(d: date | None) -> str:
    """``05/03/2026`` (registers, tables); empty for ``None``."""
    return d.strftime("%d/%m/%Y") if d else ""


def vn_time(dt: datetime) -> str:
    """``08 giờ 30 phút`` (``08 giờ`` on the hour)."""
    return f"{dt.hour:02d} giờ" + (f" {dt.minute:02d} phút" if dt.minute else "")


WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def vn_datetime_text(dt: datetime) -> str:
    """``08 giờ 30 phút, Thứ Năm, ngày 05 tháng 3 năm 2026``."""
    return f"{vn_time(dt)}, {WEEKDAYS[dt.weekday()]}, {vn_date_text(dt.date())}"
