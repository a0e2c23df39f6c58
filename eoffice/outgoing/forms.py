"""Reading the web forms of the outgoing pages (CSRF is checked globally by Flask-WTF)."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from eoffice.i18n import N_
from eoffice.outgoing.drafting import DraftInput

ACTIONS = ("submit", "approve", "reject", "sign", "issue", "dispatch", "recall")
VIEWS = {
    "mine": N_("Dự thảo của tôi"),
    "content_review": N_("Chờ duyệt nội dung"),
    "format_review": N_("Chờ kiểm tra thể thức"),
    "to_sign": N_("Chờ ký"),
    "to_issue": N_("Chờ phát hành"),
    "issued": N_("Đã ban hành"),
}


def draft_input(form: MultiDict[str, str]) -> DraftInput:
    """The new-draft form: body and recipients are one item per line."""
    return DraftInput.from_mapping({k: form.get(k) for k in form})


def secret(form: MultiDict[str, str]) -> dict[str, Any]:
    """Passphrase or PIN, whichever the user typed (never stored)."""
    return {"passphrase": form.get("passphrase") or None, "pin": form.get("pin") or None}


def recipients(form: MultiDict[str, str]) -> list[str]:
    """Checked department codes plus outside agency ids, one per line."""
    chosen = form.getlist("departments") + form.getlist("agencies")
    chosen += [line.strip() for line in (form.get("external") or "").splitlines()
               if line.strip()]
    return chosen
