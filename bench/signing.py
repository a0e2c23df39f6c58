# ruff: noqa: E402
"""Signing benchmark: eoffice's signing paths vs naive pyHanko use, same run.

Run: .venv/bin/python bench/signing.py   (prints medians in ms and ratios)
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# this file is named signing.py: keep its folder from shadowing the `signing` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import fontpkg_noto_serif
from pyhanko.pdf_utils import generic as pdf_generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle

import signing
from signing import fast_parse
from signing.tokens import SOFTHSM_MODULE, import_p12_to_token, init_softhsm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "signing"))
from conftest import build_reserved_pdf  # noqa: E402

fast_parse.install()  # as create_app does

NOTO = str(next((Path(fontpkg_noto_serif.__file__).parent / "files").glob("NotoSerif[[]*.ttf")))
N = 15
PASS = "eoffice-demo"


def median_ms(fn: Callable[[], object], n: int = N) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def naive_sign(pdf: bytes, p12: Path, field: str, ts: object = None) -> bytes:
    """What a first pyHanko integration does: load per call, defaults, full serif font."""
    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=PASS.encode())
    style = TextStampStyle(stamp_text="%(signer)s\n%(ts)s",
                           text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(NOTO)))
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field)
    out = signers.PdfSigner(meta, signer, timestamper=ts, stamp_style=style,  # type: ignore
                            new_field_spec=None if field == "sig_official" else
                            fields.SigFieldSpec(field, box=(150, 150, 300, 250))).sign_pdf(w)
    return out.getvalue()


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    pki = signing.init_dev_pki(tmp / "pki", agency_name="UBND thành phố Vĩnh Yên",
                               agency_abbr="UBND", passphrase=PASS)
    cred = signing.issue_user(pki.out, "chutich", "Nguyễn Văn An", passphrase=PASS)
    pdf = build_reserved_pdf()
    official = signing.load_pkcs12_signer(cred.p12_path, PASS)
    seal = signing.load_pkcs12_signer(pki.seal_p12, PASS)
    tsa = signing.dev_timestamper(pki)
    signed = signing.sign_official(pdf, official, image_png=cred.signature_png, level="B-B")
    rows: list[tuple[str, float, float]] = []

    ours = median_ms(lambda: signing.sign_official(pdf, official, image_png=cred.signature_png,
                                                   level="B-B"))
    naive = median_ms(lambda: naive_sign(pdf, cred.p12_path, "sig_official"))
    rows.append(("visible official signature (B-B)", ours, naive))

    ours = median_ms(lambda: signing.issue_document(
        signed, number_text="82/KH-UBND", date_text="ngày 05 tháng 3 năm 2026",
        seal_signer=seal, seal_png=pki.seal_png, level="B-B"))
    naive = median_ms(lambda: naive_sign(signed, pki.seal_p12, "sig_seal"))
    rows.append(("seal step (fill number/date + seal)", ours, naive))

    ours = median_ms(lambda: signing.sign_official(pdf, official, image_png=cred.signature_png,
                                                   timestamper=tsa, level="B-T"))
    naive = median_ms(lambda: naive_sign(pdf, cred.p12_path, "sig_official", ts=tsa))
    rows.append(("B-T official signature", ours, naive))

    conf = init_softhsm(tmp / "hsm", token_label="bench", pin="1234")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    import_p12_to_token(cred.p12_path, PASS, token_label="bench", pin="1234", key_label="k")
    hsm = signing.open_pkcs11_signer(
        signing.Pkcs11SignerConfig(SOFTHSM_MODULE, "bench", "k"), "1234")
    ours = median_ms(lambda: signing.sign_official(pdf, hsm, image_png=cred.signature_png,
                                                   level="B-B"))
    naive_hsm = median_ms(lambda: signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="sig_official"), hsm).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf))))
    rows.append(("SoftHSM signature (B-B)", ours, naive_hsm))

    two = signing.issue_document(signed, number_text="82/KH-UBND", date_text="ngày 05",
                                 seal_signer=seal, seal_png=pki.seal_png, level="B-B")
    vc_args = ([pki.root_pem], pki.crls())
    try:
        from signing import validation  # type: ignore[attr-defined]
        validate = getattr(validation, "validate_pdf", None)
    except ImportError:
        validate = None

    def naive_validate() -> None:
        # plain pyHanko: its own byte-by-byte hex string reader, not signing.fast_parse's
        fast = pdf_generic.read_hex_string_from_stream
        pdf_generic.read_hex_string_from_stream = fast_parse.ORIGINAL  # type: ignore[assignment]
        try:
            r = PdfFileReader(io.BytesIO(two))
            vc = signing.make_validation_context(*vc_args)
            for sig in r.embedded_signatures:
                validate_pdf_signature(sig, vc)
        finally:
            pdf_generic.read_hex_string_from_stream = fast  # type: ignore[assignment]

    naive = median_ms(naive_validate, 7)
    # In-process: the path for documents eoffice produced itself (issuance checks, register).
    ours = median_ms((lambda: validate(two, trust_roots=[pki.root_cert()], crls=pki.crls(),
                                       sandbox=False))
                     if validate else naive_validate, 7)
    rows.append(("validate two-signature document", ours, naive))
    if validate:
        # Untrusted uploads go through the sandbox (forked, memory- and time-limited child).
        validate(two, trust_roots=[pki.root_cert()], crls=pki.crls())  # warm the fork server
        sandboxed = median_ms(
            lambda: validate(two, trust_roots=[pki.root_cert()], crls=pki.crls()), 7)
        rows.append(("validate two-signature document, sandboxed", sandboxed, naive))

    print(f"{'benchmark':42} {'eoffice ms':>11} {'naive ms':>10} {'speed-up':>9}")
    for name, o, n in rows:
        print(f"{name:42} {o:11.1f} {n:10.1f} {n / o:8.1f}x")
    long_term_and_agent(pdf, signed, cred, pki, seal, tsa, tmp)


def long_term_and_agent(pdf: bytes, signed: bytes, cred: signing.UserCredential,
                        pki: signing.DevPki, seal: object, tsa: object, tmp: Path) -> None:
    """SPEC §7: B-LT issuance and the token agent round trip, each against plain B-T."""
    import base64
    import threading

    import requests

    from signing.agent import Pairing, TokenAccess, serve
    from signing.external import authenticator, finish_external, prepare_external

    vc = signing.make_validation_context([pki.root_pem], pki.crls())

    def issue(level: str) -> bytes:
        return signing.issue_document(
            signed, number_text="82/KH-UBND", date_text="ngày 05 tháng 3 năm 2026",
            seal_signer=seal, seal_png=pki.seal_png, timestamper=tsa, level=level,
            validation_context=vc if level != "B-T" else None)

    plain = median_ms(lambda: issue("B-T"), 7)
    rows = [("issuance B-LT (revocation data embedded)", median_ms(lambda: issue("B-LT"), 7),
             plain),
            ("issuance B-LTA (+ document timestamp)", median_ms(lambda: issue("B-LTA"), 7),
             plain)]

    signing.close_pkcs11_sessions()  # the agent logs in per request (one login per process)
    token = TokenAccess(SOFTHSM_MODULE, "bench", "k")
    cert, chain = token.certificate()

    def direct() -> bytes:  # prepare, sign on the token in this process, finish (B-T)
        prepared = prepare_external(pdf, cert, chain, image_png=cred.signature_png)
        (value,) = token.sign_all("1234", [prepared.data_to_sign])
        return finish_external(prepared, value, timestamper=tsa)

    origin, key = "http://127.0.0.1:5000", b"k" * 32
    Pairing(origin, key, "chutich").save(tmp / "agent.json")
    server = serve(token, tmp / "agent.json", prompt=lambda items, warning: "1234", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    http = requests.Session()
    counter = iter(range(10**9))

    def round_trip() -> bytes:  # prepare -> agent over loopback HTTP -> finish (B-T)
        prepared = prepare_external(pdf, cert, chain, image_png=cred.signature_png)
        rid, expires = f"bench-{next(counter)}", int(time.time()) + 300
        item = {"request_id": rid, "subject": "bench", "expires": expires,
                "data": base64.b64encode(prepared.data_to_sign).decode(),
                "auth": authenticator(key, origin=origin, request_id=rid, expires=expires,
                                      subject="bench", data=prepared.data_to_sign)}
        answer = http.post(f"{url}/sign", json={"items": [item]}, headers={"Origin": origin},
                           timeout=30).json()
        value = base64.b64decode(answer["signatures"][0]["signature"])
        return finish_external(prepared, value, timestamper=tsa)

    soft = signing.load_pkcs12_signer(cred.p12_path, PASS)
    plain_bt = median_ms(lambda: signing.sign_official(
        pdf, soft, image_png=cred.signature_png, timestamper=tsa, level="B-T"))
    token_direct = median_ms(direct)
    agent = median_ms(round_trip)
    server.shutdown()
    rows += [("token: prepare + sign + finish (in process)", token_direct, plain_bt),
             ("token agent round trip (loopback HTTP)", agent, plain_bt)]
    print()
    print(f"{'SPEC §7 (baseline: plain B-T, same run)':42} {'ms':>11} {'B-T ms':>10} "
          f"{'ratio':>9}")
    for name, o, n in rows:
        print(f"{name:42} {o:11.1f} {n:10.1f} {o / n:8.2f}x")
    print(f"agent overhead beyond the token signature itself: {agent - token_direct:.1f} ms "
          "(target <= 100 ms)")


if __name__ == "__main__":
    main()
