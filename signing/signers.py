"""Signers behind one interface (pyHanko's ``Signer``): PKCS#12 soft keys and PKCS#11 tokens.

Keys are loaded once and the returned signer object is meant to be reused for many
documents (batch signing with one passphrase/PIN entry). PKCS#11 sessions are cached per
(module, token): a token accepts one login per process.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass
from pathlib import Path

import pkcs11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign import pkcs11 as hk_pkcs11
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import Signer

from signing.errors import SigningError, TokenNotFound, WrongPassphrase, WrongPin


class Pkcs12Signer(SimpleSigner):
    """A soft-key signer that parses its private key once (pyHanko re-parses per signature)."""

    _cached_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mech.signature_algo
        except ValueError:
            algo = mech["algorithm"].native
        key = self._cached_key
        if key is None:
            loaded = serialization.load_der_private_key(self.signing_key.dump(), None)
            if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
                return super().sign_raw(data, digest_algorithm)
            key = self._cached_key = loaded
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo)
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def load_pkcs12_signer(path: Path | str | bytes, passphrase: str) -> Pkcs12Signer:
    """Load a PKCS#12 (a file, or its bytes) once; raise :class:`WrongPassphrase` on a bad
    passphrase."""
    if isinstance(path, bytes):
        data = path
    else:
        path = Path(path)
        if not path.is_file():
            raise SigningError(f"Không tìm thấy tệp khóa: {path}")
        data = path.read_bytes()
    try:
        loaded = SimpleSigner.load_pkcs12_data(data, other_certs=(),
                                               passphrase=passphrase.encode())
    except (ValueError, HankoSigningError) as exc:
        raise WrongPassphrase() from exc
    if loaded is None:
        raise WrongPassphrase()
    return Pkcs12Signer(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                        cert_registry=loaded.cert_registry)


@dataclass(frozen=True)
class Pkcs11SignerConfig:
    """Where the key lives on a PKCS#11 token."""

    module_path: str
    """Path of the PKCS#11 module (e.g. ``/usr/lib/softhsm/libsofthsm2.so``)."""
    token_label: str
    key_label: str
    cert_label: str | None = None
    """Defaults to ``key_label``."""


_SESSIONS: dict[tuple[str, str], tuple[pkcs11.Session, str]] = {}
_SESSION_LOCK = threading.Lock()


def _session(config: Pkcs11SignerConfig, pin: str) -> pkcs11.Session:
    key = (config.module_path, config.token_label)
    with _SESSION_LOCK:
        cached = _SESSIONS.get(key)
        if cached is not None:
            # one login per process: a different PIN cannot be checked again on the token
            if not hmac.compare_digest(cached[1], pin):
                raise WrongPin()
            return cached[0]
        try:
            lib = pkcs11.lib(config.module_path)
        except RuntimeError as exc:
            raise SigningError(
                f"Không nạp được thư viện PKCS#11: {config.module_path}"
            ) from exc
        try:
            token = lib.get_token(token_label=config.token_label)
        except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned) as exc:
            raise TokenNotFound(
                f"Không tìm thấy thiết bị ký số có nhãn “{config.token_label}”."
            ) from exc
        try:
            session = token.open(user_pin=pin)
        except pkcs11.PinIncorrect as exc:
            raise WrongPin() from exc
        except pkcs11.PinLocked as exc:
            raise WrongPin("Mã PIN của thiết bị ký số đã bị khóa.") from exc
        except pkcs11.UserAlreadyLoggedIn:
            session = token.open()
        _SESSIONS[key] = (session, pin)
        return session


def close_pkcs11_sessions() -> None:
    """Log out and close every cached PKCS#11 session of this process."""
    with _SESSION_LOCK:
        for session, _ in _SESSIONS.values():
            try:
                session.close()
            except pkcs11.PKCS11Error:
                pass
        _SESSIONS.clear()


def _is_ec_key(session: pkcs11.Session, label: str) -> bool:
    keys = list(session.get_objects({
        pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY,
        pkcs11.Attribute.LABEL: label,
    }))
    if not keys:
        raise TokenNotFound(f"Không tìm thấy khóa “{label}” trên thiết bị ký số.")
    return bool(keys[0][pkcs11.Attribute.KEY_TYPE] == pkcs11.KeyType.EC)


def open_pkcs11_signer(config: Pkcs11SignerConfig, pin: str) -> Signer:
    """A signer for a key on a PKCS#11 token; EC keys use the raw mechanism."""
    session = _session(config, pin)
    use_raw = _is_ec_key(session, config.key_label)
    try:
        return hk_pkcs11.PKCS11Signer(
            session,
            key_label=config.key_label,
            cert_label=config.cert_label or config.key_label,
            use_raw_mechanism=use_raw,
            other_certs_to_pull=None,  # all certificates on the token (CA chain)
        )
    except hk_pkcs11.PKCS11Error as exc:
        raise TokenNotFound(
            f"Không tìm thấy chứng thư số “{config.cert_label or config.key_label}”"
            " trên thiết bị ký số."
        ) from exc
