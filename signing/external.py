"""External signing: the key stays on the official's USB token, on their own computer.

The server prepares the PDF and the data to sign (pyHanko's interrupted signing:
:func:`prepare_external`), keeps the small :class:`PreparedSignature` state (plain bytes,
storable between two requests), hands ``data_to_sign`` to the local agent
(:mod:`signing.agent`) through the browser, and finishes with the raw signature value
(:func:`finish_external`): the value is checked against the certificate, a timestamp is
added, and for B-LT/B-LTA the revocation data (and a document timestamp) follow.

Requests to the agent carry an authenticator: an HMAC, with the key shared at pairing, over
the server origin, request id, expiry, subject and data (:func:`authenticator`), so that only
the paired server can ask the agent for a signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import ExternalSigner, PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument, PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing import appearance
from signing.errors import SigningError
from signing.pades import BYTES_RESERVED, field_rect, open_pdf, run

SIGNATURE_PLACEHOLDER = 512


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class PreparedSignature:
    """A document waiting for its signature value: everything needed to finish it."""

    pdf: bytes
    """The PDF with the reserved (empty) signature contents."""
    document_digest: bytes
    reserved_start: int
    reserved_end: int
    signed_attrs: bytes
    """DER of the CMS signed attributes: what the token signs (hash + sign)."""
    certificate: bytes
    chain: tuple[bytes, ...]

    @property
    def data_to_sign(self) -> bytes:
        return self.signed_attrs

    def to_json(self) -> dict[str, Any]:
        """Small, storable state (without ``pdf``, which is stored on its own)."""
        return {"document_digest": _b64(self.document_digest),
                "reserved": [self.reserved_start, self.reserved_end],
                "signed_attrs": _b64(self.signed_attrs),
                "certificate": _b64(self.certificate),
                "chain": [_b64(c) for c in self.chain]}

    @classmethod
    def from_json(cls, pdf: bytes, state: dict[str, Any]) -> PreparedSignature:
        return cls(pdf, base64.b64decode(state["document_digest"]), int(state["reserved"][0]),
                   int(state["reserved"][1]), base64.b64decode(state["signed_attrs"]),
                   base64.b64decode(state["certificate"]),
                   tuple(base64.b64decode(c) for c in state["chain"]))


def prepare_external(
    pdf_bytes: bytes, certificate: bytes, chain: list[bytes] | tuple[bytes, ...], *,
    image_png: Path | str | bytes | None = None, field_name: str = "sig_official",
    reason: str | None = None, level: str = "B-T",
) -> PreparedSignature:
    """Step 1: reserve the signature in ``field_name`` and compute the signed attributes."""
    writer = open_pdf(pdf_bytes)
    if field_rect(writer, field_name) is None:
        raise SigningError(f"Văn bản chưa có ô chữ ký “{field_name}”.")
    return prepare_writer(writer, certificate, chain, image_png=image_png,
                          field_name=field_name, reason=reason, level=level)


def prepare_writer(
    writer: IncrementalPdfFileWriter, certificate: bytes,
    chain: list[bytes] | tuple[bytes, ...], *, image_png: Path | str | bytes | None = None,
    field_name: str, reason: str | None = None, level: str = "B-T",
    box: tuple[int, int, int, int] | None = None, page: int = -1,
) -> PreparedSignature:
    """:func:`prepare_external` on a writer that may hold pending changes (e.g. the number
    and date of an issuance); ``box``/``page`` create the field when it does not exist."""
    try:
        cert = x509.Certificate.load(certificate)
        others = [x509.Certificate.load(c) for c in chain]
        cert.subject  # noqa: B018 - parse now: a broken certificate is refused here
    except (ValueError, TypeError) as exc:
        raise SigningError("Chứng thư số gửi từ thiết bị ký không hợp lệ.") from exc
    registry = SimpleCertificateStore.from_certs(others)
    ext = ExternalSigner(signing_cert=cert, cert_registry=registry,
                         signature_value=bytes(SIGNATURE_PLACEHOLDER))
    meta = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", reason=reason,
                                subfilter=SigSeedSubFilter.PADES)
    style = appearance.image_style(image_png) if image_png is not None else None
    spec = fields.SigFieldSpec(field_name, on_page=page, box=box) if box is not None else None
    pdf_signer = PdfSigner(meta, ext, stamp_style=style, new_field_spec=spec)

    async def _prepare():
        prep, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=BYTES_RESERVED.get(level, BYTES_RESERVED["B-T"]))
        attrs = await ext.signed_attrs(prep.document_digest, "sha256", use_pades=True)
        return prep, output, attrs

    prep, output, attrs = run(_prepare())
    return PreparedSignature(output.getvalue(), prep.document_digest,
                             prep.reserved_region_start, prep.reserved_region_end,
                             attrs.dump(), certificate, tuple(chain))


def verify_signature_value(prepared: PreparedSignature, signature: bytes) -> None:
    """The value must be the certificate's key signing the signed attributes."""
    key = cx509.load_der_x509_certificate(prepared.certificate).public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, prepared.signed_attrs, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, prepared.signed_attrs, ec.ECDSA(hashes.SHA256()))
        else:
            raise SigningError("Loại khóa của chứng thư số không được hỗ trợ.")
    except InvalidSignature as exc:
        raise SigningError("Chữ ký trả về từ thiết bị không khớp với chứng thư số; "
                           "văn bản chưa được ký.") from exc


