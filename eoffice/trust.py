"""Trust anchors and revocation lists from the app configuration, loaded once per app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class TrustMaterial:
    roots: list[Any]
    crls: list[bytes]


def _crl_files(folders: list[Path]) -> list[bytes]:
    found: list[bytes] = []
    for folder in folders:
        if folder.is_dir():
            found += [p.read_bytes() for p in sorted(folder.glob("*.crl")) if p.is_file()]
    return found


def trust_material() -> TrustMaterial:
    """``TRUST_ROOTS`` (PEM files or folders) and CRLs found in ``crl/`` beside them and in
    ``<instance>/pki/crl``."""
    cached = current_app.extensions.get("eoffice.trust")
    if cached is None:
        from signing.validation import load_trust_roots

        paths = [Path(p) for p in current_app.config.get("TRUST_ROOTS") or []]
        existing = [p for p in paths if p.exists()]
        roots = load_trust_roots(existing) if existing else []
        folders = {(p if p.is_dir() else p.parent) / "crl" for p in existing}
        folders.add(Path(current_app.instance_path) / "pki" / "crl")
        cached = TrustMaterial(roots, _crl_files(sorted(folders)))
        current_app.extensions["eoffice.trust"] = cached
    return cached


def validate_upload(data: bytes) -> Any:
    """Validate an untrusted PDF (in the sandbox) against the configured trust material."""
    from signing.validation import validate_pdf

    material = trust_material()
    online = bool(current_app.config.get("REVOCATION_ONLINE"))
    cache = Path(current_app.instance_path) / "pki" / "revocation-cache"
    return validate_pdf(data, trust_roots=material.roots, crls=material.crls,
                        allow_fetching=online, revocation_cache=cache if online else None)
