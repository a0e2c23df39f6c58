"""`eoffice sign`, `eoffice keys …`, `eoffice token-agent`: click commands over `signing`.

Imports only `signing` and `click`; the app's CLI registers ``COMMANDS``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps import TimeStamper

import signing
from signing.agent import DEFAULT_CONFIG
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


AGENT_HELP = """Local signing agent for an official's USB token (runs on their own PC).

\b
It listens on http://127.0.0.1:PORT only and signs for ONE eoffice server, the one it was
paired with. Pairing, once per PC: on the eoffice web site open "USB token" (account menu),
click "Lấy mã ghép nối mới", then run on this PC:
  eoffice token-agent --token-label TOKEN --key-label KEY \\
      --pair-server https://eoffice.example.gov.vn --pair-code ABCD-EFGH
Later starts need only --token-label and --key-label (the pairing is kept in --config).

\b
When a web page asks for a signature ("Ký bằng USB token"), this window shows each
document's subject and SHA-256 hash and asks for the token PIN. The PIN is typed here and
never sent to the server. One PIN signs a whole batch; a wrong PIN signs nothing and shows
the tries left before the token locks. Pages of any other site get no answer.

\b
Token labels: `pkcs11-tool --module MODULE --list-token-slots` and `--list-objects`.
Vendor modules: e.g. /usr/lib/libeToken.so, /usr/lib/libcastle.so.1.0.0 (Viettel/VNPT
tokens ship their own); SoftHSM2 for tests.
"""


@click.command("token-agent", help=AGENT_HELP)
@click.option("--pkcs11-module", default=SOFTHSM_MODULE, show_default=True,
              help="PKCS#11 library (.so) of the token vendor.")
@click.option("--token-label", required=True, help="Label of the USB token.")
@click.option("--key-label", required=True, help="Label of the signing key on the token.")
@click.option("--cert-label", help="Label of the certificate (default: the key label).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port, printed).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=str(DEFAULT_CONFIG), show_default=True,
              help="Where the pairing (server origin and key) is kept, mode 0600.")
@click.option("--pair-server", help="Pair first with this eoffice server (its web address).")
@click.option("--pair-code", help="The one-time pairing code shown on the web site.")
@click.option("--pin-tries", default=5, show_default=True, type=click.IntRange(1, 20),
              help="PIN tries of the token before it locks (for the tries-left message).")
def token_agent(pkcs11_module: str, token_label: str, key_label: str, cert_label: str | None,
                port: int, config_path: Path, pair_server: str | None,
                pair_code: str | None, pin_tries: int) -> None:
    from signing.agent import Pairing, TokenAccess, pair, serve

    if bool(pair_server) != bool(pair_code):
        _fail("Cần cả --pair-server và --pair-code để ghép nối.")
    token = TokenAccess(pkcs11_module, token_label, key_label, cert_label, pin_tries)
    try:
        server = serve(token, config_path, port=port)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        if pair_server and pair_code:
            paired = pair(pair_server, pair_code, token, config_path, url)
            click.echo(f"Đã ghép nối với {paired.origin} (tài khoản {paired.username}).")
    except (signing.SigningError, OSError) as exc:
        _fail(str(exc))
    pairing = Pairing.load(config_path)
    if pairing is None:
        click.echo("Chưa ghép nối: lấy mã ghép nối trên trang “USB token” của eoffice rồi "
                   "chạy lại với --pair-server và --pair-code.")
    else:
        click.echo(f"Chỉ ký cho {pairing.origin} (tài khoản {pairing.username}).")
    click.echo(f"eoffice token-agent on {url}", nl=True)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()


COMMANDS = [sign, keys, token_agent]
