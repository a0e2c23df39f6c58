"""Soft-key and token signatures, PAdES levels, checked by pdfsig and pyHanko."""

from __future__ import annotations

import pytest

from signing import (
    Pkcs11SignerConfig,
    SigningError,
    WrongPassphrase,
    WrongPin,
    dev_timestamper,
    load_pkcs12_signer,
    make_validation_context,
    open_pkcs11_signer,
    serve_tsa,
    sign_batch,
    sign_official,
    url_timestamper,
)

SIG_OK = ("Signature is Valid.", "Certificate is Trusted.")


def assert_pdfsig_valid(report: str, count: int) -> None:
    assert report.count("Signature Validation: Signature is Valid.") == count, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == count, report


def test_soft_key_b_t_is_valid_in_pdfsig_and_pyhanko(dev_pki, reserved_pdf, pdfsig,
                                                       pyhanko_status, tmp_path):
    signer = load_pkcs12_signer(dev_pki.user_p12("chutich"), "eoffice-demo")
    out = sign_official(reserved_pdf, signer, image_png=dev_pki.signature_png("chutich"),
                        timestamper=dev_timestamper(dev_pki))
    assert_pdfsig_valid(pdfsig(out, tmp_path), 1)
    (status,) = pyhanko_status(out, dev_pki)
    assert status.bottom_line and status.timestamp_validity is not None


def test_wrong_passphrase_is_a_vietnamese_error(dev_pki):
    with pytest.raises(WrongPassphrase, match="Mật khẩu"):
        load_pkcs12_signer(dev_pki.user_p12("chutich"), "sai-mat-khau")


def test_bt_needs_a_timestamper(dev_pki, reserved_pdf):
    signer = load_pkcs12_signer(dev_pki.user_p12("chutich"), "eoffice-demo")
    with pytest.raises(SigningError, match="dấu thời gian"):
        sign_official(reserved_pdf, signer, image_png=None, level="B-T")


@pytest.mark.pkcs11
@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_softhsm_signature_is_valid(softhsm_token, dev_pki, reserved_pdf, pdfsig,
                                    pyhanko_status, tmp_path, which):
    label = softhsm_token.rsa_key_label if which == "rsa" else softhsm_token.ec_key_label
    config = Pkcs11SignerConfig(softhsm_token.module, softhsm_token.token_label, label)
    signer = open_pkcs11_signer(config, softhsm_token.pin)
    out = sign_official(reserved_pdf, signer, image_png=dev_pki.signature_png("chutich"),
                        level="B-B")
    assert_pdfsig_valid(pdfsig(out, tmp_path), 1)
    assert pyhanko_status(out, dev_pki)[0].bottom_line


@pytest.mark.pkcs11
def test_softhsm_wrong_pin(softhsm_token):
    config = Pkcs11SignerConfig(softhsm_token.module, softhsm_token.token_label,
                                softhsm_token.rsa_key_label)
    with pytest.raises(WrongPin, match="PIN"):
        open_pkcs11_signer(config, "0000")


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_levels_embed_revocation_data(dev_pki, reserved_pdf, pdfsig,
                                                pyhanko_status, tmp_path, level):
    signer = load_pkcs12_signer(dev_pki.user_p12("chutich", "ec"), "eoffice-demo")
    vc = make_validation_context([dev_pki.root_pem], dev_pki.crls())
    out = sign_official(reserved_pdf, signer, image_png=dev_pki.signature_png("chutich"),
                        timestamper=dev_timestamper(dev_pki), level=level,
                        validation_context=vc)
    assert b"/DSS" in out and b"/CRLs" in out
    if level == "B-LTA":
        assert b"/DocTimeStamp" in out
    statuses = pyhanko_status(out, dev_pki)
    assert all(s.bottom_line for s in statuses)
    assert "Signature is Valid." in pdfsig(out, tmp_path)


def test_timestamp_over_http_from_our_tsa(dev_pki, reserved_pdf, pyhanko_status):
    server, url = serve_tsa(dev_timestamper(dev_pki))
    try:
        signer = load_pkcs12_signer(dev_pki.user_p12("chutich"), "eoffice-demo")
        out = sign_official(reserved_pdf, signer, image_png=None,
                            timestamper=url_timestamper(url))
    finally:
        server.shutdown()
    (status,) = pyhanko_status(out, dev_pki)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.intact


def test_batch_signs_many_with_one_signer(dev_pki, make_reserved_pdf, pyhanko_status):
    signer = load_pkcs12_signer(dev_pki.user_p12("chutich"), "eoffice-demo")
    docs = [make_reserved_pdf(pages=n) for n in (1, 2, 3)]
    outs = sign_batch(docs, signer, image_png=dev_pki.signature_png("chutich"), level="B-B")
    assert len(outs) == 3
    assert all(pyhanko_status(o, dev_pki)[0].bottom_line for o in outs)
