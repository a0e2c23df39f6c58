"""Dashboard panel ``meetings``: upcoming meetings the user runs, chairs or attends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for

from eoffice.db import db, utcnow
from eoffice.meetings.access import MACHINE, visible_meetings
from eoffice.meetings.models import Meeting
from eoffice.web.dashboard import PanelItem, panel_provider


@panel_provider("meetings")
def upcoming(user: Any) -> list[PanelItem]:
    since = utcnow() - timedelta(days=1)
    meetings = db.session.scalars(visible_meetings(user).where(
        Meeting.starts_at >= since, Meeting.state != "cancelled")
        .order_by(Meeting.starts_at).limit(50)).all()
    return [PanelItem(title=m.title, url=url_for("meetings.show", meeting_id=m.id),
                      subtitle=f"{m.starts_at.strftime('%H:%M %d/%m/%Y')} · {m.location}",
                      badge=MACHINE.label(m.state)) for m in meetings]
