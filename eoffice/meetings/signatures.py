"""Signing meeting documents with the user's own key: the chair signs the agenda
(``sig_official``); the secretary then the chair sign the minutes (``sig_secretary``,
``sig_chair``), each in its own incremental update so the first stays valid.

Keys, the timestamp authority and level (B-LT by default with a TSA, else B-B) and the
trust anchors come from :mod:`eoffice.signing_services` (shared, plain functions).
"""

from __future__ import annotations

from typing import Any

import signing
from eoffice import signing_services
from eoffice.auth.models import User
from eoffice.signing_services import SigningSettings


def sign_as(pdf: bytes, user: User, settings: SigningSettings, *, field_name: str,
            reason: str, passphrase: str | None, pin: str | None) -> bytes:
    """Sign ``pdf`` into ``field_name`` with ``user``'s key and signature image; a wrong
    passphrase/PIN raises Invalid (422) and nothing changes."""
    signer = signing_services.user_signer(user, settings, passphrase=passphrase, pin=pin)
    try:
        return signing.sign_official(pdf, signer, image_png=user.signature_image_path,
                                     reason=reason, field_name=field_name,
                                     **signing_services.signing_options(settings))
    except signing_services.SIGNING_FAILURES as exc:
        raise signing_services.signing_failed(exc) from exc


def validation(pdf: bytes, settings: SigningSettings) -> dict[str, Any]:
    """Verdict and per-signature facts of a file this system just signed."""
    return signing_services.validation_summary(pdf, settings)
