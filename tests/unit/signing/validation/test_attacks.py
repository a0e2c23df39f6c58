"""Attack corpus built from dev-PKI-signed files: never `valid`, never an exception."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm

# --- byte-level surgery that keeps every offset (so only the targeted thing breaks) ---


def _replace_same_length(data: bytes, pattern: bytes, new: bytes) -> bytes:
    match = re.search(pattern, data, flags=re.S)
    assert match, pattern
    old = match.group(0)
    assert len(new) <= len(old)
    return data[: match.start()] + new.ljust(len(old), b" ") + data[match.end():]


def contents_missing(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/Contents\s*<", b"/Xontents <")


def contents_empty(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/Contents\s*<[0-9a-fA-F]*>", b"/Contents <>")


def contents_null(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/Contents\s*<[0-9a-fA-F]*>", b"/Contents null")


def byterange_missing(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/ByteRange", b"/XyteRange")


def byterange_null(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/ByteRange\s*\[[^\]]*\]", b"/ByteRange null")


def byterange_zero(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/ByteRange\s*\[[^\]]*\]", b"/ByteRange [0 0 0 0]")


def subfilter_removed(data: bytes) -> bytes:
    return _replace_same_length(data, rb"/SubFilter", b"/XubFilter")


def byte_flipped(data: bytes) -> bytes:
    """Flip one byte of the first stream's data, inside the first signed range."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data)
    assert match
    pos = data.find(b"stream", 200) + 10
    assert pos < int(match.group(2))
    flipped = bytearray(data)
    flipped[pos] ^= 0x01
    return bytes(flipped)


def appended_garbage(data: bytes) -> bytes:
    return data + b"\n% appended after signing\n1 0 obj\n<< /Evil true >>\nendobj\n"


def _incremental(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_content_changed(data: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        page = w.find_page_for_modification(0)[0].get_object()
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (GIA MAO) Tj ET")
        page["/Contents"] = w.add_object(stream)
        w.update_container(page)

    return _incremental(data, change)


def appended_xref_update(data: bytes) -> bytes:
    """A well-formed incremental update (with xref) adding an OpenAction script."""

    def change(w: IncrementalPdfFileWriter) -> None:
        action = generic.DictionaryObject({
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert('x')"),
        })
        w.root["/OpenAction"] = w.add_object(action)
        w.update_root()

    return _incremental(data, change)


def annotation_added(data: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        page = w.find_page_for_modification(0)[0].get_object()
        annot = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Square"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (50, 50, 500, 800)]),
            generic.NameObject("/IC"): generic.ArrayObject(
                [generic.FloatObject(1), generic.FloatObject(1), generic.FloatObject(1)]),
        })
        annots = page.get("/Annots")
        items = list(annots) if annots is not None else []
        page["/Annots"] = generic.ArrayObject([*items, w.add_object(annot)])
        w.update_container(page)

    return _incremental(data, change)


def foreign_cms(data: bytes, other: bytes) -> bytes:
    """Put the CMS of another signed file into this file's /Contents."""
    theirs = re.search(rb"/Contents\s*<([0-9a-fA-F]*)>", other)
    mine = re.search(rb"/Contents\s*<([0-9a-fA-F]*)>", data)
    assert theirs and mine
    hexdata = theirs.group(1).rstrip(b"0")
    if len(hexdata) % 2:
        hexdata += b"0"
    assert len(hexdata) <= len(mine.group(1))
    new = hexdata.ljust(len(mine.group(1)), b"0")
    return data[: mine.start(1)] + new + data[mine.end(1):]


def self_signed_signer(tmp: Path) -> signers.SimpleSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ Giả Mạo")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                     False), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp / "self.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"self", key, cert, None, serialization.BestAvailableEncryption(b"pw")))
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=b"pw")
    assert signer is not None
    return signer


SURGERY = {
    "byte_flipped_in_signed_range": byte_flipped,
    "contents_missing": contents_missing,
    "contents_empty": contents_empty,
    "contents_null": contents_null,
    "byterange_missing": byterange_missing,
    "byterange_null": byterange_null,
    "byterange_zero": byterange_zero,
    "subfilter_removed": subfilter_removed,
    "data_appended_without_xref": appended_garbage,
    "data_appended_with_xref": appended_xref_update,
    "page_content_changed_later": page_content_changed,
}


def _assert_not_valid(report, expected: str | None = "invalid") -> None:
    assert report.verdict != "valid"
    assert report.reasons, "a verdict other than valid must say why"
    if expected is not None:
        assert report.verdict == expected, report.reasons


