"""Shared fixtures for the signing tests: dev PKI, SoftHSM2 token, NSS db, input PDFs."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from signing.devpki import DevPki, init_dev_pki, issue_user
from signing.images import font_path
from signing.tokens import SOFTHSM_MODULE, import_p12_to_token

PASSPHRASE = "eoffice-demo"
AGENCY = "UBND thành phố Vĩnh Yên"


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """An initialised dev PKI (passphrase "eoffice-demo") with users chutich (RSA, EC)."""
    out = tmp_path_factory.mktemp("pki")
    pki = init_dev_pki(out, agency_name=AGENCY, agency_abbr="UBND", passphrase=PASSPHRASE)
    issue_user(out, "chutich", "Nguyễn Văn An", passphrase=PASSPHRASE)
    issue_user(out, "chutich", "Nguyễn Văn An", passphrase=PASSPHRASE, key_type="ec")
    return pki


@dataclass(frozen=True)
class SoftHsmToken:
    """A SoftHSM2 token holding chutich's RSA and EC keys and certificates."""

    module: str
    token_label: str
    pin: str
    rsa_key_label: str
    ec_key_label: str
    conf: Path


@pytest.fixture(scope="session")
def softhsm_token(softhsm_conf: Path, dev_pki: DevPki) -> SoftHsmToken:
    """The session's SoftHSM2 token "eoffice-test" (PIN 1234) with chutich's RSA and EC keys."""
    conf = softhsm_conf
    os.environ["SOFTHSM2_CONF"] = str(conf)
    for key_type, label in (("rsa", "chutich-rsa"), ("ec", "chutich-ec")):
        import_p12_to_token(
            dev_pki.user_p12("chutich", key_type), PASSPHRASE, module=SOFTHSM_MODULE,
            token_label="eoffice-test", pin="1234", key_label=label,
        )
    return SoftHsmToken(SOFTHSM_MODULE, "eoffice-test", "1234", "chutich-rsa", "chutich-ec",
                        conf)


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> str:
    """An NSS db trusting the dev root, as ``sql:DIR`` for ``pdfsig -nssdir``."""
    directory = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"],
                   check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "root", "-t", "CT,C,C",
                    "-i", str(dev_pki.root_pem)], check=True, capture_output=True)
    return f"sql:{directory}"


@pytest.fixture(scope="session")
def pdfsig(nss_db: str) -> Callable[[bytes, Path], str]:
    """Run poppler's pdfsig on PDF bytes; return its stdout."""

    def run(data: bytes, tmp: Path) -> str:
        path = tmp / "checked.pdf"
        path.write_bytes(data)
        proc = subprocess.run(["pdfsig", "-nssdir", nss_db, str(path)],
                              capture_output=True, text=True, check=False)
        return proc.stdout + proc.stderr

    return run


def build_reserved_pdf(pages: int = 1, *, with_fields: bool = True) -> bytes:
    """A small official-letter-like PDF with doc_number, doc_date and sig_official."""
    pdfmetrics.registerFont(TTFont("BVP", str(font_path("Regular"))))
    pdfmetrics.registerFont(TTFont("BVP-Bold", str(font_path("Bold"))))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    for page in range(1, pages + 1):
        if page == 1:
            c.setFont("BVP", 13)
            c.drawString(25 * mm, height - 40 * mm, "Số:")
            c.drawString(110 * mm, height - 40 * mm, "Vĩnh Yên,")
            c.setFont("BVP-Bold", 14)
            c.drawCentredString(width / 2, height - 60 * mm, "KẾ HOẠCH")
            c.setFont("BVP", 13)
            c.drawCentredString(width / 2, height - 68 * mm,
                                "Tổ chức các hoạt động văn hóa, thể thao năm 2026")
            if with_fields:
                form = c.acroForm
                form.textfield(name="doc_number", x=34 * mm, y=height - 42 * mm,
                               width=55 * mm, height=7 * mm, fontSize=13, borderWidth=0,
                               fillColor=None, borderColor=None, value="")
                form.textfield(name="doc_date", x=131 * mm, y=height - 42 * mm,
                               width=65 * mm, height=7 * mm, fontSize=13, borderWidth=0,
                               fillColor=None, borderColor=None, value="")
        if page == pages:
            c.setFont("BVP-Bold", 13)
            c.drawCentredString(150 * mm, 95 * mm, "TM. ỦY BAN NHÂN DÂN")
            c.drawCentredString(150 * mm, 89 * mm, "CHỦ TỊCH")
            c.drawCentredString(150 * mm, 50 * mm, "Nguyễn Văn An")
        c.showPage()
    c.save()
    data = buf.getvalue()
    if with_fields:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields

        w = IncrementalPdfFileWriter(io.BytesIO(data))
        fields.append_signature_field(
            w, fields.SigFieldSpec("sig_official", on_page=pages - 1,
                                   box=(int(115 * mm), int(56 * mm), int(185 * mm),
                                        int(86 * mm))),
        )
        out = io.BytesIO()
        w.write(out)
        data = out.getvalue()
    return data


@pytest.fixture(scope="session")
def pyhanko_status() -> Callable[..., list]:
    """Validate every signature with pyHanko (dev root trusted, dev CRLs supplied)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from signing import make_validation_context

    def run(data: bytes, pki: DevPki) -> list:
        reader = PdfFileReader(io.BytesIO(data))
        return [validate_pdf_signature(sig, make_validation_context([pki.root_pem],
                                                                    pki.crls()))
                for sig in reader.embedded_regular_signatures]

    return run


@pytest.fixture(scope="session")
def reserved_pdf() -> bytes:
    """A one-page PDF with the reserved fields of the renderer contract."""
    return build_reserved_pdf()


@pytest.fixture(scope="session")
def make_reserved_pdf() -> Callable[..., bytes]:
    """Builder for PDFs with reserved fields: ``make_reserved_pdf(pages=2)``."""
    return build_reserved_pdf
