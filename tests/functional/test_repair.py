"""`eoffice repair`: database, stored files, index and audit chain agree after a crash —
with the files in the instance folder and in a real S3 server (SeaweedFS)."""

from __future__ import annotations

import os
import time

import pytest

from eoffice import consistency
from eoffice.storage import LocalStore


@pytest.fixture(params=["file", "s3"])
def storage_url(request):
    return request.getfixturevalue("s3_storage_url") if request.param == "s3" else None


def _store(app):
    return app.extensions["eoffice.files"]


def _interrupted_write(store, monkeypatch) -> None:
    """What a crash in the middle of storing a file leaves behind."""
    if isinstance(store, LocalStore):
        stale = store.root / "tmp" / "upload-crashed"
        stale.write_bytes(b"half written")
        old = time.time() - 7200
        os.utime(stale, (old, old))
    else:  # a multipart upload never completed
        store.client.create_multipart_upload(Bucket=store.bucket,
                                             Key=store.prefix + "ab/cd/" + "0" * 64)
        monkeypatch.setattr(consistency, "TMP_GRACE_SECONDS", 0)


def test_a_clean_instance_is_consistent(repair):
    result = repair()
    assert result.exit_code == 0, result.output
    assert "nhất quán" in result.output


def test_crash_leftovers_are_reported_then_removed(app, repair, monkeypatch):
    store = _store(app)
    orphan = store.put(b"%PDF-1.7 a file written just before a crash, never committed")
    _interrupted_write(store, monkeypatch)
    result = repair()
    assert result.exit_code == 1
    assert "Tệp thừa" in result.output and orphan.sha256 in result.output
    assert "Tệp tạm còn sót" in result.output
    result = repair("--fix")
    assert result.exit_code == 0, result.output
    assert not store.exists(orphan.sha256)
    assert store.stale_temporaries(0) == []


def test_a_lost_file_is_reported_and_not_hidden(app, repair, docs):
    doc_id = docs.create("Công văn có tệp", content="nội dung quan trọng")
    from eoffice.db import db
    from eoffice.documents.models import Document

    with app.app_context():
        sha = db.session.get(Document, doc_id).current_file_sha
        db.session.rollback()
    _store(app).delete(sha)
    result = repair("--fix")
    assert result.exit_code == 1
    assert "Tệp mất" in result.output and sha in result.output


def test_a_forms_kept_upload_is_no_leftover_and_expires(app, auth, repair, monkeypatch,
                                                        pdf_with_text):
    """The registration form's check step keeps the file beside the store (S3: the same
    bucket, a prefix of its own), not in it: `eoffice repair` finds nothing to report.
    Past PENDING_HOURS the form no longer finds it, and the next kept file removes it."""
    import io
    import re

    from eoffice import untrusted

    auth.login("vanthu")

    def check(pdf: bytes) -> str:
        page = auth.post("/incoming/new", data={
            "action": "analyse", "file": (io.BytesIO(pdf), "vb.pdf")},
            content_type="multipart/form-data").get_data(as_text=True)
        found = re.search(r'name="file_sha" value="([0-9a-f]{64})"', page)
        assert found, page
        return found.group(1)

    sha = check(pdf_with_text("Công văn giữ lại giữa hai bước"))
    assert sha not in _store(app).all_digests()
    result = repair()
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        assert untrusted.load_pending(sha) is not None
    monkeypatch.setattr(untrusted, "PENDING_HOURS", 0)
    monkeypatch.setattr("eoffice.pending_uploads.SWEEP_SECONDS", 0)
    with app.test_request_context():
        assert untrusted.load_pending(sha) is None  # expired: choose the file again
    check(pdf_with_text("Một công văn khác"))  # sweeps what expired
    monkeypatch.setattr(untrusted, "PENDING_HOURS", 24)
    with app.test_request_context():
        assert untrusted.load_pending(sha) is None  # gone, not only hidden
