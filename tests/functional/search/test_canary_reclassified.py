"""Canary: 20 documents registered as ordinary WITH files, indexed, then reclassified (the
deployment stores no classified files) — afterwards none of their words is anywhere in the
instance folder outside the database (file store, text cache, index), in any register export,
and an admin without clearance sees no audit entry about them."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import CSRF_RE

CANARIES = [f"reclasscanary{i:02d}" for i in range(20)]
DB_FILES = re.compile(r"eoffice\.sqlite3(-wal|-shm|-journal)?$")


def _register(api, pdf: bytes, subject: str) -> int:
    resp = api.post("/api/v1/incoming", "vanthu", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(pdf), "van-ban.pdf"), "subject": subject,
                          "issuer_name": "Bộ Công an", "type_code": "CV", "secrecy": "none"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _instance_bytes(instance: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(instance.rglob("*"))
                      if p.is_file() and not DB_FILES.search(p.name))


def _stored_digests(app) -> set[str]:
    from eoffice.extensions import file_store

    with app.app_context():
        return file_store().all_digests()


def _leaks(data: bytes | str) -> list[str]:
    text = data if isinstance(data, str) else None
    found = []
    for word in CANARIES:
        for form in {word, unicodedata.normalize("NFD", word)}:
            if (form in text) if text is not None else (form.encode() in data):
                found.append(word)
    return found


def _export_text(client, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    if resp.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)
    book = load_workbook(io.BytesIO(resp.data))
    return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)


@pytest.mark.slow
def test_twenty_reclassified_documents_leave_no_trace(app, api, client, auth, pdf_with_text,
                                                      instance, index_bytes):
    from eoffice.auth.models import User
    from eoffice.db import db

    assert not app.config["CLASSIFIED_FILES"]
    pdfs = [pdf_with_text(f"Nội dung {word} về phương án bảo vệ") for word in CANARIES]
    ids = [_register(api, pdf, f"Công văn {word} về an ninh")
           for word, pdf in zip(CANARIES, pdfs, strict=True)]
    digests = {hashlib.sha256(pdf).hexdigest() for pdf in pdfs}
    assert digests <= _stored_digests(app)
    _register(api, pdf_with_text("Kế hoạch phòng cháy chữa cháy"), "Kế hoạch PCCC")
    # before: the words are searchable, cached and stored (the checks below can fail)
    assert set(_leaks(index_bytes(app))) == set(CANARIES)
    assert set(_leaks(_instance_bytes(instance))) == set(CANARIES)

    # an API reclassification asks for confirmation first, and changes nothing until then
    resp = api.post(f"/api/v1/documents/{ids[0]}/reclassify", "vanthu", json={"secrecy": "mat"})
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "confirm_file_removal" and "ngoại tuyến" in error["message"]
    assert api.get(f"/api/v1/documents/{ids[0]}", "vanthu").get_json()["secrecy"] == "none"
    for document_id in ids[:18]:
        resp = api.post(f"/api/v1/documents/{document_id}/reclassify", "vanthu",
                        json={"secrecy": "mat", "confirm_remove_files": True})
        assert resp.status_code == 200, resp.get_json()
    # the web: a confirmation page that tells the clerk to keep the original offline
    auth.login("vanthu")
    for document_id in ids[18:]:
        token = CSRF_RE.search(client.get(f"/incoming/{document_id}").get_data(as_text=True))
        form = {"secrecy": "mat", "next": f"/incoming/{document_id}",
                "csrf_token": token.group(1)}
        page = client.post(f"/documents/{document_id}/reclassify", data=form)
        assert page.status_code == 409 and "ngoại tuyến" in page.get_data(as_text=True)
        done = client.post(f"/documents/{document_id}/reclassify",
                           data={**form, "confirm_remove_files": "1"})
        assert done.status_code == 302

    assert _leaks(_instance_bytes(instance)) == []  # store, text cache, index
    assert _leaks(index_bytes(app)) == []  # also when the index lives in PostgreSQL
    assert not digests & _stored_digests(app)  # also when the store is S3
    resp = api.get(f"/api/v1/documents/{ids[5]}/file", "chutich")
    assert resp.status_code == 404  # the file is gone, not served
    for user in ("chutich", "vanthu"):
        body = api.get("/api/v1/search", user, query_string={"q": "reclasscanary*"}).get_json()
        assert body["total"] == 0

    # registers: general and tracking mask the subject for everyone, even the cleared
    for user in ("vanthu", "chutich"):
        auth.post("/logout")
        auth.login(user)
        for kind in ("incoming", "tracking"):
            for fmt in ("pdf", "xlsx"):
                text = _export_text(client, f"/incoming/registers?kind={kind}&format={fmt}")
                assert "Kế hoạch PCCC" in text or "PCCC" in text, (user, kind, fmt)
                assert _leaks(text) == [], (user, kind, fmt)
                assert "Văn bản mật" in text
            page = client.get(f"/incoming/registers?kind={kind}").get_data(as_text=True)
            assert _leaks(page) == []
    # the classified register (PDF, cleared users) lists them with their subjects
    classified = _export_text(client, "/incoming/registers?kind=incoming&register=mat&format=pdf")
    assert len(set(_leaks(classified.replace("\n", "")))) == 20

    # audit: nothing about them for an admin without clearance; the removals are recorded
    entries = api.get("/api/v1/audit", "admin", query_string={"limit": 1000}).get_json()
    about = [e for e in entries["entries"] if e["object_type"] == "document"
             and int(e["object_id"]) in ids]
    assert about == []
    assert [e for e in entries["entries"] if _leaks(str(e))] == []
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "admin")
                           .values(clearance="mat"))
        db.session.commit()
    removed = api.get("/api/v1/audit", "admin",
                      query_string={"document_id": ids[7]}).get_json()["entries"]
    assert [e["details"]["sha256"] for e in removed if e["action"] == "classified_file_removed"]
