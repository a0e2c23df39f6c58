"""Enveloped XML signatures (XML-DSig, RSA-SHA256) for exchange packages.

Signing and verification use ``signxml`` (a maintained XML-DSig library built on lxml and
``cryptography``); the signer's certificate chain is checked against the trust anchors with
``pyhanko-certvalidator``, the same validator the PDF signatures go through, so a package
and a PDF from the same agency are trusted (or not) for the same reasons.

Untrusted bytes are parsed defensively: a size limit, any DOCTYPE refused (no entity can be
declared, so no entity expansion bomb and no external entity), no network access, lxml's
default depth limits. The content of a verified package must be read from
:attr:`XmlVerification.signed_root` (what the signature covers), never from the bytes
received, which may carry wrapped elements.

A library: it imports neither Flask nor a database.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

MAX_PACKAGE_BYTES = 60 * 1024 * 1024
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
C14N_INCLUSIVE = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"

VALID = "valid"
INVALID = "invalid"
INDETERMINATE = "indeterminate"

logging.getLogger("signxml").setLevel(logging.ERROR)


class UnsafeXml(ValueError):  # noqa: N818 (reads as a verdict)
    """The bytes are refused before any XML processing; ``str(err)`` is Vietnamese."""

    def __init__(self, reason: str, reason_en: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_en = reason_en


@dataclass
class XmlVerification:
    """The outcome of :func:`verify_enveloped`. ``status`` is ``valid`` only when the
    signature is intact, covers the whole document and its signer chains to a trust anchor
    without a known revocation."""

    status: str
    reasons: list[str] = field(default_factory=list)
    reasons_en: list[str] = field(default_factory=list)
    signer: str | None = None
    signer_organization: str | None = None
    certificate: x509.Certificate | None = None
    signed_root: etree._Element | None = None

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def refuse(self, status: str, reason: str, reason_en: str) -> XmlVerification:
        self.status = status
        self.reasons.append(reason)
        self.reasons_en.append(reason_en)
        return self


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False, remove_pis=False,
    )


def parse_untrusted(data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES) -> etree._Element:
    """Parse untrusted XML bytes, or raise :class:`UnsafeXml` with a Vietnamese reason."""
    if not isinstance(data, bytes | bytearray):
        raise UnsafeXml("Dữ liệu không phải tệp XML.", "Data is not an XML file.")
    if len(data) > max_bytes:
        raise UnsafeXml(
            f"Gói tin quá lớn ({len(data) // (1024 * 1024)} MB, tối đa "
            f"{max_bytes // (1024 * 1024)} MB).",
            f"Package too large ({len(data)} bytes, limit {max_bytes}).",
        )
    # defusedxml's expat pass names the attack precisely (entity bomb, external entity)
    # before lxml sees anything; DOCTYPEs are refused outright: edXML never needs one.
    from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
    from defusedxml import ElementTree as DefusedET

    try:
        DefusedET.fromstring(bytes(data), forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except EntitiesForbidden as err:
        raise UnsafeXml(
            "Gói tin khai báo thực thể XML (nguy cơ bom XML hoặc đọc tệp ngoài): bị từ chối.",
            f"The package declares XML entities (XML bomb or external entity): {err}",
        ) from None
    except DTDForbidden:
        raise UnsafeXml(
            "Gói tin chứa khai báo DOCTYPE (có thể là bom XML hoặc thực thể ngoài): bị từ chối.",
            "The package carries a DOCTYPE (possible XML bomb or external entity).",
        ) from None
    except DefusedXmlException as err:
        raise UnsafeXml(
            "Gói tin tham chiếu tài nguyên bên ngoài: bị từ chối.",
            f"The package references external resources: {err}",
        ) from None
    except Exception as err:  # noqa: BLE001 (expat raises ParseError and others)
        raise UnsafeXml(
            "Tệp không phải XML hợp lệ.", f"Not well-formed XML: {err}"
        ) from None
    try:
        return etree.fromstring(bytes(data), parser=_parser())
    except etree.XMLSyntaxError as err:
        raise UnsafeXml("Tệp không phải XML hợp lệ.", f"Not well-formed XML: {err}") from None


def sign_enveloped(
    root: etree._Element,
    key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate] = (),
) -> bytes:
    """Sign ``root`` with an enveloped signature (whole document, RSA-SHA256, inclusive
    C14N, the certificate chain in ``KeyInfo``) and return the serialised document."""
    from signxml import SignatureMethod, XMLSigner
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm

    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("edXML packages are signed with an RSA key (RSA-SHA256)")
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    certs = [c.public_bytes(serialization.Encoding.PEM) for c in (certificate, *chain)]
    signed = signer.sign(root, key=key, cert=b"".join(certs).decode("ascii"))
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def _certificates_of(root: etree._Element) -> list[x509.Certificate]:
    import base64

    found = []
    for node in root.iter(f"{{{DSIG_NS}}}X509Certificate"):
        text = "".join((node.text or "").split())
        try:
            found.append(x509.load_der_x509_certificate(base64.b64decode(text)))
        except ValueError:
            continue
    return found


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


CHAIN_CACHE_SECONDS = 300.0
"""How long a chain verdict is reused for the same certificates, anchors and CRLs (an
agency seals every package with the same certificate: validating its path against the CRLs
was 70 % of a package's verification)."""
_CHAIN_CACHE_SIZE = 256
_chain_cache: dict[bytes, tuple[float, str]] = {}
_chain_lock = threading.Lock()


def _chain_key(leaf: x509.Certificate, others: Sequence[x509.Certificate],
               trust_roots: Sequence[x509.Certificate], crls: Sequence[bytes]) -> bytes:
    digest = hashlib.sha256()
    for group in ((leaf, *others), trust_roots):
        for cert in group:
            digest.update(cert.fingerprint(hashes.SHA256()))
        digest.update(b"|")
    for crl in crls:
        digest.update(hashlib.sha256(crl).digest())
    return digest.digest()


def _verdict_expiry(certs: Sequence[x509.Certificate], crls: Sequence[bytes]) -> float:
    """Until when (epoch) a verdict on these may be reused: a few minutes, never past a
    certificate's end of validity nor a CRL's next update."""
    limit = time.time() + CHAIN_CACHE_SECONDS
    for cert in certs:
        limit = min(limit, cert.not_valid_after_utc.timestamp())
    for data in crls:
        try:
            crl = (x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----")
                   else x509.load_der_x509_crl(data))
        except ValueError:
            return 0.0  # an unreadable CRL: validate every time
        if crl.next_update_utc is not None:
            limit = min(limit, crl.next_update_utc.timestamp())
    return limit


def _chain_state(
    leaf: x509.Certificate,
    others: Sequence[x509.Certificate],
    trust_roots: Sequence[x509.Certificate],
    crls: Sequence[bytes],
    moment: datetime | None,
) -> str:
    """``good``, ``revoked``, ``unknown`` (revocation not established) or ``untrusted``.

    Validated now (``moment`` None), a verdict is remembered for the same certificates,
    anchors and CRL bytes for :data:`CHAIN_CACHE_SECONDS` at most (new CRLs or anchors are a
    new key; nothing is reused past a certificate's expiry or a CRL's next update)."""
    key = _chain_key(leaf, others, trust_roots, crls) if moment is None else None
    cached = _chain_cache.get(key) if key is not None else None
    if cached is not None and cached[0] > time.time():
        return cached[1]
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )

    def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    if not trust_roots:
        return "untrusted"

    def run(mode: str) -> str:
        context = ValidationContext(
            trust_roots=[asn1(c) for c in trust_roots],
            other_certs=[asn1(c) for c in others],
            crls=list(crls), allow_fetching=False, revocation_mode=mode, moment=moment,
        )
        validator = CertificateValidator(asn1(leaf), validation_context=context)
        try:
            asyncio.run(validator.async_validate_usage({"digital_signature"}))
        except RevokedError:
            return "revoked"
        except (PathBuildingError, PathValidationError):
            return "failed"
        return "good"

    state = run("require")
    if state not in ("good", "revoked"):
        soft = run("soft-fail")
        state = {"good": "unknown", "revoked": "revoked"}.get(soft, "untrusted")
    if key is not None:
        _remember(key, state, (leaf, *others), crls)
    return state


