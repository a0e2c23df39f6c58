"""External signing: the token agent signs over loopback with a SoftHSM key."""

from __future__ import annotations

import threading

import pytest

from signing import Pkcs11SignerConfig, SigningError, dev_timestamper, open_pkcs11_signer
from signing.external import AgentClient, serve_agent, sign_via_agent


@pytest.mark.pkcs11
@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_token_agent_signs_document_prepared_by_server(
        softhsm_token, dev_pki, reserved_pdf, pdfsig, pyhanko_status, tmp_path, which):
    label = softhsm_token.rsa_key_label if which == "rsa" else softhsm_token.ec_key_label
    signer = open_pkcs11_signer(
        Pkcs11SignerConfig(softhsm_token.module, softhsm_token.token_label, label),
        softhsm_token.pin)
    server = serve_agent(signer, "agent-secret")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = AgentClient(f"http://127.0.0.1:{server.server_address[1]}", "agent-secret")
        out = sign_via_agent(reserved_pdf, client,
                             image_png=dev_pki.signature_png("chutich"),
                             timestamper=dev_timestamper(dev_pki))
        with pytest.raises(SigningError):
            AgentClient(f"http://127.0.0.1:{server.server_address[1]}", "wrong").sign(b"x")
    finally:
        server.shutdown()
    report = pdfsig(out, tmp_path)
    assert "Signature is Valid." in report and "Certificate is Trusted." in report
    (status,) = pyhanko_status(out, dev_pki)
    assert status.bottom_line
