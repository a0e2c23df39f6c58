"""Web form parsing: meeting, agenda editor (one item per line), minutes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from eoffice.meetings.models import AgendaItem


def meeting_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """Participants: ticked departments and people (``people``: usernames of the ticked
    names), plus usernames typed in ``participants_users`` (older forms)."""
    typed = (form.get("participants_users") or "").replace(";", ",").replace("\n", ",")
    participants = form.getlist("departments") + form.getlist("people") + [
        p.strip() for p in typed.split(",") if p.strip()]
    return {"title": form.get("title"), "kind": form.get("kind"),
            "starts_at": form.get("starts_at"), "ends_at": form.get("ends_at") or None,
            "location": form.get("location"), "chair": form.get("chair"),
            "participants": participants}


def agenda_items(text: str) -> list[dict[str, str]]:
    """``08:00 - 08:30 | Khai mạc | Chủ tịch UBND`` per line; a line without ``|`` is a
    title only."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1:
            items.append({"time": "", "title": parts[0], "presenter": ""})
        else:
            parts += ["", ""]
            items.append({"time": parts[0], "title": parts[1], "presenter": parts[2]})
    return items


def agenda_text(items: Iterable[AgendaItem]) -> str:
    return "\n".join(f"{i.time} | {i.title} | {i.presenter}" for i in items)


def minutes_form(form: Mapping[str, str]) -> dict[str, Any]:
    return {name: form.get(name) or None for name in (
        "starts_at", "ends_at", "location", "attendees", "absentees", "content",
        "conclusions")}
