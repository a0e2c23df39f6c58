"""Signing authority (thẩm quyền ký, Decree 30 Art. 13): a prefix and whom it stands for.

``TM. ỦY BAN NHÂN DÂN`` (the head signs for the collective body), ``KT. CHỦ TỊCH`` (a deputy
signs for the head), ``Q. CHỦ TỊCH`` (acting head), ``TL. CHỦ TỊCH`` / ``TUQ. CHỦ TỊCH``
(by order / by authorisation of the head), or nothing (the head signs in their own name).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from eoffice.auth.models import Agency, Role, User
from eoffice.errors import Invalid
from eoffice.i18n import N_
from eoffice.i18n import gettext as _

PREFIXES: dict[str, str] = {
    "TM.": N_("Thay mặt tập thể"),
    "KT.": N_("Ký thay người đứng đầu"),
    "Q.": N_("Quyền người đứng đầu"),
    "TL.": N_("Thừa lệnh người đứng đầu"),
    "TUQ.": N_("Thừa ủy quyền người đứng đầu"),
}
COLLECTIVE_NAMES = {"UBND": "ỦY BAN NHÂN DÂN", "HĐND": "HỘI ĐỒNG NHÂN DÂN"}
DEPUTY = "phó "


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip().upper()


def collective_name(agency: Agency) -> str:
    """``ỦY BAN NHÂN DÂN`` for a UBND, else the agency's name in capitals."""
    return COLLECTIVE_NAMES.get(agency.abbreviation.upper(), _upper(agency.name))


def head_title(signers: Iterable[User]) -> str:
    """The head's title, e.g. ``CHỦ TỊCH``: a leader's position without ``Phó``."""
    titles = [u.position_title or "" for u in signers if u.has_role(Role.LEADER)]
    for title in titles:
        if title and not title.casefold().startswith(DEPUTY):
            return _upper(title)
    for title in titles:
        if title.casefold().startswith(DEPUTY):
            return _upper(title[len(DEPUTY):])
    return "THỦ TRƯỞNG"


def choices(agency: Agency, signers: Iterable[User]) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for the form: no authority line, then one per prefix (the
    value is what the document says, in Vietnamese; its meaning in the user's language)."""
    head, collective = head_title(signers), collective_name(agency)
    out = [("", _("Không ghi (người đứng đầu ký trực tiếp với chức danh %(head)s)", head=head))]
    for prefix, meaning in PREFIXES.items():
        value = f"{prefix} {collective if prefix == 'TM.' else head}"
        out.append((value, f"{value} — {_(meaning)}"))
    return out


def default_for(signer: User, agency: Agency, signers: Iterable[User]) -> str:
    """The usual authority of ``signer``: the head signs for the collective (TM.), a deputy
    for the head (KT.), a department head by order of the head (TL.)."""
    position = (signer.position_title or "").casefold()
    head = head_title(signers)
    if signer.has_role(Role.LEADER):
        if position.startswith(DEPUTY):
            return f"KT. {head}"
        return f"TM. {collective_name(agency)}"
    return f"TL. {head}"


def normalise(authority: str | None) -> str:
    """``authority`` in capitals, one line per authority, blank lines dropped."""
    return "\n".join(_upper(line) for line in (authority or "").splitlines() if line.strip())


def check(authority: str) -> str:
    """``authority`` normalised; each line must start with a Decree 30 prefix (or be empty)."""
    text = normalise(authority)
    for line in text.splitlines():
        if line.split(" ", 1)[0] not in PREFIXES or " " not in line:
            raise Invalid(
                "Thẩm quyền ký “%(line)s” không hợp lệ: phải là TM., KT., Q., TL. hoặc TUQ. "
                "kèm tên tập thể hoặc chức danh người đứng đầu (ví dụ “KT. CHỦ TỊCH”).",
                code="invalid_field", values={"line": line})
    return text
