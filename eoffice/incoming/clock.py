"""'Today' for deadlines: the agency's date, or ``app.config["TODAY"]`` when frozen (tests)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    frozen = current_app.config.get("TODAY")
    if isinstance(frozen, date):
        return frozen
    if isinstance(frozen, str) and frozen:
        return date.fromisoformat(frozen)
    zone = ZoneInfo(current_app.config.get("AGENCY_TIMEZONE") or "Asia/Ho_Chi_Minh")
    return datetime.now(zone).date()
