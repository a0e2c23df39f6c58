"""Validation against two independent oracles, pdfsig (poppler + NSS) and pyHanko.

A generated corpus — attacks of each class found in issue #10 plus benign files from the
dev PKI and SoftHSM — is checked three ways. eoffice never says `valid` where either
oracle reports a problem, and never says `unsigned` where pdfsig finds a signature.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hostile_files import (
    appended_comment,
    appended_object_old_startxref,
    appended_trailer_without_xref,
    indirect_form,
    shadow_replace,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature

from signing import make_validation_context


@dataclass(frozen=True)
class Oracles:
    pdfsig_signatures: int
    pdfsig_problem: str | None
    pyhanko_signatures: int
    pyhanko_problem: str | None

    @property
    def problem(self) -> str | None:
        return self.pdfsig_problem or self.pyhanko_problem


def _pdfsig_problem(out: str, pyhanko_last_is_last_revision: bool) -> str | None:
    blocks = [b for b in re.split(r"Signature #\d+:", out)[1:] if "is not signed" not in b]
    for block in blocks:
        if "Signature Type: unknown" in block:  # document timestamp: pdfsig cannot check it
            continue
        if "Signature is Valid." not in block:
            return "pdfsig: signature not valid"
        if "Certificate is Trusted." not in block:
            return "pdfsig: certificate not trusted"
    # The last signature not covering the file while no later revision exists: appended
    # bytes that no xref accounts for. (B-LT legitimately appends a DSS revision.)
    if blocks and "Not total document signed" in blocks[-1] and pyhanko_last_is_last_revision:
        return "pdfsig: not total document signed"
    return None


def _pyhanko(data: bytes, kit) -> tuple[int, str | None, bool]:  # type: ignore[no-untyped-def]
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_regular_signatures)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is a problem for the oracle
        return 0, f"pyHanko: {type(exc).__name__}", False
    if not sigs:
        return 0, None, False
    context = make_validation_context([kit.pki.root_pem], kit.crls)
    last = max(sigs, key=lambda s: s.signed_revision)
    last_is_last = last.signed_revision == reader.xrefs.total_revisions - 1
    for sig in sigs:
        try:
            status = validate_pdf_signature(sig, context)
        except Exception as exc:  # noqa: BLE001
            return len(sigs), f"pyHanko: {type(exc).__name__}", last_is_last
        if not status.bottom_line:
            return len(sigs), f"pyHanko: bottom line False ({status.trust_problem_indic})", \
                last_is_last
        if status.modification_level not in (ModificationLevel.NONE,
                                             ModificationLevel.LTA_UPDATES,
                                             ModificationLevel.FORM_FILLING):
            return len(sigs), f"pyHanko: modified ({status.modification_level})", last_is_last
        if sig is last and status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
            return len(sigs), "pyHanko: partial coverage", last_is_last
    return len(sigs), None, last_is_last


@pytest.fixture(scope="module")
def oracles(kit, pdfsig, tmp_path_factory) -> Callable[[bytes], Oracles]:
    folder = tmp_path_factory.mktemp("oracles")

    def run(data: bytes) -> Oracles:
        count, problem, last_is_last = _pyhanko(data, kit)
        out = pdfsig(data, folder)
        # pdfsig lists empty signature fields too ("… is not signed")
        blocks = re.split(r"Signature #\d+:", out)[1:]
        signed = [b for b in blocks if "is not signed" not in b]
        return Oracles(len(signed), _pdfsig_problem(out, last_is_last), count, problem)

    return run


def _sign(data: bytes, signer: signers.Signer, field: str, md: str = "sha256") -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm=md,
                                        subfilter=SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()


@pytest.fixture(scope="module")
def indirect_signed(kit, reserved_pdf) -> bytes:
    """Signed into ``nhom.sig_official`` of a form whose /AcroForm, /Fields, /Kids and
    /Annots are all indirect objects."""
    return _sign(indirect_form(reserved_pdf), kit.user, "nhom.sig_official")


@pytest.fixture(scope="module")
def sha1_signed(kit, reserved_pdf) -> bytes:
    return _sign(reserved_pdf, kit.user, "sig_official", md="sha1")


@pytest.fixture(scope="module")
def softhsm_signed(softhsm_token, reserved_pdf) -> bytes:
    from signing.signers import Pkcs11SignerConfig, open_pkcs11_signer

    config = Pkcs11SignerConfig(softhsm_token.module, softhsm_token.token_label,
                                softhsm_token.rsa_key_label)
    return _sign(reserved_pdf, open_pkcs11_signer(config, softhsm_token.pin), "sig_official")


# --- one test per attack class, each confirmed by an oracle ---------------------------

APPENDED = {
    "object_and_startxref_to_old_xref": appended_object_old_startxref,
    "trailer_without_xref": appended_trailer_without_xref,
    "comment": appended_comment,
}


@pytest.mark.parametrize("attack", sorted(APPENDED))
def test_data_appended_after_the_last_signature_is_never_valid(attack, signed_once, validate,
                                                               oracles):
    data = APPENDED[attack](signed_once)
    report = validate(data)
    assert report.verdict == "invalid", report.reasons
    assert any("chỉ được phép có khoảng trắng" in r for r in report.reasons)
    if attack != "comment":  # pdfsig ignores a trailing comment; pyHanko too
        assert oracles(data).pdfsig_problem == "pdfsig: not total document signed"


def test_data_appended_after_a_b_lt_dss_update_is_not_valid(kit, reserved_pdf, sign_pdf,
                                                           validate):
    b_lt = sign_pdf(reserved_pdf, kit.user, kit=kit, level="B-LT")
    assert validate(b_lt).verdict == "valid"  # the DSS revision after the signature is fine
    report = validate(appended_object_old_startxref(b_lt))
    assert report.verdict == "invalid", report.reasons


def test_whitespace_after_the_signature_is_allowed(signed_once, validate):
    assert validate(signed_once + b"\r\n  \n").verdict == "valid"


def test_indirect_acroform_fields_kids_annots_are_found_and_valid(indirect_signed, validate,
                                                                  oracles):
    report = validate(indirect_signed)
    assert report.verdict == "valid", report.reasons
    assert [s.field_name for s in report.signatures] == ["nhom.sig_official"]
    assert report.signatures[0].signer == "Nguyễn Văn An"
    seen = oracles(indirect_signed)
    assert seen.pdfsig_signatures == 1 and seen.pyhanko_signatures == 1
    assert seen.problem is None


@pytest.mark.parametrize("base", ["direct", "indirect"])
def test_shadow_attack_is_found_as_signed_and_not_valid(base, signed_once, indirect_signed,
                                                        validate, oracles):
    data = shadow_replace(signed_once if base == "direct" else indirect_signed)
    report = validate(data)
    assert report.verdict == "invalid", report.reasons
    assert report.signatures, "a signed file must never be reported unsigned"
    assert any("bị thay đổi" in r for r in report.reasons)
    seen = oracles(data)
    assert seen.pdfsig_signatures == 1
    assert seen.pyhanko_problem  # pyHanko: bottom line False (difference analysis)


def test_sha1_signature_is_not_valid_and_names_the_algorithm(sha1_signed, validate, oracles):
    report = validate(sha1_signed)
    assert report.verdict == "invalid", report.reasons
    assert any("SHA-1" in r for r in report.reasons)
    assert not any("chuỗi tin cậy" in r for r in report.reasons)  # not a misleading reason
    assert oracles(sha1_signed).pyhanko_problem  # pyHanko's algorithm policy refuses it


# --- the whole corpus against both oracles ------------------------------------------


def _load_sibling(name: str):  # type: ignore[no-untyped-def]
    """The attack builders of a sibling test module (tests import in importlib mode)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(f"_oracle_{name}",
                                                  Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(kit, reserved_pdf, signed_once, sign_pdf, add_sig_field, indirect_signed,
           sha1_signed, softhsm_signed) -> dict[str, bytes]:
    attacks = _load_sibling("test_attacks")
    SURGERY, annotation_added = attacks.SURGERY, attacks.annotation_added  # noqa: N806

    two = sign_pdf(add_sig_field(signed_once, "sig_seal", (320, 160, 420, 260)), kit.seal,
                   field="sig_seal")
    files = {
        "benign_b_b": signed_once,
        "benign_b_lt": sign_pdf(reserved_pdf, kit.user, kit=kit, level="B-LT"),
        "benign_b_lta": sign_pdf(reserved_pdf, kit.user, kit=kit, level="B-LTA"),
        "benign_two_signatures": two,
        "benign_indirect_form": indirect_signed,
        "benign_softhsm": softhsm_signed,
        "unsigned": reserved_pdf,
        "sha1": sha1_signed,
        "revoked": sign_pdf(reserved_pdf, kit.revoked),
        "shadow_direct": shadow_replace(signed_once),
        "shadow_indirect": shadow_replace(indirect_signed),
        "annotation_added": annotation_added(signed_once),
        "two_then_appended": appended_object_old_startxref(two),
        "indirect_then_appended": appended_trailer_without_xref(indirect_signed),
    }
    files |= {f"appended_{name}": attack(signed_once) for name, attack in APPENDED.items()}
    files |= {f"surgery_{name}": attack(signed_once) for name, attack in SURGERY.items()}
    return files


def test_corpus_against_pdfsig_and_pyhanko(corpus, validate, oracles):
    disagreements = []
    for name, data in sorted(corpus.items()):
        verdict = validate(data).verdict
        seen = oracles(data)
        if verdict == "valid" and seen.problem:
            disagreements.append(f"{name}: valid but {seen.problem}")
        if verdict == "unsigned" and seen.pdfsig_signatures:
            disagreements.append(f"{name}: unsigned but pdfsig finds {seen.pdfsig_signatures}")
        if name.startswith("benign") and (verdict != "valid" or seen.problem):
            disagreements.append(f"{name}: benign file {verdict} / {seen.problem}")
    assert not disagreements, disagreements
