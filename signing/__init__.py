"""PAdES signing and validation for eoffice, on top of pyHanko.

A library: it imports neither Flask nor the eoffice application.

The names below are imported on first use (PEP 562), so that a process needing one
submodule (the sandbox zygote imports only the validation core) does not load the rest:
a smaller zygote forks faster for every untrusted file.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signing.devpki import DevPki, UserCredential, init_dev_pki, issue_user
    from signing.errors import SigningError, TokenNotFound, WrongPassphrase, WrongPin
    from signing.issuance import add_reserved_fields, fill_text_field, issue_document
    from signing.pades import (
        make_validation_context,
        sign_batch,
        sign_copy_stamp,
        sign_official,
    )
    from signing.signers import (
        Pkcs11SignerConfig,
        Pkcs12Signer,
        close_pkcs11_sessions,
        load_pkcs12_signer,
        open_pkcs11_signer,
    )
    from signing.tsa import dev_timestamper, load_tsa, serve_tsa, url_timestamper
    from signing.validation import (
        VERDICT_LABELS,
        ValidationReport,
        extract_signer_info,
        load_trust_roots,
        validate_pdf,
    )
    from signing.vntime import VN_TZ, vn_now

_LAZY = {
    "DevPki": "signing.devpki",
    "Pkcs11SignerConfig": "signing.signers",
    "Pkcs12Signer": "signing.signers",
    "SigningError": "signing.errors",
    "TokenNotFound": "signing.errors",
    "UserCredential": "signing.devpki",
    "VERDICT_LABELS": "signing.validation",
    "VN_TZ": "signing.vntime",
    "ValidationReport": "signing.validation",
    "WrongPassphrase": "signing.errors",
    "WrongPin": "signing.errors",
    "add_reserved_fields": "signing.issuance",
    "close_pkcs11_sessions": "signing.signers",
    "dev_timestamper": "signing.tsa",
    "extract_signer_info": "signing.validation",
    "fill_text_field": "signing.issuance",
    "init_dev_pki": "signing.devpki",
    "issue_document": "signing.issuance",
    "issue_user": "signing.devpki",
    "load_pkcs12_signer": "signing.signers",
    "load_trust_roots": "signing.validation",
    "load_tsa": "signing.tsa",
    "make_validation_context": "signing.pades",
    "open_pkcs11_signer": "signing.signers",
    "serve_tsa": "signing.tsa",
    "sign_batch": "signing.pades",
    "sign_copy_stamp": "signing.pades",
    "sign_official": "signing.pades",
    "url_timestamper": "signing.tsa",
    "validate_pdf": "signing.validation",
    "vn_now": "signing.vntime",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:  # a submodule (``import signing`` then ``signing.pades``)
        if name.startswith("_") or importlib.util.find_spec(f"signing.{name}") is None:
            raise AttributeError(f"module 'signing' has no attribute {name!r}")
        return importlib.import_module(f"signing.{name}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DevPki",
    "VN_TZ",
    "Pkcs11SignerConfig",
    "Pkcs12Signer",
    "SigningError",
    "TokenNotFound",
    "UserCredential",
    "VERDICT_LABELS",
    "ValidationReport",
    "WrongPassphrase",
    "WrongPin",
    "add_reserved_fields",
    "fill_text_field",
    "issue_document",
    "close_pkcs11_sessions",
    "dev_timestamper",
    "extract_signer_info",
    "init_dev_pki",
    "issue_user",
    "load_pkcs12_signer",
    "load_trust_roots",
    "load_tsa",
    "make_validation_context",
    "open_pkcs11_signer",
    "serve_tsa",
    "sign_batch",
    "sign_copy_stamp",
    "sign_official",
    "url_timestamper",
    "validate_pdf",
    "vn_now",
]
