"""PKCS#11 token set-up: SoftHSM2 tokens for development and importing PKCS#12 keys."""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from signing.errors import SigningError, WrongPassphrase

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def init_softhsm(
    directory: Path, *, token_label: str, pin: str, so_pin: str = "12345678"
) -> Path:
    """Create a SoftHSM2 config + token store in ``directory`` and a fresh token.

    Returns the config path; set it as ``SOFTHSM2_CONF`` in the environment *before*
    the PKCS#11 module is loaded in this process.
    """
    directory = Path(directory)
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    _run(
        ["softhsm2-util", "--init-token", "--free", "--label", token_label,
         "--pin", pin, "--so-pin", so_pin],
        env,
    )
    return conf


def _run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise SigningError(
            "Không ghi được khóa lên thiết bị ký số: " + (detail[-1] if detail else cmd[0])
        )
    return proc.stdout


def import_p12_to_token(
    p12_path: Path,
    passphrase: str,
    *,
    module: str = SOFTHSM_MODULE,
    token_label: str,
    pin: str,
    key_label: str,
    cert_label: str | None = None,
    key_id: str | None = None,
) -> None:
    """Write the private key and certificate of a PKCS#12 file onto a PKCS#11 token."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            Path(p12_path).read_bytes(), passphrase.encode()
        )
    except ValueError as exc:
        raise WrongPassphrase() from exc
    if key is None or cert is None:
        raise SigningError("Tệp PKCS#12 không chứa khóa và chứng thư số.")
    key_id = key_id or secrets.token_hex(8)
    base = ["pkcs11-tool", "--module", module, "--token-label", token_label,
            "--login", "--pin", pin]
    with tempfile.TemporaryDirectory() as tmp:
        key_der = Path(tmp) / "key.der"
        cert_der = Path(tmp) / "cert.der"
        key_der.write_bytes(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        cert_der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        _run(base + ["--write-object", str(key_der), "--type", "privkey",
                     "--label", key_label, "--id", key_id, "--usage-sign"])
        _run(base + ["--write-object", str(cert_der), "--type", "cert",
                     "--label", cert_label or key_label, "--id", key_id])
        for ca in chain:  # CA certificates, so signatures embed the whole chain
            ca_der = Path(tmp) / "ca.der"
            ca_der.write_bytes(ca.public_bytes(serialization.Encoding.DER))
            label = f"ca-{ca.serial_number:x}"[:32]
            _run(base + ["--write-object", str(ca_der), "--type", "cert", "--label", label])
