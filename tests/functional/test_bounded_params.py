"""Out-of-range and malformed parameters answer a clear 4xx, never a 500 (the cases found)."""

from __future__ import annotations

import io

import pytest

BIG = "9" * 30


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    return resp.get_json()["error"]


@pytest.mark.parametrize("path", [
    f"/api/v1/documents/{2**63}", f"/api/v1/documents/{2**31}", f"/api/v1/documents/{10**30}/file",
    f"/api/v1/meetings/{BIG}", f"/api/v1/outgoing/{BIG}/submit",
])
def test_huge_ids_on_the_api_are_404(api, path):
    method = "POST" if path.endswith("submit") else "GET"
    assert _error(api.call(method, path, "chutich"), 404)["code"] == "not_found"


@pytest.mark.parametrize("path", [f"/documents/{10**30}/file", f"/incoming/{2**64}",
                                  f"/meetings/{BIG}"])
def test_huge_ids_on_the_web_are_friendly_404(client, auth, path):
    auth.login("chutich")
    resp = client.get(path)
    assert resp.status_code == 404 and "Không tìm thấy" in resp.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    {"year": "3862856", "register": "\x00\xff"}, {"year": "abc"}, {"year": BIG},
    {"format": "docx"}, {"register": "khong-co"},
])
def test_outgoing_register_parameters_are_bounded(api, query):
    error = _error(api.get("/api/v1/outgoing/register", "vanthu", query_string=query), 400)
    assert error["code"] == "bad_parameter" and "Tham số" in error["message"]


def test_incoming_register_year_out_of_range_is_a_friendly_400(client, auth):
    auth.login("vanthu")
    resp = client.get("/incoming/registers?year=99999999999999999999")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "year" in body and "Traceback" not in body


@pytest.mark.parametrize("query", [{"document_id": BIG}, {"document_id": "abc"},
                                   {"limit": BIG}, {"limit": "0"}])
def test_audit_parameters_are_bounded(api, query):
    assert _error(api.get("/api/v1/audit", "admin", query_string=query), 400)


@pytest.mark.parametrize("field", ["code_number", "page_count"])
def test_huge_numbers_in_an_incoming_registration_are_refused(api, pdf_with_text, field):
    data = {"issuer_name": "Sở Tài chính", "subject": "Về việc quyết toán", field: "9" * 25,
            "file": (io.BytesIO(pdf_with_text("Quyết toán")), "vb.pdf", "application/pdf")}
    resp = api.post("/api/v1/incoming", "vanthu", data=data, content_type="multipart/form-data")
    error = _error(resp, 422)
    assert error["code"] == "invalid_number" and "quá lớn" in error["message"]
    listing = api.get("/api/v1/incoming", "vanthu", query_string={"tab": "pending"})
    assert listing.get_json()["items"] == []  # nothing half-written


def test_search_page_number_is_bounded(api):
    resp = api.get("/api/v1/search", "chutich", query_string={"q": "x", "page": BIG})
    assert _error(resp, 400)["code"] == "bad_parameter"
