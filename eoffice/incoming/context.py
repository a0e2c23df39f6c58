"""Request-side helpers: trust material from the app config, shared by web pages and API."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context

from eoffice.incoming.pdfcheck import trust_material
from eoffice.incoming.registration import TrustConfig


def trust_config() -> TrustConfig:
    """Trust roots (``TRUST_ROOTS`` PEM paths) and CRLs (``crl/`` next to them and
    ``<instance>/pki/crl``), loaded once per app."""
    cached = current_app.extensions.get("eoffice.incoming.trust")
    if cached is None:
        roots, crls = trust_material(list(current_app.config.get("TRUST_ROOTS") or []),
                                     [Path(current_app.instance_path) / "pki" / "crl"])
        cached = TrustConfig(roots, crls)
        current_app.extensions["eoffice.incoming.trust"] = cached
    return _with_agency_anchors(cached)


def _with_agency_anchors(base: TrustConfig) -> TrustConfig:
    """The deployment's trust plus the anchors the acting user's agency installed."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from eoffice.admin.credentials import anchor_pems
    from eoffice.extensions import acting_user

    user = acting_user() if has_request_context() else None
    pems = anchor_pems(current_app.instance_path, user.agency_id) if user is not None else []
    if not pems:
        return base
    extra = [x509.load_pem_x509_certificate(p).public_bytes(Encoding.DER) for p in pems]
    return TrustConfig(base.roots + extra, base.crls)


def classified_files() -> bool:
    return bool(current_app.config.get("CLASSIFIED_FILES"))
