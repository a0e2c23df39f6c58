"""PAdES signing and validation for eoffice, on top of pyHanko.

A library: it imports neither Flask nor the eoffice application.
"""

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
