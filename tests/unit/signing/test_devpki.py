"""The development PKI: files, idempotency, certificates that chain to the root."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from PIL import Image

from signing.devpki import init_dev_pki, issue_user


def test_files_exist(dev_pki):
    out = dev_pki.out
    for name in ("root.pem", "intermediate.pem", "chain.pem", "seal.p12", "seal.png",
                 "tsa.p12", "crl/intermediate.crl", "crl/root.crl", "users/revoked.p12",
                 "users/chutich.p12", "users/chutich-ec.p12", "users/chutich-signature.png"):
        assert (out / name).is_file(), name
    assert not any(b"PRIVATE KEY-----\n" in p.read_bytes() and b"ENCRYPTED" not in
                   p.read_bytes() for p in (out / "private").iterdir())


def test_idempotent(dev_pki):
    before = dev_pki.root_pem.read_bytes()
    again = init_dev_pki(dev_pki.out, agency_name=dev_pki.agency_name, agency_abbr="UBND",
                         passphrase="eoffice-demo")
    cred = issue_user(dev_pki.out, "chutich", "Nguyễn Văn An", passphrase="eoffice-demo")
    assert again.root_pem.read_bytes() == before
    assert cred.p12_path == dev_pki.user_p12("chutich")


def test_user_chain_verifies_with_openssl(dev_pki, tmp_path: Path):
    key, cert, chain = pkcs12.load_key_and_certificates(
        dev_pki.user_p12("chutich", "ec").read_bytes(), b"eoffice-demo")
    assert cert is not None
    leaf = tmp_path / "leaf.pem"
    from cryptography.hazmat.primitives.serialization import Encoding
    leaf.write_bytes(cert.public_bytes(Encoding.PEM))
    proc = subprocess.run(["openssl", "verify", "-CAfile", str(dev_pki.root_pem),
                           "-untrusted", str(dev_pki.intermediate_pem), str(leaf)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment


def test_revoked_user_is_in_crl(dev_pki):
    _, cert, _ = pkcs12.load_key_and_certificates(dev_pki.revoked_p12.read_bytes(),
                                                  b"eoffice-demo")
    crl = x509.load_der_x509_crl(dev_pki.crls()[0])
    assert cert is not None
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def test_images_are_transparent(dev_pki):
    for png in (dev_pki.seal_png, dev_pki.signature_png("chutich")):
        img = Image.open(png)
        assert img.mode == "RGBA"
        assert img.getpixel((0, 0))[3] == 0
        assert img.getbbox() is not None