def finish_external(
    prepared: PreparedSignature, signature: bytes, *,
    timestamper: TimeStamper | None = None, level: str = "B-T",
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Step 2: check the value, embed it with a timestamp; B-LT adds the revocation data of
    the signer and TSA (DSS), B-LTA a document timestamp on top."""
    verify_signature_value(prepared, signature)
    if len(signature) > SIGNATURE_PLACEHOLDER:
        raise SigningError("Chữ ký trả về từ thiết bị quá dài.")
    cert = x509.Certificate.load(prepared.certificate)
    registry = SimpleCertificateStore.from_certs(
        [x509.Certificate.load(c) for c in prepared.chain])
    ext = ExternalSigner(signing_cert=cert, cert_registry=registry, signature_value=signature)
    attrs = cms.CMSAttributes.load(prepared.signed_attrs)
    digest = PreparedByteRangeDigest(prepared.document_digest, prepared.reserved_start,
                                     prepared.reserved_end)
    output = io.BytesIO(prepared.pdf)

    async def _finish() -> None:
        sig_cms = await ext.async_sign_prescribed_attributes(
            "sha256", signed_attrs=attrs, timestamper=timestamper)
        await PdfTBSDocument.async_finish_signing(output, digest, sig_cms)

    run(_finish())
    data = output.getvalue()
    if level in ("B-LT", "B-LTA") and validation_context is not None:
        data = _add_long_term(data, validation_context, timestamper, level)
    return data


def _add_long_term(data: bytes, context: ValidationContext, timestamper: TimeStamper | None,
                   level: str) -> bytes:
    reader = PdfFileReader(io.BytesIO(data))
    last = reader.embedded_regular_signatures[-1]
    out = io.BytesIO()

    async def _dss() -> None:
        await async_add_validation_info(last, context, output=out)

    run(_dss())
    if level == "B-LTA" and timestamper is not None:
        final = io.BytesIO()
        PdfTimeStamper(timestamper).timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(out.getvalue())), "sha256", context,
            output=final)
        return final.getvalue()
    return out.getvalue()


def authenticator(key: bytes, *, origin: str, request_id: str, expires: int, subject: str,
                  data: bytes) -> str:
    """HMAC-SHA256 binding one signing request to the paired server."""
    message = json.dumps([origin, request_id, expires, subject,
                          hashlib.sha256(data).hexdigest()], ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def document_hash(signed_attrs: bytes) -> str:
    """The document digest inside the signed attributes (what the agent shows), hex."""
    try:
        for attr in cms.CMSAttributes.load(signed_attrs):
            if attr["type"].native == "message_digest":
                return bytes(attr["values"][0].native).hex()
    except (ValueError, TypeError, KeyError):
        pass
    raise SigningError("Dữ liệu cần ký không hợp lệ.")
