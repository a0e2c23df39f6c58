"""Development PKI: root, intermediate, users, agency seal, TSA, a revoked user, CRLs.

Everything is created idempotently under one folder; existing files are reused.
Never use these keys in production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing import images

VALIDITY = dt.timedelta(days=5 * 365)
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _key_of(cert: x509.Certificate) -> PublicKey:
    """The certificate's RSA or EC public key (the only kinds this PKI issues)."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise TypeError(f"unexpected key type {type(key).__name__}")
    return key


@dataclass(frozen=True)
class UserCredential:
    """A user's signing credential in the dev PKI."""

    username: str
    full_name: str
    p12_path: Path
    signature_png: Path
    key_type: str


@dataclass(frozen=True)
class DevPki:
    """Paths of an initialised development PKI."""

    out: Path
    agency_name: str
    passphrase: str

    @property
    def root_pem(self) -> Path:
        return self.out / "root.pem"

    @property
    def intermediate_pem(self) -> Path:
        return self.out / "intermediate.pem"

    @property
    def chain_pem(self) -> Path:
        return self.out / "chain.pem"

    @property
    def seal_p12(self) -> Path:
        return self.out / "seal.p12"

    @property
    def seal_png(self) -> Path:
        return self.out / "seal.png"

    @property
    def tsa_p12(self) -> Path:
        return self.out / "tsa.p12"

    @property
    def revoked_p12(self) -> Path:
        return self.out / "users" / "revoked.p12"

    @property
    def crl_paths(self) -> list[Path]:
        return [self.out / "crl" / "intermediate.crl", self.out / "crl" / "root.crl"]

    def crls(self) -> list[bytes]:
        """DER CRLs of root and intermediate, to hand to validation as data."""
        return [p.read_bytes() for p in self.crl_paths]

    def user_p12(self, username: str, key_type: str = "rsa") -> Path:
        suffix = "-ec" if key_type == "ec" else ""
        return self.out / "users" / f"{username}{suffix}.p12"

    def signature_png(self, username: str) -> Path:
        return self.out / "users" / f"{username}-signature.png"

    def root_cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.root_pem.read_bytes())

    def issue_user(
        self, username: str, full_name: str, *, key_type: str = "rsa"
    ) -> UserCredential:
        return issue_user(
            self.out, username, full_name, passphrase=self.passphrase, key_type=key_type
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _new_key(key_type: str) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_key(path: Path, key: PrivateKey, passphrase: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode()),
        )
    )
    path.chmod(0o600)


def _load_key(path: Path, passphrase: str) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), passphrase.encode())
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return key


