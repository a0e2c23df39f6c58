"""The verdict rules on the facts the sandbox returns (cases hard to craft as files)."""

from __future__ import annotations

import pytest

from signing.validation import VERDICT_LABELS, report_from_facts


def _sig(**overrides):
    facts = {"field": "sig_official", "signer": "Nguyễn Văn An", "kind": "signature",
             "intact": True, "trusted": True, "revocation": "good", "coverage": "entire_file",
             "modification_level": "none", "docmdp_ok": True, "timestamp_ok": None,
             "signing_time": "2026-03-05T09:00:00+07:00", "error": None}
    facts.update(overrides)
    return facts


def _verdict(*sigs, **doc):
    facts = {"error": None, "field_count": len(sigs), "trailing_bytes": 0, "signatures": list(sigs)}
    facts.update(doc)
    return report_from_facts(facts)


@pytest.mark.parametrize(("first", "expected"), [
    ({}, "valid"),
    ({"modification_level": "form_filling"}, "valid"),
    ({"modification_level": "annotations"}, "needs_review"),
    ({"modification_level": "other"}, "invalid"),
    ({"modification_level": "annotations", "docmdp_ok": False}, "invalid"),
    ({"intact": False}, "invalid"),
    ({"revocation": "revoked", "trusted": False}, "invalid"),
    ({"trusted": False, "revocation": "unknown"}, "indeterminate"),
    ({"revocation": "unknown"}, "indeterminate"),
    ({"timestamp_ok": False}, "indeterminate"),
    ({"coverage": "partial"}, "invalid"),
    ({"error": "PdfReadError: no /ByteRange"}, "invalid"),
])
def test_first_of_two_signatures(first, expected):
    report = _verdict(_sig(**{"coverage": "entire_revision", **first}),
                      _sig(field="sig_seal", signer="UBND thành phố Vĩnh Yên"))
    assert report.verdict == expected, report.reasons
    assert (report.reasons == []) == (expected == "valid")


def test_last_signature_must_cover_the_file():
    report = _verdict(_sig(coverage="entire_revision", modification_level="form_filling"))
    assert report.verdict == "invalid"
    assert "không bao phủ toàn bộ tệp" in report.reasons[0]


def test_only_signature_maintenance_may_follow_the_last_signature():
    assert _verdict(_sig(coverage="entire_revision")).verdict == "valid"


def test_uncounted_filled_field_is_invalid():
    assert _verdict(_sig(), field_count=2).verdict == "invalid"


def test_trailing_bytes_and_parse_errors_are_invalid():
    assert _verdict(_sig(), trailing_bytes=12).verdict == "invalid"
    assert _verdict(error="PdfReadError").verdict == "invalid"
    assert _verdict().verdict == "unsigned"


def test_labels_are_vietnamese():
    assert VERDICT_LABELS == {"valid": "hợp lệ", "invalid": "không hợp lệ",
                              "indeterminate": "chưa xác định", "needs_review": "cần xem xét",
                              "unsigned": "không có chữ ký"}
