"""Vietnam time (UTC+7, no daylight saving): the one time zone constant of the code base."""

from __future__ import annotations

import datetime as dt

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def vn_now() -> dt.datetime:
    """Now in Vietnam, to the second."""
    return dt.datetime.now(VN_TZ).replace(microsecond=0)
