"""Upload limits, content-type sniffing, and the signature check page/API."""

from __future__ import annotations

import io

import pytest

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2048


def _stored_blobs(app) -> set[str]:
    return app.extensions["eoffice.files"].all_digests()


@pytest.fixture
def signed_pdf(app, tmp_path) -> bytes:
    """A PDF signed by chutich with the instance PKI (what a received dispatch looks like)."""
    from pathlib import Path

    import signing
    from eoffice.rendering import DraftDocument, render_pdf

    pki = Path(app.instance_path) / "pki"
    pdf = render_pdf(DraftDocument(agency_parent="UBND TỈNH VĨNH PHÚC",
                                   agency_name="UBND THÀNH PHỐ VĨNH YÊN", agency_abbr="UBND",
                                   unit_abbr="VHTT", place="Vĩnh Yên",
                                   type_code="KH", subject="Kế hoạch chuyển đổi số năm 2026",
                                   body=["Nội dung kế hoạch."], recipients=["Các phòng"],
                                   signer_name="Trần Văn Hùng", signer_position="CHỦ TỊCH"))
    signer = signing.load_pkcs12_signer(pki / "users" / "chutich.p12", "eoffice-demo")
    return signing.sign_official(pdf, signer, image_png=(pki / "users" /
                                 "chutich-signature.png").read_bytes(), level="B-B")


def test_exe_renamed_to_pdf_is_refused_with_a_clear_message(app, api):
    before = _stored_blobs(app)
    resp = api.post("/api/v1/verify", "chuyenvien",
                    data={"file": (io.BytesIO(EXE), "cong-van.pdf")},
                    content_type="multipart/form-data")
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "unsupported_type" and "không phải PDF" in error["message"]
    assert _stored_blobs(app) == before


def test_upload_over_the_limit_gets_413_and_stores_nothing(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    before = _stored_blobs(app)
    big = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
    resp = api.post("/api/v1/verify", "vanthu", data={"file": (io.BytesIO(big), "lon.pdf")},
                    content_type="multipart/form-data")
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "file_too_large"
    assert "1 MB" in resp.get_json()["error"]["message"]
    assert _stored_blobs(app) == before


def test_web_upload_over_the_limit_gets_a_page(app, client, auth):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    auth.login("vanthu")
    token = auth.csrf("/verify")
    resp = client.post("/verify", data={"csrf_token": token,
                                        "file": (io.BytesIO(b"%PDF" + b"0" * 2_000_000), "a.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    assert "Tệp quá lớn" in resp.get_data(as_text=True)


def test_verify_api_reports_a_valid_signed_pdf(api, signed_pdf):
    resp = api.post("/api/v1/verify", "chuyenvien",
                    data={"file": (io.BytesIO(signed_pdf), "ke-hoach.pdf")},
                    content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["verdict"] == "valid", body["reasons"]
    assert body["signatures"][0]["signer"] and body["signatures"][0]["intact"] is True


def test_verify_api_reports_tampering(api, signed_pdf):
    tampered = bytearray(signed_pdf)
    index = len(tampered) // 3  # inside the signed byte range
    tampered[index] ^= 0x01
    resp = api.post("/api/v1/verify", "chuyenvien",
                    data={"file": (io.BytesIO(bytes(tampered)), "x.pdf")},
                    content_type="multipart/form-data")
    assert resp.status_code == 200
    assert resp.get_json()["verdict"] != "valid"


def test_verify_page_shows_the_verdict_in_vietnamese(client, auth, signed_pdf):
    auth.login("chuyenvien")
    token = auth.csrf("/verify")
    resp = client.post("/verify", data={"csrf_token": token,
                                        "file": (io.BytesIO(signed_pdf), "ke-hoach.pdf")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-verdict="valid"' in page and "hợp lệ" in page
