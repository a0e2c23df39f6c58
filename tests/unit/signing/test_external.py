"""External signing: the server prepares, the token (SoftHSM, through the agent's token
access) signs the signed attributes, the server finishes — B-T and B-LT."""

from __future__ import annotations

import pytest

from signing import (
    SigningError,
    close_pkcs11_sessions,
    dev_timestamper,
    make_validation_context,
    validate_pdf,
)
from signing.agent import TokenAccess
from signing.external import finish_external, prepare_external


@pytest.mark.pkcs11
@pytest.mark.parametrize(("which", "level"), [("rsa", "B-T"), ("ec", "B-T"), ("rsa", "B-LT")])
def test_token_signs_document_prepared_by_server(
        softhsm_token, dev_pki, reserved_pdf, pdfsig, pyhanko_status, tmp_path, which, level):
    close_pkcs11_sessions()  # the agent logs in per request: no session left by other tests
    label = softhsm_token.rsa_key_label if which == "rsa" else softhsm_token.ec_key_label
    token = TokenAccess(softhsm_token.module, softhsm_token.token_label, label)
    cert, chain = token.certificate()
    prepared = prepare_external(reserved_pdf, cert, chain,
                                image_png=dev_pki.signature_png("chutich"), level=level)
    (value,) = token.sign_all(softhsm_token.pin, [prepared.data_to_sign])
    vc = make_validation_context([dev_pki.root_pem], dev_pki.crls())
    with pytest.raises(SigningError, match="không khớp"):
        finish_external(prepared, bytes(len(value)), timestamper=dev_timestamper(dev_pki))
    out = finish_external(prepared, value, timestamper=dev_timestamper(dev_pki), level=level,
                          validation_context=vc)
    report = pdfsig(out, tmp_path)
    assert "Signature is Valid." in report and "Certificate is Trusted." in report
    (status,) = pyhanko_status(out, dev_pki)
    assert status.bottom_line
    if level == "B-LT":  # its own revocation data: valid without any CRL given
        verdict = validate_pdf(out, trust_roots=[dev_pki.root_pem.read_bytes()])
        assert verdict.verdict == "valid", verdict.reasons


@pytest.mark.pkcs11
def test_wrong_pin_signs_nothing_and_counts_tries(softhsm_token):
    from signing import WrongPin

    close_pkcs11_sessions()
    token = TokenAccess(softhsm_token.module, softhsm_token.token_label,
                        softhsm_token.rsa_key_label, pin_tries=3)
    with pytest.raises(WrongPin):
        token.sign_all("9999", [b"a", b"b"])
    assert token.tries_left() == 2
    assert len(token.sign_all(softhsm_token.pin, [b"a", b"b"])) == 2
    assert token.tries_left() == 3
