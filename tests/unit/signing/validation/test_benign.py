"""Benign signed files (1–2 signatures, B-B to B-LTA) are valid, and pdfsig agrees."""

from __future__ import annotations

import re

import pytest

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


@pytest.fixture(scope="module", params=[(lv, n) for lv in LEVELS for n in (1, 2)],
                ids=lambda p: f"{p[0]}-{p[1]}sig")
def benign(request, kit, reserved_pdf, sign_pdf, add_sig_field) -> tuple[bytes, int]:
    level, count = request.param
    data = sign_pdf(reserved_pdf, kit.user, kit=kit, level=level if count == 1 else "B-T")
    if count == 2:
        data = add_sig_field(data, "sig_seal", (320, 160, 420, 260))
        data = sign_pdf(data, kit.seal, field="sig_seal", kit=kit, level=level)
    return data, count


def test_benign_file_is_valid(benign, validate):
    data, count = benign
    # In-process here to keep the suite fast; the sandboxed path is covered below and
    # by the attack corpus (same analysis code, run in the child).
    report = validate(data, sandbox=False)
    assert report.verdict == "valid", report.reasons
    assert report.label == "hợp lệ"
    people = [s for s in report.signatures if s.kind == "signature"]
    assert len(people) == count
    assert all(s.intact and s.trusted and s.revocation == "good" for s in people)
    assert people[0].signer == "Nguyễn Văn An"
    last = report.signatures[-1]
    # B-LT appends the DSS (signature maintenance only) after the last signature.
    assert last.coverage == "entire_file" or last.modification_level == "none"
    if count == 2:
        assert people[0].modification_level in ("none", "form_filling")


def test_pdfsig_agrees_on_integrity(benign, pdfsig, tmp_path):
    data, count = benign
    out = pdfsig(data, tmp_path)
    blocks = re.split(r"Signature #\d+:", out)[1:]
    # pdfsig cannot check document timestamps (B-LTA): it says "Signature Type: unknown".
    cms = [b for b in blocks if "Signature Type: unknown" not in b]
    assert len(cms) == count, out
    for block in cms:
        assert "Signature Validation: Signature is Valid." in block, out
        assert "Certificate Validation: Certificate is Trusted." in block, out


def test_report_fields_for_the_api(signed_once, validate):
    payload = validate(signed_once).to_dict()
    assert payload["verdict"] == "valid" and payload["reasons"] == []
    first = payload["signatures"][0]
    for key in ("signer", "intact", "trusted", "coverage", "modification_level",
                "signing_time", "timestamp", "revocation"):
        assert key in first
    assert first["signing_time"].endswith("+07:00")


def test_timestamp_reported_from_b_t_upwards(kit, reserved_pdf, sign_pdf, validate):
    report = validate(sign_pdf(reserved_pdf, kit.user, kit=kit, level="B-T"))
    assert report.verdict == "valid", report.reasons
    assert report.signatures[0].timestamp is not None
    assert report.signatures[0].timestamp.endswith("+07:00")


def test_ec_signer_is_valid(dev_pki, kit, reserved_pdf, sign_pdf, validate):
    from pyhanko.sign import signers

    ec = signers.SimpleSigner.load_pkcs12(str(dev_pki.user_p12("chutich", "ec")),
                                          passphrase=b"eoffice-demo")
    report = validate(sign_pdf(reserved_pdf, ec))
    assert report.verdict == "valid", report.reasons


def test_unsigned_pdf(reserved_pdf, validate):
    report = validate(reserved_pdf)
    assert report.verdict == "unsigned"
    assert report.label == "không có chữ ký"


def test_offline_without_revocation_data_is_indeterminate(signed_once, validate):
    report = validate(signed_once, crls=())
    assert report.verdict == "indeterminate"
    assert report.signatures[0].revocation == "unknown"
    assert any("thu hồi" in r for r in report.reasons)


def test_embedded_revocation_data_is_enough_for_b_lt(kit, reserved_pdf, sign_pdf, validate):
    report = validate(sign_pdf(reserved_pdf, kit.user, kit=kit, level="B-LT"), crls=())
    assert report.verdict == "valid", report.reasons


def test_unknown_root_is_not_trusted(signed_once, validate, tmp_path):
    report = validate(signed_once, trust_roots=[])
    assert report.verdict == "indeterminate"
    assert "Không xác định được chuỗi tin cậy" in report.reasons[0]


def test_extract_signer_info(kit, reserved_pdf, sign_pdf, add_sig_field, validate):
    from signing.validation import extract_signer_info

    data = sign_pdf(reserved_pdf, kit.user)
    data = add_sig_field(data, "sig_seal")
    info = extract_signer_info(validate(sign_pdf(data, kit.seal, field="sig_seal")))
    assert info["signer_name"] == "Nguyễn Văn An"
    assert info["issuer_org"]


def test_trust_roots_in_any_form(kit, signed_once, validate):
    from asn1crypto import x509 as a509
    from cryptography.hazmat.primitives.serialization import Encoding

    root = kit.pki.root_cert()
    der = root.public_bytes(Encoding.DER)
    for form in (root, der, kit.pki.root_pem.read_bytes(), a509.Certificate.load(der)):
        assert validate(signed_once, trust_roots=[form], sandbox=False).verdict == "valid"


def test_load_trust_roots_from_folder(kit, tmp_path):
    from signing.validation import load_trust_roots

    (tmp_path / "root.pem").write_bytes(kit.pki.root_pem.read_bytes())
    (tmp_path / "README.md").write_text("Đặt chứng thư gốc ở đây")
    assert len(load_trust_roots([tmp_path])) == 1
    assert len(load_trust_roots([kit.pki.chain_pem])) == 2
    with pytest.raises(FileNotFoundError):
        load_trust_roots([tmp_path / "missing.pem"])
