"""The agency clock: 'today' for numbers, dates and deadlines, one rule for every feature.

``TODAY`` in the config (``EOFFICE_TODAY=2026-03-05`` in the environment; a ``date`` or a
callable in tests) freezes it; otherwise it is today in ``AGENCY_TIMEZONE`` (Vietnam).
No Flask here: :mod:`eoffice.settings` reads the app's config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from signing.vntime import VN_TZ

Clock = Callable[[], date]
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

__all__ = ["DEFAULT_TIMEZONE", "VN_TZ", "Clock", "agency_today", "agency_zone", "clock_from"]


def agency_zone(config: Mapping[str, Any]) -> tzinfo:
    """The agency's time zone (``AGENCY_TIMEZONE``; Vietnam by default)."""
    name = config.get("AGENCY_TIMEZONE") or DEFAULT_TIMEZONE
    return VN_TZ if name == DEFAULT_TIMEZONE else ZoneInfo(name)


def agency_today(zone: tzinfo = VN_TZ) -> date:
    """Today in the agency's time zone (the default clock)."""
    return datetime.now(zone).date()


def clock_from(config: Mapping[str, Any]) -> Clock:
    """The clock a config asks for: ``TODAY`` frozen (date, ISO string or callable), else the
    agency's today. A malformed ``TODAY`` raises ``ValueError`` naming the setting."""
    frozen = config.get("TODAY")
    if callable(frozen):
        return frozen
    if isinstance(frozen, date):
        return lambda: frozen
    if isinstance(frozen, str) and frozen.strip():
        try:
            fixed = date.fromisoformat(frozen.strip())
        except ValueError:
            raise ValueError(f"TODAY / EOFFICE_TODAY không hợp lệ: {frozen!r} "
                             "(dạng 2026-03-05)") from None
        return lambda: fixed
    zone = agency_zone(config)
    return lambda: agency_today(zone)
