"""Fixtures for the validation tests: signers from the dev PKI and a signing helper.

Benign fixtures are signed with pyHanko directly (not with eoffice's signing code) so
that validation is tested against an independent producer.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as a509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext

from signing.devpki import DevPki
from signing.validation import ValidationReport, load_trust_roots, validate_pdf

PASSPHRASE = b"eoffice-demo"


@dataclass(frozen=True)
class Kit:
    """Everything a test needs to sign and validate against the dev PKI."""

    pki: DevPki
    roots: list[Any]
    crls: list[bytes]
    user: signers.SimpleSigner
    seal: signers.SimpleSigner
    revoked: signers.SimpleSigner
    timestamper: DummyTimeStamper

    def context(self) -> ValidationContext:
        root = a509.Certificate.load(self.pki.root_cert().public_bytes(_der_encoding()))
        return ValidationContext(trust_roots=[root], crls=self.crls, allow_fetching=False)


def _der_encoding() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _load(path: Path) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=PASSPHRASE)
    assert signer is not None
    return signer


@pytest.fixture(scope="session")
def kit(dev_pki: DevPki) -> Kit:
    tsa = _load(dev_pki.tsa_p12)
    stamper = DummyTimeStamper(tsa.signing_cert, tsa.signing_key,
                               certs_to_embed=list(tsa.cert_registry))
    return Kit(dev_pki, load_trust_roots([dev_pki.root_pem]), dev_pki.crls(),
               _load(dev_pki.user_p12("chutich")), _load(dev_pki.seal_p12),
               _load(dev_pki.revoked_p12), stamper)


def sign(
    data: bytes,
    signer: signers.SimpleSigner,
    *,
    field: str = "sig_official",
    kit: Kit | None = None,
    level: str = "B-B",
    certify: MDPPerm | None = None,
) -> bytes:
    """Sign ``data`` with pyHanko at a PAdES level (B-B, B-T, B-LT, B-LTA)."""
    meta: dict[str, Any] = {"field_name": field, "subfilter": SigSeedSubFilter.PADES}
    timestamper = None
    if level != "B-B":
        assert kit is not None
        timestamper = kit.timestamper
    if level in ("B-LT", "B-LTA"):
        assert kit is not None
        meta.update(embed_validation_info=True, validation_context=kit.context())
    if level == "B-LTA":
        meta["use_pades_lta"] = True
    if certify is not None:
        meta.update(certify=True, docmdp_permissions=certify)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    pdf_signer = signers.PdfSigner(signers.PdfSignatureMetadata(**meta), signer=signer,
                                   timestamper=timestamper)
    out = pdf_signer.sign_pdf(writer)
    return out.getvalue()


@pytest.fixture(scope="session")
def sign_pdf() -> Callable[..., bytes]:
    """``sign_pdf(data, signer, field=..., kit=..., level="B-T", certify=None)``."""
    return sign


@pytest.fixture(scope="session")
def add_sig_field() -> Callable[..., bytes]:
    """Append an empty signature field (incremental update)."""

    def run(data: bytes, name: str, box: tuple[int, int, int, int] = (60, 60, 200, 120)) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=0, box=box))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    return run


@pytest.fixture(scope="session")
def validate(kit: Kit) -> Callable[..., ValidationReport]:
    """Validate with the dev root and its CRLs (in the sandbox unless told otherwise)."""

    def run(data: bytes, **kwargs: Any) -> ValidationReport:
        kwargs.setdefault("trust_roots", kit.roots)
        kwargs.setdefault("crls", kit.crls)
        return validate_pdf(data, **kwargs)

    return run


@pytest.fixture(scope="session")
def signed_once(kit: Kit, reserved_pdf: bytes) -> bytes:
    """The reserved letter signed by chutich (B-B)."""
    return sign(reserved_pdf, kit.user)
