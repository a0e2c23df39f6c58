"""Fixtures for incoming documents: real PDFs signed with the demo PKI, scans, attacks."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_files import plain_pdf

PASSPHRASE = "eoffice-demo"


def with_signature_field(data: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    fields.append_signature_field(w, fields.SigFieldSpec("sig_official", on_page=0,
                                                         box=(300, 100, 500, 180)))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture
def sign_as(instance: Path) -> Callable[..., bytes]:
    """Sign a PDF with a demo user's PKCS#12 key (PAdES B-B, visible image)."""
    import signing

    def run(username: str = "chutich", data: bytes | None = None, pages: int = 2) -> bytes:
        pki = instance / "pki" / "users"
        signer = signing.load_pkcs12_signer(pki / f"{username}.p12", PASSPHRASE)
        source = with_signature_field(data or plain_pdf(pages=pages))
        return signing.sign_official(source, signer, image_png=pki / f"{username}-signature.png",
                                     level="B-B")

    return run


@pytest.fixture
def signed_pdf(app, sign_as) -> bytes:
    return sign_as("chutich")


@pytest.fixture
def tampered_pdf(signed_pdf: bytes) -> bytes:
    """One byte of the signed content changed (same length)."""
    marker = b"trang 1"
    index = signed_pdf.find(marker)
    if index < 0:  # page content is compressed: flip a byte early in the file instead
        index = 200
    data = bytearray(signed_pdf)
    data[index] = data[index] ^ 0x01
    return bytes(data)


@pytest.fixture
def deflate_bomb() -> bytes:
    """A ~300 KB PDF whose page content inflates to 320 MB."""
    chunk = zlib.compressobj(9)
    body = b"".join(chunk.compress(b"\0" * (1 << 20)) for _ in range(320)) + chunk.flush()
    stream = (b"<< /Length " + str(len(body)).encode() + b" /Filter /FlateDecode >>\nstream\n"
              + body + b"\nendstream")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               stream]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


@pytest.fixture
def register(api) -> Callable[..., object]:
    """POST /api/v1/incoming as vanthu with a PDF and metadata; returns the response."""

    def run(pdf: bytes | None = None, username: str = "vanthu", **fields: str):
        data: dict[str, object] = {"issuer_name": "Sở Văn hóa, Thể thao và Du lịch",
                                   "subject": "Về việc tổ chức lễ hội xuân", **fields}
        if pdf is not None:
            data["file"] = (io.BytesIO(pdf), "vanban.pdf", "application/pdf")
        return api.post("/api/v1/incoming", username, data=data,
                        content_type="multipart/form-data")

    return run


@pytest.fixture
def scan() -> bytes:
    """An unsigned three-page scan."""
    return plain_pdf("Bản chụp", pages=3)
