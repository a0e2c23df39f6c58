"""Signing services shared by every feature: settings, signers (user keys, agency seal), the
timestamp authority, and the trust material (anchors + CRLs) used to validate signatures.

Plain values in, signers out: no Flask here. :mod:`eoffice.settings` builds
:class:`SigningSettings` and :class:`TrustMaterial` from the app config.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from pyhanko.sign.timestamps.common_utils import TimestampRequestError

import signing
from eoffice.auth.models import User
from eoffice.errors import Invalid
from signing.revocation import SignerRevoked, SignerStatusUnknown

# pyHanko lets a failing timestamp authority through ``signing`` unwrapped: catch it too.
SIGNING_FAILURES: tuple[type[Exception], ...] = (signing.SigningError, TimestampRequestError)
DEV_PASSPHRASE = "eoffice-demo"  # noqa: S105 - the development TSA key of the demo PKI


class Secret(TypedDict):
    """What unlocks a key: the PKCS#12 passphrase or the token PIN (one of them)."""

    passphrase: str | None
    pin: str | None


@dataclass(frozen=True)
class TrustMaterial:
    """DER trust anchors and DER CRLs that signatures are validated against, and whether to
    ask OCSP/CRL online (through the cache)."""

    roots: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)
    online: bool = False
    revocation_cache: Path | None = None


@dataclass(frozen=True)
class SigningSettings:
    """Where keys, images, trust anchors and the timestamp authority are. The seal's key and
    image are a path (installed on every machine) or the bytes an agency admin uploaded."""

    seal_p12: Path | bytes
    seal_png: Path | bytes | None
    trust_roots: list[Path] = field(default_factory=list)
    trust_pems: tuple[bytes, ...] = ()
    """PEM anchors an agency admin installed (beside ``trust_roots``)."""
    pkcs11_module: str | None = None
    seal_token_label: str | None = None
    seal_key_label: str | None = None
    tsa_url: str | None = None
    tsa_p12: Path | None = None
    tsa_passphrase: str = DEV_PASSPHRASE
    crls: list[Path] = field(default_factory=list)
    """DER CRL files handed to validation (default: ``crl/*.crl`` beside the trust roots and
    in ``<instance>/pki/crl``)."""
    level: str = "B-LT"
    """PAdES level when a timestamp authority is configured (B-T, B-LT, B-LTA)."""
    revocation_online: bool = False
    revocation_cache: Path | None = None


def crl_files(trust_roots: Iterable[Path], instance: Path) -> list[Path]:
    """CRLs found in ``crl/`` beside each trust root (file or folder) and in
    ``<instance>/pki/crl``."""
    folders = {(p if p.is_dir() else p.parent) / "crl" for p in trust_roots if p.exists()}
    folders.add(instance / "pki" / "crl")
    return [f for d in sorted(folders) if d.is_dir() for f in sorted(d.glob("*.crl"))
            if f.is_file()]


def settings_from_config(config: Mapping[str, Any]) -> SigningSettings:
    """Read ``SEAL_P12``, ``SEAL_PNG``, ``TRUST_ROOTS``, ``PKCS11_MODULE`` (or the env var
    ``EOFFICE_PKCS11_MODULE``), ``SEAL_PKCS11_TOKEN``/``SEAL_PKCS11_KEY``, ``TSA_URL``,
    ``TSA_P12``/``TSA_PASSPHRASE``, ``CRLS``, ``SIGNATURE_LEVEL``, ``REVOCATION_ONLINE``;
    defaults point into ``<instance>/pki``."""
    instance = Path(config["INSTANCE_PATH"])
    pki = instance / "pki"
    seal_png = Path(config.get("SEAL_PNG") or pki / "seal.png")
    roots = [Path(p) for p in config.get("TRUST_ROOTS") or []]
    crls = config.get("CRLS")
    return SigningSettings(
        seal_p12=Path(config.get("SEAL_P12") or pki / "seal.p12"),
        seal_png=seal_png if seal_png.is_file() else None,
        trust_roots=roots,
        pkcs11_module=config.get("PKCS11_MODULE") or os.environ.get("EOFFICE_PKCS11_MODULE"),
        seal_token_label=config.get("SEAL_PKCS11_TOKEN"),
        seal_key_label=config.get("SEAL_PKCS11_KEY"),
        tsa_url=config.get("TSA_URL"),
        tsa_p12=Path(config.get("TSA_P12") or pki / "tsa.p12"),
        tsa_passphrase=config.get("TSA_PASSPHRASE") or DEV_PASSPHRASE,
        crls=[Path(p) for p in crls] if crls else crl_files(roots, instance),
        level=str(config.get("SIGNATURE_LEVEL") or "B-LT"),
        revocation_online=bool(config.get("REVOCATION_ONLINE")),
        revocation_cache=pki / "revocation-cache",
    )


