"""Two-stage issuance, appearances and reserved fields, checked with poppler tools."""

from __future__ import annotations

import io
import subprocess

from PIL import Image
from pyhanko.sign.diff_analysis import ModificationLevel
from reportlab.pdfgen import canvas

from signing import (
    add_reserved_fields,
    dev_timestamper,
    issue_document,
    load_pkcs12_signer,
    sign_copy_stamp,
    sign_official,
)


def _official(dev_pki, pdf):
    signer = load_pkcs12_signer(dev_pki.user_p12("chutich"), "eoffice-demo")
    return sign_official(pdf, signer, image_png=dev_pki.signature_png("chutich"),
                         timestamper=dev_timestamper(dev_pki))


def _issue(dev_pki, pdf):
    seal = load_pkcs12_signer(dev_pki.seal_p12, "eoffice-demo")
    return issue_document(pdf, number_text="82/QĐ-UBND",
                          date_text="ngày 05 tháng 3 năm 2026", seal_signer=seal,
                          seal_png=dev_pki.seal_png, timestamper=dev_timestamper(dev_pki))


def _render(data: bytes, tmp_path, page: int = 1) -> Image.Image:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", str(page), "-l", str(page),
                    str(path), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    return Image.open(png).convert("RGB")


def _coloured_pixels(img: Image.Image, box, channel: str) -> int:
    region = img.crop(box)
    count = 0
    raw = region.tobytes()
    for i in range(0, len(raw), 3):
        r, g, b = raw[i], raw[i + 1], raw[i + 2]
        if channel == "red" and r > 150 and g < 120 and b < 120:
            count += 1
        if channel == "blue" and b > 120 and r < 100:
            count += 1
    return count


def test_two_stage_document(dev_pki, reserved_pdf, pdfsig, pyhanko_status, tmp_path):
    issued = _issue(dev_pki, _official(dev_pki, reserved_pdf))
    report = pdfsig(issued, tmp_path)
    assert report.count("Signature is Valid.") == 2, report
    assert report.count("Certificate is Trusted.") == 2, report
    first, second = pyhanko_status(issued, dev_pki)
    assert first.bottom_line and second.bottom_line
    assert first.modification_level <= ModificationLevel.FORM_FILLING
    (tmp_path / "i.pdf").write_bytes(issued)
    text = subprocess.run(["pdftotext", str(tmp_path / "i.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Số: 82/QĐ-UBND" in " ".join(text.split())
    assert "Vĩnh Yên, ngày 05 tháng 3 năm 2026" in " ".join(text.split())
    img = _render(issued, tmp_path)
    # sig_official is at x 325-524, y 158-243 (PDF points, origin bottom-left)
    height = img.height
    assert _coloured_pixels(img, (325, height - 243, 524, height - 158), "blue") > 100
    assert _coloured_pixels(img, (240, height - 250, 400, height - 150), "red") > 100


def test_issue_refuses_unsigned_document(dev_pki, reserved_pdf):
    import pytest

    from signing import SigningError
    with pytest.raises(SigningError, match="chưa được"):
        _issue(dev_pki, reserved_pdf)


def test_copy_stamp_top_right_with_code_and_vietnam_time(dev_pki, reserved_pdf, pdfsig,
                                                         tmp_path):
    seal = load_pkcs12_signer(dev_pki.seal_p12, "eoffice-demo")
    out = sign_copy_stamp(reserved_pdf, seal, code="15/SY-UBND",
                          timestamper=dev_timestamper(dev_pki))
    assert "Signature is Valid." in pdfsig(out, tmp_path)
    (tmp_path / "c.pdf").write_bytes(out)
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "15/SY-UBND" in text and "+07:00" in text
    img = _render(out, tmp_path)
    top_right = img.crop((img.width // 2, 0, img.width, 60))
    assert top_right.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_reserved_fields_on_an_uploaded_pdf(dev_pki, pdfsig, pyhanko_status, tmp_path):
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "Uploaded letter")
    c.showPage()
    c.drawString(100, 700, "Page two")
    c.showPage()
    c.save()
    prepared = add_reserved_fields(buf.getvalue())
    issued = _issue(dev_pki, _official(dev_pki, prepared))
    assert pdfsig(issued, tmp_path).count("Signature is Valid.") == 2
    first, _ = pyhanko_status(issued, dev_pki)
    assert first.modification_level <= ModificationLevel.FORM_FILLING


def test_number_and_date_embed_one_serif_face_each(dev_pki, reserved_pdf):
    """Number in Liberation Serif Regular, date in Italic (Decree 30: the place-and-date line
    is italic), each face embedded once as a small fixed subset."""
    issued = _issue(dev_pki, _official(dev_pki, reserved_pdf))
    first_signed = issued[:issued.rfind(b"%%EOF", 0, len(issued) - 8)]
    added = issued[len(first_signed):]
    assert added.count(b"/FontFile2") == 2
    assert added.count(b"/CIDFontType2") == 2
    assert added.count(b"/FontName /EOVNFT+LiberationSerif-Regular") == 1
    assert added.count(b"/FontName /EOVNFT+LiberationSerif-Italic") == 1
