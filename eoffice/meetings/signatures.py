"""Signing meeting documents with the user's own key: the chair signs the agenda
(``sig_official``); the secretary then the chair sign the minutes (``sig_secretary``,
``sig_chair``), each in its own incremental update so the first stays valid.

Keys, the timestamp authority and level (B-LT by default with a TSA, else B-B) and the
trust anchors come from :mod:`eoffice.signing_services` (shared, plain functions).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import signing
from eoffice import signing_services
from eoffice.auth.models import User
from eoffice.errors import Invalid
from eoffice.signing_services import SigningSettings


class PreparedForToken(Exception):  # noqa: N818 - a result, not a failure
    """Raised by :func:`sign_as` in prepare mode: what the USB token is to sign.
    Nothing was written before it (the operations sign before they store)."""

    def __init__(self, pdf: bytes, field_name: str, reason: str) -> None:
        super().__init__(field_name)
        self.pdf, self.field_name, self.reason = pdf, field_name, reason


@dataclass(frozen=True)
class TokenSignature:
    """Sign through the official's token agent (:mod:`eoffice.token_agent`): without
    ``signed`` the operation stops at the signature with :class:`PreparedForToken`; with it
    the token's PDF is used, provided the operation would sign the same file and field."""

    signed: bytes | None = None
    source_sha: str = ""
    field_name: str = ""


def sign_as(pdf: bytes, user: User, settings: SigningSettings, *, field_name: str,
            reason: str, passphrase: str | None, pin: str | None,
            token: TokenSignature | None = None) -> bytes:
    """Sign ``pdf`` into ``field_name`` with ``user``'s key and signature image; a wrong
    passphrase/PIN raises Invalid (422) and nothing changes."""
    if token is not None:
        if token.signed is None:
            raise PreparedForToken(pdf, field_name, reason)
        if hashlib.sha256(pdf).hexdigest() != token.source_sha \
                or field_name != token.field_name:
            raise Invalid("Tài liệu đã thay đổi sau khi chuẩn bị ký; hãy ký lại.",
                          code="changed")
        return token.signed
    signer = signing_services.user_signer(user, settings, passphrase=passphrase, pin=pin)
    try:
        return signing.sign_official(pdf, signer, image_png=user.signature_image,
                                     reason=reason, field_name=field_name,
                                     **signing_services.signing_options(settings))
    except signing_services.SIGNING_FAILURES as exc:
        raise signing_services.signing_failed(exc) from exc


def validation(pdf: bytes, settings: SigningSettings) -> dict[str, Any]:
    """Verdict and per-signature facts of a file this system just signed."""
    return signing_services.validation_summary(pdf, settings)