def load_trust(settings: SigningSettings) -> TrustMaterial:
    """The anchors (PEM files, or folders of ``.pem``/``.crt``/``.cer``; missing paths are
    skipped) and CRLs of ``settings``, as DER bytes."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509 import load_pem_x509_certificate

    existing = [p for p in settings.trust_roots if p.exists()]
    roots = signing.load_trust_roots(existing) if existing else []
    roots += [load_pem_x509_certificate(pem) for pem in settings.trust_pems]
    return TrustMaterial([c.public_bytes(Encoding.DER) for c in roots],
                         [p.read_bytes() for p in settings.crls if p.is_file()],
                         online=settings.revocation_online,
                         revocation_cache=settings.revocation_cache
                         if settings.revocation_online else None)


def validate_untrusted(data: bytes, trust: TrustMaterial) -> Any:
    """Validate a PDF from outside (in the sandbox) against ``trust``."""
    return signing.validate_pdf(data, trust_roots=trust.roots, crls=trust.crls,
                                allow_fetching=trust.online,
                                revocation_cache=trust.revocation_cache)


def validation_summary(pdf: bytes, settings: SigningSettings) -> dict[str, Any]:
    """Validate our own output in-process: verdict + per-signature facts (for the API)."""
    trust = load_trust(settings)
    report = signing.validate_pdf(pdf, trust_roots=trust.roots, crls=trust.crls, sandbox=False,
                                  allow_fetching=settings.revocation_online,
                                  revocation_cache=settings.revocation_cache)
    return report.to_dict()


def validation_context(settings: SigningSettings) -> Any:
    """Trust anchors, offline CRLs and (when configured) online OCSP/CRL through the cache:
    used to refuse a revoked signer and to embed revocation data (B-LT/B-LTA). None when
    no trust anchor is configured (then B-T, and no revocation check)."""
    trust = load_trust(settings)
    if not trust.roots:
        return None
    return signing.make_validation_context(trust.roots, trust.crls,
                                           allow_fetching=settings.revocation_online,
                                           cache_dir=settings.revocation_cache)


def signing_options(settings: SigningSettings) -> dict[str, Any]:
    """``timestamper``, ``level`` and ``validation_context`` for one signature."""
    stamper = timestamper(settings)
    context = validation_context(settings)
    level = level_for(stamper, settings)
    if context is None and level in ("B-LT", "B-LTA"):
        level = "B-T"
    return {"timestamper": stamper, "level": level, "validation_context": context}


def _signing_error(exc: Exception) -> Invalid:
    if isinstance(exc, signing.WrongPassphrase):
        return Invalid("Mật khẩu khóa ký số không đúng. Văn bản chưa được ký; hãy nhập lại.",
                       code="wrong_passphrase")
    if isinstance(exc, signing.WrongPin):
        return Invalid("Mã PIN của thiết bị ký số không đúng. Văn bản chưa được ký; "
                       "hãy nhập lại.", code="wrong_pin")
    if isinstance(exc, SignerRevoked):
        return Invalid(str(exc), code="signer_revoked")
    if isinstance(exc, SignerStatusUnknown):
        return Invalid(str(exc), code="signer_status_unknown")
    if isinstance(exc, TimestampRequestError):
        return Invalid("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian; văn bản "
                       "chưa thay đổi, hãy thử lại sau.", code="timestamp_failed")
    return Invalid(str(exc) or "Không ký được văn bản.", code="signing_failed")


def signing_failed(exc: Exception) -> Invalid:
    """The domain error for a failed signature (messages are already Vietnamese)."""
    return _signing_error(exc)


def load_signer(*, p12: Path | str | bytes | None, token_label: str | None, key_label: str | None,
                settings: SigningSettings, passphrase: str | None, pin: str | None,
                owner: str) -> Any:
    """A signer from a PKCS#12 (file or bytes; passphrase) or a PKCS#11 token (PIN); Invalid (422)
    with a Vietnamese message on a wrong secret or a missing key."""
    try:
        if pin:
            if not (settings.pkcs11_module and token_label and key_label):
                raise Invalid("%(owner)s chưa được cấu hình thiết bị ký số (PKCS#11).",
                              code="no_token", values={"owner": owner})
            config = signing.Pkcs11SignerConfig(settings.pkcs11_module, token_label, key_label)
            return signing.open_pkcs11_signer(config, pin)
        if not passphrase:
            raise Invalid("Hãy nhập mật khẩu khóa ký số hoặc mã PIN.", code="missing_secret")
        if not p12:
            raise Invalid("%(owner)s chưa có khóa ký số (tệp PKCS#12).", code="no_key",
                          values={"owner": owner})
        return signing.load_pkcs12_signer(p12, passphrase)
    except signing.SigningError as exc:
        raise _signing_error(exc) from exc


def user_signer(user: User, settings: SigningSettings, *, passphrase: str | None,
                pin: str | None) -> Any:
    from eoffice.admin import stored

    return load_signer(p12=stored.of(user, user.p12_path), token_label=user.pkcs11_token_label,
                       key_label=user.pkcs11_key_label, settings=settings,
                       passphrase=passphrase, pin=pin, owner="Người ký")


def seal_signer(settings: SigningSettings, *, passphrase: str | None, pin: str | None) -> Any:
    p12 = settings.seal_p12 if isinstance(settings.seal_p12, bytes) \
        or settings.seal_p12.is_file() else None
    return load_signer(p12=p12, token_label=settings.seal_token_label,
                       key_label=settings.seal_key_label, settings=settings,
                       passphrase=passphrase, pin=pin, owner="Con dấu của cơ quan")


def timestamper(settings: SigningSettings) -> Any:
    """The TSA (URL, else the instance's development TSA), or None (then B-B)."""
    if settings.tsa_url:
        return signing.url_timestamper(settings.tsa_url)
    if settings.tsa_p12 is not None and settings.tsa_p12.is_file():
        return _dev_tsa(str(settings.tsa_p12), settings.tsa_p12.stat().st_mtime_ns,
                        settings.tsa_passphrase)
    return None


@functools.lru_cache(maxsize=4)
def _dev_tsa(path: str, _mtime: int, passphrase: str) -> Any:
    """The development TSA, loaded once per process (per file version)."""
    try:
        return signing.load_tsa(Path(path), passphrase)
    except signing.SigningError:
        return None


def level_for(stamper: Any, settings: SigningSettings | None = None) -> str:
    """The configured level (B-LT by default) with a TSA; B-B without one."""
    if stamper is None:
        return "B-B"
    return settings.level if settings is not None else "B-T"