def _remember(key: bytes, state: str, certs: Sequence[x509.Certificate],
              crls: Sequence[bytes]) -> None:
    expiry = _verdict_expiry(certs, crls)
    with _chain_lock:
        if len(_chain_cache) >= _CHAIN_CACHE_SIZE:
            _chain_cache.clear()
        if expiry > time.time():
            _chain_cache[key] = (expiry, state)


def verify_enveloped(
    data: bytes | etree._Element,
    trust_roots: Sequence[x509.Certificate],
    *,
    crls: Sequence[bytes] = (),
    moment: datetime | None = None,
    max_bytes: int = MAX_PACKAGE_BYTES,
) -> XmlVerification:
    """Verify the enveloped signature of an untrusted XML document. Never raises for bad
    input: the reasons are in the result (Vietnamese, and English in ``reasons_en``)."""
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature

    result = XmlVerification(status=VALID)
    try:
        root = data if isinstance(data, etree._Element) else parse_untrusted(
            data, max_bytes=max_bytes)
    except UnsafeXml as err:
        return result.refuse(INVALID, err.reason, err.reason_en)
    signatures = root.findall(f".//{{{DSIG_NS}}}Signature")
    if not signatures:
        return result.refuse(INVALID, "Gói tin không có chữ ký số.", "The package is unsigned.")
    if len(signatures) > 1:
        return result.refuse(INVALID, "Gói tin có nhiều hơn một chữ ký số.",
                             "The package carries more than one signature.")
    certs = _certificates_of(root)
    if not certs:
        return result.refuse(INVALID, "Chữ ký không kèm chứng thư số của người ký.",
                             "The signature carries no signer certificate.")
    leaf = certs[0]
    result.certificate = leaf
    result.signer = _name_attr(leaf.subject, x509.NameOID.COMMON_NAME)
    result.signer_organization = _name_attr(leaf.subject, x509.NameOID.ORGANIZATION_NAME)
    try:
        verified = XMLVerifier().verify(
            root, x509_cert=leaf, expect_references=1,
            parser=_parser(),
        )
    except (InvalidSignature, InvalidInput) as err:
        return result.refuse(
            INVALID, "Chữ ký số không toàn vẹn: nội dung gói tin đã bị thay đổi sau khi ký.",
            f"The signature does not verify (content changed after signing): {err}",
        )
    except Exception as err:  # noqa: BLE001 (a malformed signature must not crash intake)
        return result.refuse(INVALID, "Chữ ký số bị hỏng hoặc không được hỗ trợ.",
                             f"Broken or unsupported signature: {err}")
    if isinstance(verified, list):  # expect_references=1 gives one result
        verified = verified[0]
    signed = verified.signed_xml
    if signed is None or signed.tag != root.tag or verified.signed_data is None:
        return result.refuse(INVALID, "Chữ ký không bao phủ toàn bộ gói tin.",
                             "The signature does not cover the whole package.")
    reference = root.find(f".//{{{DSIG_NS}}}Reference")
    if reference is None or reference.get("URI") not in ("", None):
        return result.refuse(INVALID, "Chữ ký không bao phủ toàn bộ gói tin.",
                             "The signature does not cover the whole package.")
    result.signed_root = signed
    state = _chain_state(leaf, certs[1:], trust_roots, crls, moment)
    who = result.signer or "người ký"
    if state == "revoked":
        return result.refuse(INVALID, f"Chứng thư số của {who} đã bị thu hồi.",
                             f"The certificate of {who} is revoked.")
    if state == "untrusted":
        return result.refuse(
            INVALID, f"Chứng thư số của {who} không thuộc chuỗi tin cậy của cơ quan.",
            f"The certificate of {who} does not chain to a trust anchor.",
        )
    if state == "unknown":
        return result.refuse(
            INDETERMINATE, f"Không xác định được tình trạng thu hồi chứng thư của {who} "
            f"(không có dữ liệu CRL).", f"Revocation status of {who} unknown (no CRL).",
        )
    return result
