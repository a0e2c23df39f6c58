"""Timestamping: a TSA by URL, and eoffice's own RFC 3161 TSA from the dev PKI.

``dev_timestamper(pki)`` signs timestamps in-process (no network); ``serve_tsa(...)`` runs
the same TSA as an HTTP service on 127.0.0.1 for tools that need a URL.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import general
from pyhanko.sign.general import get_pyca_cryptography_hash, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.errors import WrongPassphrase

if TYPE_CHECKING:
    from signing.devpki import DevPki


class DevTimeStamper(DummyTimeStamper):
    """pyHanko's in-process RFC 3161 TSA, with its RSA key parsed once (not per stamp)."""

    _key: rsa.RSAPrivateKey | None = None

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate",
                                 general.as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", md.finalize()),
        ])
        if self._key is None:
            key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise NotImplementedError("The development TSA is RSA-only.")
            self._key = key
        signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(),
                                   get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


def load_tsa(p12: Path, passphrase: str) -> DevTimeStamper:
    """An in-process RFC 3161 TSA signing with the key in ``p12``."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            Path(p12).read_bytes(), passphrase.encode()
        )
    except ValueError as exc:
        raise WrongPassphrase() from exc
    assert key is not None and cert is not None
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    to_asn1 = asn1_x509.Certificate.load
    return DevTimeStamper(
        tsa_cert=to_asn1(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(der_key),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [to_asn1(c.public_bytes(serialization.Encoding.DER)) for c in chain]
        ),
    )


def dev_timestamper(dev_pki: DevPki) -> DevTimeStamper:
    """The dev PKI's timestamp authority, in-process (for B-T and above in the demo)."""
    return load_tsa(dev_pki.tsa_p12, dev_pki.passphrase)


def url_timestamper(url: str) -> TimeStamper:
    """A timestamper talking RFC 3161 over HTTP to ``url``."""
    return HTTPTimeStamper(url, timeout=10)


class _TsaHandler(BaseHTTPRequestHandler):
    tsa: DummyTimeStamper

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        length = int(self.headers.get("Content-Length", "0"))
        if length <= 0 or length > 65536:
            self.send_error(400)
            return
        try:
            req = tsp.TimeStampReq.load(self.rfile.read(length))
            resp = asyncio.run(self.tsa.async_request_tsa_response(req))
            body = resp.dump()
        except (ValueError, TypeError):
            self.send_error(400)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def serve_tsa(
    tsa: DummyTimeStamper, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``tsa`` over HTTP in a daemon thread; return the server and its URL.

    Stop it with ``server.shutdown()``.
    """
    handler = type("TsaHandler", (_TsaHandler,), {"tsa": tsa})
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}/"