def _load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _build_cert(
    subject: x509.Name,
    public_key: PublicKey,
    issuer: x509.Certificate | None,
    issuer_key: PrivateKey,
    *,
    ca: bool,
    path_len: int | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    start = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key),
            critical=False,
        )
    )
    auth_pub = _key_of(issuer) if issuer else public_key
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(auth_pub),
        critical=False,
    )
    if ca:
        usage = x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True,
            crl_sign=True, encipher_only=False, decipher_only=False,
        )
    else:
        usage = x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False,
        )
    builder = builder.add_extension(usage, critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_p12(
    path: Path, name: str, key: PrivateKey, cert: x509.Certificate,
    chain: list[x509.Certificate], passphrase: str,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, chain,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.write_bytes(data)
    path.chmod(0o600)


def _write_crl(
    path: Path, issuer: x509.Certificate, key: PrivateKey, revoked: list[int]
) -> None:
    start = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(start)
        .next_update(start + VALIDITY)
        .add_extension(x509.CRLNumber(int(start.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_key_of(issuer)),
            critical=False,
        )
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(start)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))


def _ensure_ca(out: Path, agency_name: str, passphrase: str) -> None:
    priv = out / "private"
    root_key_path, int_key_path = priv / "root.key.pem", priv / "intermediate.key.pem"
    if not (out / "root.pem").exists():
        key = _new_key("rsa")
        cert = _build_cert(
            _name("eoffice Development Root CA", "eoffice dev"), key.public_key(), None, key,
            ca=True, path_len=1,
        )
        _write_key(root_key_path, key, passphrase)
        (out / "root.pem").write_bytes(_pem(cert))
    if not (out / "intermediate.pem").exists():
        root_key = _load_key(root_key_path, passphrase)
        key = _new_key("rsa")
        cert = _build_cert(
            _name("eoffice Development Signing CA", "eoffice dev"), key.public_key(),
            _load_cert(out / "root.pem"), root_key, ca=True, path_len=0,
        )
        _write_key(int_key_path, key, passphrase)
        (out / "intermediate.pem").write_bytes(_pem(cert))
    (out / "chain.pem").write_bytes(
        (out / "intermediate.pem").read_bytes() + (out / "root.pem").read_bytes()
    )


def _issue_leaf(
    out: Path, p12: Path, subject: x509.Name, label: str, passphrase: str, key_type: str,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    inter = _load_cert(out / "intermediate.pem")
    inter_key = _load_key(out / "private" / "intermediate.key.pem", passphrase)
    key = _new_key(key_type)
    cert = _build_cert(subject, key.public_key(), inter, inter_key, ca=False, eku=eku)
    _write_p12(p12, label, key, cert, [inter, _load_cert(out / "root.pem")], passphrase)
    return cert


def _cert_of_p12(path: Path, passphrase: str) -> x509.Certificate:
    _, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode())
    assert cert is not None
    return cert


def init_dev_pki(
    out: Path, *, agency_name: str, agency_abbr: str, passphrase: str
) -> DevPki:
    """Create (or reuse) the development PKI in ``out`` and return its paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _ensure_ca(out, agency_name, passphrase)
    pki = DevPki(out=out, agency_name=agency_name, passphrase=passphrase)
    if not pki.seal_p12.exists():
        _issue_leaf(
            out, pki.seal_p12, _name(agency_name, agency_name), "seal", passphrase, "rsa"
        )
    if not pki.seal_png.exists():
        images.draw_seal(agency_name, agency_abbr).save(pki.seal_png)
    if not pki.tsa_p12.exists():
        _issue_leaf(
            out, pki.tsa_p12, _name("eoffice Development TSA", "eoffice dev"), "tsa",
            passphrase, "rsa", eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        )
    if not pki.revoked_p12.exists():
        _issue_leaf(
            out, pki.revoked_p12, _name("Người Bị Thu Hồi", agency_name), "revoked",
            passphrase, "rsa",
        )
    crl_int, crl_root = pki.crl_paths
    if not crl_int.exists():
        revoked = _cert_of_p12(pki.revoked_p12, passphrase).serial_number
        _write_crl(
            crl_int, _load_cert(pki.intermediate_pem),
            _load_key(out / "private" / "intermediate.key.pem", passphrase), [revoked],
        )
    if not crl_root.exists():
        _write_crl(
            crl_root, _load_cert(pki.root_pem),
            _load_key(out / "private" / "root.key.pem", passphrase), [],
        )
    return pki


def issue_user(
    out: Path, username: str, full_name: str, *, passphrase: str, key_type: str = "rsa"
) -> UserCredential:
    """Issue (or reuse) a signing credential and signature image for a user."""
    if key_type not in ("rsa", "ec"):
        raise ValueError(f"key_type must be 'rsa' or 'ec', not {key_type!r}")
    out = Path(out)
    suffix = "-ec" if key_type == "ec" else ""
    p12 = out / "users" / f"{username}{suffix}.p12"
    png = out / "users" / f"{username}-signature.png"
    if not p12.exists():
        org = None
        subject = _name(full_name, org)
        _issue_leaf(out, p12, subject, username, passphrase, key_type)
    if not png.exists():
        png.parent.mkdir(parents=True, exist_ok=True)
        images.draw_signature(full_name).save(png)
    return UserCredential(username, full_name, p12, png, key_type)
