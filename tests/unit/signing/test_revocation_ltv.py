"""Long-term validation and revocation: B-LT documents validate on their own embedded data;
OCSP/CRL are fetched online from real responders (certomancer on 127.0.0.1) and cached;
a revoked signer is refused, and a signature timestamped before the revocation stays valid."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import (
    dev_timestamper,
    issue_document,
    load_pkcs12_signer,
    make_validation_context,
    sign_official,
    url_timestamper,
    validate_pdf,
)
from signing.revocation import SignerRevoked, SignerStatusUnknown

PASSPHRASE = "eoffice-demo"


def _issued(pdf: bytes, dev_pki, level: str) -> bytes:
    vc = make_validation_context([dev_pki.root_pem], dev_pki.crls())
    tsa = dev_timestamper(dev_pki)
    official = load_pkcs12_signer(dev_pki.user_p12("chutich"), PASSPHRASE)
    seal = load_pkcs12_signer(dev_pki.seal_p12, PASSPHRASE)
    signed = sign_official(pdf, official, image_png=None, timestamper=tsa, level=level,
                           validation_context=vc)
    return issue_document(signed, number_text="01/KH-UBND", date_text="ngày 1 tháng 1",
                          seal_signer=seal, timestamper=tsa, level=level,
                          validation_context=vc)


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_issued_document_validates_offline_without_crl_folder(
        dev_pki, reserved_pdf, pdfsig, tmp_path, level):
    issued = _issued(reserved_pdf, dev_pki, level)
    reader = PdfFileReader(__import__("io").BytesIO(issued))
    assert "/DSS" in reader.root, "B-LT embeds the revocation data (DSS)"
    if level == "B-LTA":
        assert any(s.sig_object_type == "/DocTimeStamp" for s in reader.embedded_signatures)
    crl_dir = dev_pki.out / "crl"
    moved = tmp_path / "crl-away"
    shutil.move(crl_dir, moved)  # the CRL folder is gone: only the document's own data
    try:
        report = validate_pdf(issued, trust_roots=[dev_pki.root_pem.read_bytes()])
    finally:
        shutil.move(moved, crl_dir)
    assert report.verdict == "valid", report.reasons
    people = [s for s in report.signatures if s.kind == "signature"]
    assert len(people) == 2 and all(s.revocation == "good" for s in people)
    out = pdfsig(issued, tmp_path)
    assert out.count("Signature is Valid.") == 2  # pdfsig does not judge doc timestamps


def test_plain_b_t_needs_revocation_data_to_be_valid(dev_pki, reserved_pdf):
    """The contrast: a B-T document without CRLs at hand cannot be established."""
    official = load_pkcs12_signer(dev_pki.user_p12("chutich"), PASSPHRASE)
    signed = sign_official(reserved_pdf, official, image_png=None,
                           timestamper=dev_timestamper(dev_pki), level="B-T")
    report = validate_pdf(signed, trust_roots=[dev_pki.root_pem.read_bytes()])
    assert report.verdict == "indeterminate"


def test_revoked_dev_user_is_refused_offline(dev_pki, reserved_pdf):
    vc = make_validation_context([dev_pki.root_pem], dev_pki.crls())
    revoked = load_pkcs12_signer(dev_pki.revoked_p12, PASSPHRASE)
    with pytest.raises(SignerRevoked, match="thu hồi"):
        sign_official(reserved_pdf, revoked, image_png=None,
                      timestamper=dev_timestamper(dev_pki), level="B-T",
                      validation_context=vc)


def _online(ca) -> object:
    return make_validation_context([ca.root_pem], allow_fetching=True)


def test_online_ocsp_and_crl_give_b_lt_that_validates_offline(ca_responders, reserved_pdf,
                                                              tmp_path):
    ca = ca_responders
    official = load_pkcs12_signer(ca.p12("official"), "secret")
    seal = load_pkcs12_signer(ca.p12("seal"), "secret")
    tsa = url_timestamper(ca.tsa_url)
    before = ca.requests
    signed = sign_official(reserved_pdf, official, image_png=None, timestamper=tsa,
                           level="B-LT", validation_context=_online(ca))
    issued = issue_document(signed, number_text="02/KH-UBND", date_text="ngày 2",
                            seal_signer=seal, timestamper=tsa, level="B-LT",
                            validation_context=_online(ca))
    assert ca.requests > before, "OCSP/CRL/TSA were asked over HTTP"
    root = ca.root_pem.read_bytes()
    # offline, no CRL given: the embedded OCSP/CRL answers suffice
    report = validate_pdf(issued, trust_roots=[root])
    assert report.verdict == "valid", report.reasons
    # online validation of a plain B-T signature fetches the status itself, and the
    # answers are cached on disk until their nextUpdate: a second run asks nobody
    plain = sign_official(reserved_pdf, official, image_png=None, timestamper=tsa,
                          level="B-T")
    cache = tmp_path / "revocation-cache"
    assert validate_pdf(plain, trust_roots=[root]).verdict == "indeterminate"
    first = validate_pdf(plain, trust_roots=[root], allow_fetching=True,
                         revocation_cache=cache)
    assert first.verdict == "valid", first.reasons
    assert list(cache.glob("*.der"))
    asked = ca.requests
    again = validate_pdf(plain, trust_roots=[root], allow_fetching=True,
                         revocation_cache=cache)
    assert again.verdict == "valid" and ca.requests == asked


def test_signer_revoked_yesterday(ca_responders, reserved_pdf):
    """Refused today; a signature made (and timestamped) before the revocation stays
    valid; one made after it is invalid.

    It used to fail under load: an OCSP answer produced more than a second after the check
    began was discarded as "too recent", and the weekly CRL, issued before the revocation,
    then said "good". Now a current-status answer is never too recent and the test CA's CRL
    is issued after the revocation (test_revoked_signer_refused_when_ocsp_answers_slowly)."""
    ca = ca_responders
    root = ca.root_pem.read_bytes()
    revoked = load_pkcs12_signer(ca.p12("revoked"), "secret")
    before = ca.revoked_since - dt.timedelta(days=1)
    old = sign_official(reserved_pdf, revoked, image_png=None,
                        timestamper=ca.timestamper_at(before), level="B-T")
    with pytest.raises(SignerRevoked):
        sign_official(reserved_pdf, revoked, image_png=None,
                      timestamper=url_timestamper(ca.tsa_url), level="B-T",
                      validation_context=_online(ca))
    report = validate_pdf(old, trust_roots=[root], allow_fetching=True)
    assert report.verdict == "valid", report.reasons
    assert report.signatures[0].timestamp < ca.revoked_since.isoformat()
    # forced past the check (no context): made after the revocation date → invalid
    late = sign_official(reserved_pdf, revoked, image_png=None,
                         timestamper=url_timestamper(ca.tsa_url), level="B-T")
    report = validate_pdf(late, trust_roots=[root], allow_fetching=True)
    assert report.verdict == "invalid", (report.to_dict(), ca.revoked_since)
    assert any("thu hồi" in r for r in report.reasons)


def _fresh_online(ca, tmp_path) -> object:
    """Online checking with its own answer cache (the process-wide memory cache may hold
    the certificate's status from another test)."""
    return make_validation_context([ca.root_pem], allow_fetching=True,
                                   cache_dir=tmp_path / "revocation-cache")


def test_revoked_signer_refused_when_ocsp_answers_slowly(ca_responders, reserved_pdf,
                                                         tmp_path):
    """A loaded responder answers after the check began: the answer is current, and the
    revoked signer is refused (the signing CA's CRL is down, so only OCSP can tell)."""
    ca = ca_responders
    revoked = load_pkcs12_signer(ca.p12("revoked"), "secret")
    with ca.disturbed(down=("/interm/latest.crl",), ocsp_delay=1.5), \
            pytest.raises(SignerRevoked, match="thu hồi"):
        sign_official(reserved_pdf, revoked, image_png=None,
                      timestamper=url_timestamper(ca.tsa_url), level="B-T",
                      validation_context=_fresh_online(ca, tmp_path))


def test_unknown_status_refuses_to_sign_when_checking_online(ca_responders, reserved_pdf,
                                                            tmp_path):
    """OCSP and CRL unreachable with online checking on: nothing is signed, and the clerk
    reads why. Offline without revocation data the status is left to validation, which
    does not call the signature valid."""
    ca = ca_responders
    official = load_pkcs12_signer(ca.p12("official"), "secret")
    with ca.disturbed(down=("/ocsp/", ".crl")), \
            pytest.raises(SignerStatusUnknown,
                          match="Không xác định được tình trạng thu hồi.*chưa được ký"):
        sign_official(reserved_pdf, official, image_png=None,
                      timestamper=url_timestamper(ca.tsa_url), level="B-T",
                      validation_context=_fresh_online(ca, tmp_path))
    signed = sign_official(reserved_pdf, official, image_png=None,
                           timestamper=url_timestamper(ca.tsa_url), level="B-T",
                           validation_context=make_validation_context([ca.root_pem]))
    report = validate_pdf(signed, trust_roots=[ca.root_pem.read_bytes()])
    assert report.verdict == "indeterminate", report.reasons


def test_unknown_status_reaches_the_user_as_its_own_422():
    """The web and API answer with the message and a code clients can act on (retry later),
    distinct from a revoked signer."""
    from eoffice.signing_services import signing_failed

    error = signing_failed(SignerStatusUnknown("Không xác định được tình trạng thu hồi"))
    assert (error.status, error.code) == (422, "signer_status_unknown")
    assert error.message.startswith("Không xác định được")
    assert signing_failed(SignerRevoked("thu hồi")).code == "signer_revoked"
