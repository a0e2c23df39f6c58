"""Exchange statistics for leaders: per recipient agency, how many documents were sent,
accepted, refused, completed and completed by their due date."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from eoffice.auth.models import User
from eoffice.exchange.models import SENT, ExchangeDelivery


@dataclass
class AgencyLine:
    agency_code: str
    agency_name: str
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    done: int = 0
    done_on_time: int = 0
    recalled: int = 0


def per_agency(session: Session, actor: User, year: int | None = None) -> list[AgencyLine]:
    query = (sa.select(ExchangeDelivery)
             .where(ExchangeDelivery.side == SENT,
                    ExchangeDelivery.agency_id == actor.department.agency_id)
             .options(selectinload(ExchangeDelivery.events)))
    if year is not None:
        query = query.where(ExchangeDelivery.created_at >= datetime(year, 1, 1),
                            ExchangeDelivery.created_at < datetime(year + 1, 1, 1))
    lines: dict[str, AgencyLine] = {}
    for d in session.scalars(query):
        line = lines.setdefault(d.peer_code, AgencyLine(d.peer_code, d.peer_name))
        line.agency_name = line.agency_name or d.peer_name
        reached = {e.to_state for e in d.events}
        line.sent += 1
        line.accepted += "03" in reached
        line.refused += "02" in reached
        line.done += "06" in reached
        line.done_on_time += done_on_time(d)
        line.recalled += "15" in reached
    return sorted(lines.values(), key=lambda x: (-x.sent, x.agency_code))


def done_on_time(d: ExchangeDelivery) -> bool:
    """Completed (06) by its due date (no due date: on time), whatever came after."""
    due = (d.meta or {}).get("due_date")
    done = next((e.at for e in d.events if e.to_state == "06"), None)
    if done is None:
        return False
    return due is None or done.date() <= date.fromisoformat(due)


def as_json(lines: list[AgencyLine]) -> dict[str, Any]:
    rows = [asdict(line) for line in lines]
    totals = {key: sum(r[key] for r in rows) for key in
              ("sent", "accepted", "refused", "done", "done_on_time", "recalled")}
    return {"agencies": rows, "totals": totals}
