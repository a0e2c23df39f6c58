"""`eoffice sign`, `eoffice keys …`, `eoffice token-agent`: click commands over `signing`.

Imports only `signing` and `click`; the app's CLI registers ``COMMANDS``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps import TimeStamper

import signing
from signing.external import serve_agent
from signing.tokens import SOFTHSM_MODULE, import_p12_to_token


def _fail(message: str) -> None:
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(1)


def _secret(env: str | None, what: str) -> str:
    if env:
        value = os.environ.get(env)
        if value is None:
            _fail(f"Biến môi trường {env} chưa được đặt.")
        return value or ""
    return click.prompt(what, hide_input=True)


@click.command("sign")
@click.argument("in_pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out_pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--p12", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PKCS#12 file of the signer.")
@click.option("--passphrase-env", help="Environment variable holding the passphrase.")
@click.option("--pkcs11-module", help="PKCS#11 module (.so).")
@click.option("--token-label")
@click.option("--key-label")
@click.option("--cert-label")
@click.option("--pin-env", help="Environment variable holding the PIN.")
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Signature image (PNG) for the visible signature.")
@click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default=None,
              help="PAdES level (default B-T with --tsa-url or --pki, else B-B).")
@click.option("--tsa-url", help="RFC 3161 timestamp server URL.")
@click.option("--pki", type=click.Path(file_okay=False, path_type=Path),
              help="Dev PKI folder: its TSA gives timestamps, its root and CRLs B-LT data.")
def sign(in_pdf: Path, out_pdf: Path, p12: Path | None, passphrase_env: str | None,
         pkcs11_module: str | None, token_label: str | None, key_label: str | None,
         cert_label: str | None, pin_env: str | None, image: Path | None,
         level: str | None, tsa_url: str | None, pki: Path | None) -> None:
    """Sign IN_PDF into OUT_PDF (the sig_official field, or a new field)."""
    if (p12 is None) == (pkcs11_module is None):
        raise click.UsageError("Give exactly one of --p12 or --pkcs11-module.")
    if pkcs11_module and not (token_label and key_label):
        raise click.UsageError("--pkcs11-module needs --token-label and --key-label.")
    signer: Signer
    timestamper: TimeStamper | None = None
    try:
        if p12 is not None:
            signer = signing.load_pkcs12_signer(p12, _secret(passphrase_env, "Mật khẩu"))
        else:
            config = signing.Pkcs11SignerConfig(pkcs11_module or "", token_label or "",
                                                key_label or "", cert_label)
            signer = signing.open_pkcs11_signer(config, _secret(pin_env, "Mã PIN"))
        vc = None
        dev = None
        if pki is not None:
            dev = signing.DevPki(pki, "", os.environ.get("EOFFICE_PKI_PASSPHRASE",
                                                         "eoffice-demo"))
            timestamper = signing.dev_timestamper(dev)
            vc = signing.make_validation_context([dev.root_pem], dev.crls())
        if tsa_url:
            timestamper = signing.url_timestamper(tsa_url)
        level = level or ("B-T" if timestamper else "B-B")
        data = in_pdf.read_bytes()
        from signing.pades import field_rect, open_pdf

        if field_rect(open_pdf(data), "sig_official") is None:
            data = signing.add_reserved_fields(data)
        out = signing.sign_official(data, signer, image_png=image, timestamper=timestamper,
                                    level=level, validation_context=vc)
    except signing.SigningError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"Không đọc/ghi được tệp: {exc}")
    out_pdf.write_bytes(out)
    click.echo(f"Đã ký: {out_pdf}")


@click.group("keys")
def keys() -> None:
    """Development PKI and token set-up."""


@keys.command("init-dev")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--agency-name", default="UBND thành phố Vĩnh Yên")
@click.option("--agency-abbr", default="UBND")
@click.option("--passphrase-env", help="Environment variable with the passphrase "
              "(default: eoffice-demo).")
@click.option("--user", "users", multiple=True,
              help="USERNAME:Full Name to issue RSA and EC credentials for.")
def init_dev(out: Path, agency_name: str, agency_abbr: str, passphrase_env: str | None,
             users: tuple[str, ...]) -> None:
    """Create (or reuse) the development PKI in OUT."""
    passphrase = os.environ.get(passphrase_env, "") if passphrase_env else "eoffice-demo"
    if not passphrase:
        _fail("Mật khẩu cho PKI phát triển không được để trống.")
    pki = signing.init_dev_pki(out, agency_name=agency_name, agency_abbr=agency_abbr,
                               passphrase=passphrase)
    for spec in users:
        username, _, full_name = spec.partition(":")
        for key_type in ("rsa", "ec"):
            signing.issue_user(out, username, full_name or username, passphrase=passphrase,
                               key_type=key_type)
    click.echo(f"PKI phát triển: {pki.out} (gốc tin cậy: {pki.root_pem})")


@keys.command("import-token")
@click.option("--p12", required=True, type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path))
@click.option("--passphrase-env")
@click.option("--pkcs11-module", default=SOFTHSM_MODULE, show_default=True)
@click.option("--token-label", required=True)
@click.option("--key-label", required=True)
@click.option("--cert-label")
@click.option("--pin-env")
def import_token(p12: Path, passphrase_env: str | None, pkcs11_module: str,
                 token_label: str, key_label: str, cert_label: str | None,
                 pin_env: str | None) -> None:
    """Write the key and certificate of a PKCS#12 file onto a PKCS#11 token."""
    try:
        import_p12_to_token(p12, _secret(passphrase_env, "Mật khẩu"), module=pkcs11_module,
                            token_label=token_label, pin=_secret(pin_env, "Mã PIN"),
                            key_label=key_label, cert_label=cert_label)
    except signing.SigningError as exc:
        _fail(str(exc))
    click.echo(f"Đã ghi khóa “{key_label}” lên thiết bị “{token_label}”.")


@click.command("token-agent")
@click.option("--pkcs11-module", default=SOFTHSM_MODULE, show_default=True)
@click.option("--token-label", required=True)
@click.option("--key-label", required=True)
@click.option("--cert-label")
@click.option("--pin-env")
@click.option("--port", default=8765, show_default=True)
@click.option("--secret-env", help="Environment variable with the shared secret "
              "(default: a random one, printed).")
def token_agent(pkcs11_module: str, token_label: str, key_label: str,
                cert_label: str | None, pin_env: str | None, port: int,
                secret_env: str | None) -> None:
    """Local signing agent: signs for the eoffice server with a USB token (127.0.0.1)."""
    try:
        signer = signing.open_pkcs11_signer(
            signing.Pkcs11SignerConfig(pkcs11_module, token_label, key_label, cert_label),
            _secret(pin_env, "Mã PIN"))
        secret = os.environ.get(secret_env, "") if secret_env else secrets.token_urlsafe(24)
        if not secret:
            _fail("Khóa truy cập của phần mềm ký số không được để trống.")
        server = serve_agent(signer, secret, port=port)
    except (signing.SigningError, OSError) as exc:
        _fail(str(exc))
    click.echo(f"eoffice token-agent on http://127.0.0.1:{server.server_address[1]}")
    if not secret_env:
        click.echo(f"Khóa truy cập: {secret}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()


COMMANDS = [sign, keys, token_agent]
