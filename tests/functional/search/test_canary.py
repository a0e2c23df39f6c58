"""Canary: 50 classified documents with unique words, registered WITH files through the
incoming API (a deployment that allows classified files) — nothing about them comes out of
search, suggestions or counts, and their words are nowhere in the index files on disk."""

from __future__ import annotations

import io
import unicodedata

import pytest

CANARIES = [f"hoaxcanary{i:02d}" for i in range(50)]


def _register(api, pdf: bytes, subject: str, secrecy: str) -> int:
    resp = api.post("/api/v1/incoming", "vanthu", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(pdf), "van-ban.pdf"), "subject": subject,
                          "issuer_name": "Bộ Công an", "type_code": "CV", "secrecy": secrecy})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]



@pytest.mark.slow
def test_fifty_classified_documents_never_reach_the_index(app, api, pdf_with_text, index_bytes):
    app.config["CLASSIFIED_FILES"] = True
    public = _register(api, pdf_with_text("Kế hoạch phòng cháy chữa cháy năm 2026"),
                       "Kế hoạch phòng cháy chữa cháy", "none")
    for word in CANARIES:  # the clerk vanthu is cleared for "mật"
        _register(api, pdf_with_text(f"Nội dung mật {word} tuyệt đối không công bố"),
                  f"Công văn mật {word} về an ninh trật tự", "mat")
    for user in ("chutich", "vanthu"):  # even users cleared to read them find nothing
        for query in ["hoaxcanary*", "an ninh trat tu", "\"tuyệt đối không công bố\"",
                      *CANARIES[::7]]:
            body = api.get("/api/v1/search", user, query_string={"q": query}).get_json()
            assert body["total"] == 0 and body["results"] == [], (user, query)
        assert api.get("/api/v1/search/suggest", user,
                       query_string={"q": "Công văn mật"}).get_json()["suggestions"] == []
    body = api.get("/api/v1/search", "chutich", query_string={"q": "phong chay"}).get_json()
    assert [r["id"] for r in body["results"]] == [public]
    data = index_bytes(app)
    assert b"phong" in data  # the index is there and holds the public document's words
    for word in CANARIES + ["tuyệt đối", "an ninh"]:
        for form in {word, unicodedata.normalize("NFD", word)}:
            assert form.encode() not in data, form