@pytest.mark.parametrize("attack", sorted(SURGERY))
@pytest.mark.parametrize("sandbox", [True, False], ids=["sandbox", "in-process"])
def test_tampered_file_is_invalid(attack, sandbox, signed_once, validate):
    data = SURGERY[attack](signed_once)
    assert data != signed_once
    _assert_not_valid(validate(data, sandbox=sandbox))


def test_second_signature_then_tampering_is_invalid(kit, signed_once, add_sig_field, sign_pdf,
                                                   validate):
    data = sign_pdf(add_sig_field(signed_once, "sig_seal"), kit.seal, field="sig_seal")
    for attack in ("page_content_changed_later", "data_appended_without_xref",
                   "contents_empty", "byte_flipped_in_signed_range"):
        _assert_not_valid(validate(SURGERY[attack](data)))


def test_foreign_cms_with_wrong_digest(kit, signed_once, make_reserved_pdf, sign_pdf, validate):
    other = sign_pdf(make_reserved_pdf(pages=2), kit.user)
    report = validate(foreign_cms(signed_once, other))
    _assert_not_valid(report)
    assert any("không toàn vẹn" in r for r in report.reasons)


def test_revoked_signer(kit, reserved_pdf, sign_pdf, validate):
    report = validate(sign_pdf(reserved_pdf, kit.revoked))
    _assert_not_valid(report)
    assert report.signatures[0].revocation == "revoked"
    assert any("đã bị thu hồi" in r for r in report.reasons)


def test_revoked_signer_with_timestamp(kit, reserved_pdf, sign_pdf, validate):
    _assert_not_valid(validate(sign_pdf(reserved_pdf, kit.revoked, kit=kit, level="B-T")))


def test_self_signed_untrusted_signer(reserved_pdf, sign_pdf, validate, tmp_path):
    report = validate(sign_pdf(reserved_pdf, self_signed_signer(tmp_path)))
    _assert_not_valid(report, "indeterminate")
    assert not report.signatures[0].trusted
    assert any("chuỗi tin cậy" in r for r in report.reasons)


@pytest.mark.parametrize("perm", [MDPPerm.NO_CHANGES, MDPPerm.FILL_FORMS])
def test_annotation_after_certification(perm, kit, reserved_pdf, sign_pdf, validate):
    certified = sign_pdf(reserved_pdf, kit.user, certify=perm)
    assert validate(certified).verdict == "valid"
    _assert_not_valid(validate(annotation_added(certified)))


def test_annotation_after_permissive_certification_is_not_valid(kit, reserved_pdf, sign_pdf,
                                                                  validate):
    # pyHanko rates this page update OTHER (the page's /Annots array is direct, so the
    # page object itself changes): invalid here; a clean annotation would be needs_review.
    certified = sign_pdf(reserved_pdf, kit.user, certify=MDPPerm.ANNOTATE)
    _assert_not_valid(validate(annotation_added(certified)), None)


def test_annotation_after_approval_signature_is_not_valid(signed_once, validate):
    _assert_not_valid(validate(annotation_added(signed_once)), None)


class _CarelessSigner(signers.PdfSigner):
    """An attacker's tool: ignores the certification signature's DocMDP rules."""

    def _enforce_certification_constraints(self, reader):  # type: ignore[override]
        return None


def _sign_carelessly(data: bytes, signer: signers.SimpleSigner, field: str) -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=field)
    out = _CarelessSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)))
    return out.getvalue()


@pytest.mark.parametrize("perm", [MDPPerm.NO_CHANGES, MDPPerm.FILL_FORMS])
def test_overlay_signature_after_certification(perm, kit, reserved_pdf, sign_pdf,
                                               add_sig_field, validate):
    certified = sign_pdf(reserved_pdf, kit.user, certify=perm)
    overlay = add_sig_field(certified, "overlay", (0, 0, 595, 842))
    _assert_not_valid(validate(overlay))
    _assert_not_valid(validate(_sign_carelessly(overlay, kit.seal, "overlay")))


def test_invalid_attack_reports_are_json_ready(signed_once, validate):
    import json

    payload = validate(contents_empty(signed_once)).to_dict()
    assert json.loads(json.dumps(payload, ensure_ascii=False))["verdict"] == "invalid"


@pytest.mark.parametrize("junk", [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.4\n" * 1000])
def test_garbage_is_invalid(junk, validate):
    assert validate(junk).verdict == "invalid"
