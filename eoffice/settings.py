"""The one bridge from the app config to domain operations: signing settings, trust
material, the agency clock and feature switches. Views and API call these; operations
receive plain values and never read ``current_app`` themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import current_app, has_request_context

from eoffice.clock import Clock, clock_from
from eoffice.signing_services import (
    SigningSettings,
    TrustMaterial,
    load_trust,
    settings_from_config,
)

_TRUST_KEY = "eoffice.trust"


def signing_settings() -> SigningSettings:
    """Keys, seal, TSA, trust anchors and CRLs as the acting user's agency uses them (its
    seal, its trust anchors, read from the database on every call: a change an admin made
    through any app server applies at once)."""
    from eoffice.admin.credentials import DEFAULT_SEAL_AGENCY, for_agency
    from eoffice.extensions import acting_user

    settings = settings_from_config(current_app.config)
    user = acting_user() if has_request_context() else None
    if user is None:
        return settings
    return for_agency(settings, user.agency,
                      current_app.config.get("SEAL_AGENCY") or DEFAULT_SEAL_AGENCY)


def trust_material(agency_id: int | None = None) -> TrustMaterial:
    """Trust anchors and CRLs to validate received files: the deployment's (loaded once per
    app) plus the anchors the agency (``agency_id``, else the acting user's) installed, read
    from the database on every call."""
    from eoffice.admin.credentials import anchor_pems
    from eoffice.db import db
    from eoffice.extensions import acting_user

    cached = current_app.extensions.get(_TRUST_KEY)
    if cached is None:
        cached = load_trust(settings_from_config(current_app.config))
        current_app.extensions[_TRUST_KEY] = cached
    if agency_id is None:
        user = acting_user() if has_request_context() else None
        agency_id = user.agency_id if user is not None else None
    return with_anchors(cached, anchor_pems(db.session, agency_id)
                        if agency_id is not None else [])


def with_anchors(base: TrustMaterial, pems: list[bytes]) -> TrustMaterial:
    """``base`` with the PEM anchors ``pems`` added."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if not pems:
        return base
    extra = [x509.load_pem_x509_certificate(p).public_bytes(Encoding.DER) for p in pems]
    return replace(base, roots=base.roots + extra)


def clock() -> Clock:
    """The agency clock (``TODAY`` frozen in tests/demos, else today in the agency's zone)."""
    return clock_from(current_app.config)


def today() -> date:
    return clock()()


def classified_files() -> bool:
    """Whether files of classified documents may be stored (``CLASSIFIED_FILES``)."""
    return bool(current_app.config.get("CLASSIFIED_FILES"))
