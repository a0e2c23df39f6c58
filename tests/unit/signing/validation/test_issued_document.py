"""Documents produced by eoffice's own signing code validate as `valid` (acceptance 1)."""

from __future__ import annotations

import io

import pytest

from signing import issue_document, load_pkcs12_signer, load_tsa, sign_official
from signing.validation import validate_pdf

PASSPHRASE = "eoffice-demo"


@pytest.fixture(scope="module")
def issued(dev_pki, reserved_pdf) -> tuple[bytes, bytes]:
    tsa = load_tsa(dev_pki.tsa_p12, PASSPHRASE)
    official = sign_official(
        reserved_pdf, load_pkcs12_signer(dev_pki.user_p12("chutich"), PASSPHRASE),
        image_png=dev_pki.signature_png("chutich"), timestamper=tsa, level="B-T")
    final = issue_document(
        official, number_text="82/KH-UBND", date_text="ngày 05 tháng 3 năm 2026",
        seal_signer=load_pkcs12_signer(dev_pki.seal_p12, PASSPHRASE),
        seal_png=dev_pki.seal_png, timestamper=tsa, level="B-T")
    return official, final


def test_two_stage_document_is_valid(issued, dev_pki):
    official, final = issued
    roots = [dev_pki.root_cert()]
    assert validate_pdf(official, trust_roots=roots, crls=dev_pki.crls()).verdict == "valid"
    report = validate_pdf(final, trust_roots=roots, crls=dev_pki.crls())
    assert report.verdict == "valid", report.reasons
    first, seal = report.signatures
    assert first.signer == "Nguyễn Văn An"
    assert first.modification_level in ("none", "form_filling")
    assert seal.coverage == "entire_file" and seal.timestamp is not None


def test_changing_the_number_after_issuance_is_not_valid(issued, dev_pki):
    from signing import fill_text_field
    from signing.pades import open_pdf

    _, final = issued
    writer = open_pdf(final)
    fill_text_field(writer, "doc_number", "99/KH-UBND")
    out = io.BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue(), trust_roots=[dev_pki.root_cert()], crls=dev_pki.crls())
    assert report.verdict != "valid"
