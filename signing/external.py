"""External signing with a token on the official's own computer.

The server prepares the PDF and the data to sign (pyHanko interrupted signing); the local
agent (``eoffice token-agent``: HTTP on 127.0.0.1, PKCS#11 behind it) signs and returns the
raw signature; the server finishes the PDF. Protocol (JSON):
``GET /certificate`` -> ``{"certificate": b64 DER, "chain": [b64 DER, ...]}``;
``POST /sign {"data": b64, "digest_algorithm": "sha256"}`` -> ``{"signature": b64}``.
Requests must carry the header ``X-Eoffice-Agent-Key`` with the agent's secret.
"""

from __future__ import annotations

import base64
import hmac
import json
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import cms, x509
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import ExternalSigner, PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing import appearance
from signing.errors import SigningError
from signing.pades import BYTES_RESERVED, open_pdf, run

AGENT_HEADER = "X-Eoffice-Agent-Key"


@dataclass
class PreparedSignature:
    """A document waiting for its signature value from the agent."""

    data_to_sign: bytes
    """DER of the signed attributes; the agent signs these (hash + sign)."""
    _signer: ExternalSigner
    _signed_attrs: cms.CMSAttributes
    _prep_digest: object
    _output: object
    timestamper: TimeStamper | None


def prepare_external(
    pdf_bytes: bytes, certificate: bytes, chain: list[bytes], *,
    image_png: object = None, field_name: str = "sig_official",
    timestamper: TimeStamper | None = None,
) -> PreparedSignature:
    """Server side, step 1: reserve the signature and compute what the token must sign."""
    cert = x509.Certificate.load(certificate)
    registry = SimpleCertificateStore.from_certs([x509.Certificate.load(c) for c in chain])
    ext = ExternalSigner(signing_cert=cert, cert_registry=registry, signature_value=bytes(512))
    meta = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                subfilter=SigSeedSubFilter.PADES)
    style = appearance.image_style(image_png) if image_png is not None else None  # type: ignore[arg-type]
    pdf_signer = PdfSigner(meta, ext, stamp_style=style)
    writer = open_pdf(pdf_bytes)

    async def _prepare():  # type: ignore[no-untyped-def]
        prep, tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=BYTES_RESERVED["B-T"])
        attrs = await ext.signed_attrs(prep.document_digest, "sha256", use_pades=True)
        return prep, output, attrs

    prep, output, attrs = run(_prepare())
    return PreparedSignature(attrs.dump(), ext, attrs, prep, output, timestamper)


def finish_external(prepared: PreparedSignature, signature: bytes) -> bytes:
    """Server side, step 2: embed the token's signature (and a timestamp) into the PDF."""
    ext = prepared._signer
    ext._signature_value = signature

    async def _finish():  # type: ignore[no-untyped-def]
        sig_cms = await ext.async_sign_prescribed_attributes(
            "sha256", signed_attrs=prepared._signed_attrs, timestamper=prepared.timestamper)
        await PdfTBSDocument.async_finish_signing(
            prepared._output, prepared._prep_digest, sig_cms)  # type: ignore[arg-type]

    run(_finish())
    out = prepared._output
    return out.getvalue()  # type: ignore[attr-defined]


class AgentClient:
    """Talks to a running token agent."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url.rstrip("/")
        self.secret = secret

    def _call(self, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data,  # noqa: S310
                                     headers={AGENT_HEADER: self.secret,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
                return json.loads(resp.read())
        except OSError as exc:
            raise SigningError("Không kết nối được với phần mềm ký số trên máy người ký.") from exc

    def certificate(self) -> tuple[bytes, list[bytes]]:
        res = self._call("/certificate")
        return base64.b64decode(res["certificate"]), [base64.b64decode(c) for c in res["chain"]]

    def sign(self, data: bytes) -> bytes:
        res = self._call("/sign", {"data": base64.b64encode(data).decode(),
                                   "digest_algorithm": "sha256"})
        return base64.b64decode(res["signature"])


def sign_via_agent(pdf_bytes: bytes, client: AgentClient, *, image_png: object = None,
                   timestamper: TimeStamper | None = None) -> bytes:
    """Whole round trip: prepare, let the agent sign, finish."""
    cert, chain = client.certificate()
    prepared = prepare_external(pdf_bytes, cert, chain, image_png=image_png,
                                timestamper=timestamper)
    return finish_external(prepared, client.sign(prepared.data_to_sign))


def serve_agent(signer: Signer, secret: str, host: str = "127.0.0.1", port: int = 0
                ) -> ThreadingHTTPServer:
    """The token agent's HTTP server (call ``serve_forever()`` or run it in a thread)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SigningError("Phần mềm ký số chỉ được nghe trên địa chỉ nội bộ 127.0.0.1.")

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if hmac.compare_digest(self.headers.get(AGENT_HEADER, ""), secret):
                return True
            self._reply(403, {"error": "Sai khóa truy cập phần mềm ký số."})
            return False

        def do_GET(self) -> None:  # noqa: N802
            if not self._authorised():
                return
            if self.path != "/certificate":
                self._reply(404, {"error": "Không tìm thấy."})
                return
            chain = [c.dump() for c in signer.cert_registry if c != signer.signing_cert]
            assert signer.signing_cert is not None
            self._reply(200, {
                "certificate": base64.b64encode(signer.signing_cert.dump()).decode(),
                "chain": [base64.b64encode(c).decode() for c in chain]})

        def do_POST(self) -> None:  # noqa: N802
            if not self._authorised():
                return
            if self.path != "/sign":
                self._reply(404, {"error": "Không tìm thấy."})
                return
            try:
                length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
                body = json.loads(self.rfile.read(length))
                data = base64.b64decode(body["data"])
                sig = run(signer.async_sign_raw(data, body.get("digest_algorithm", "sha256")))
            except (ValueError, KeyError, TypeError) as exc:
                self._reply(400, {"error": f"Yêu cầu ký không hợp lệ: {exc}"})
                return
            self._reply(200, {"signature": base64.b64encode(sig).decode()})

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return ThreadingHTTPServer((host, port), Handler)
