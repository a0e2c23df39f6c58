"""Registration with the signature validation left to a worker (issue 13, "make
registration cheap"): the answer carries the arrival number and the verdict ``pending``
("đang kiểm tra chữ ký"), never ``valid``; the worker's task writes the verdict. A hostile
file is still refused before anything is stored. The broker is a real Redis (a private
queue nobody consumes here: the worker "crashed" between the registration and the check).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eoffice import background
from eoffice.signature_checks import TASK, SignatureCheck

REDIS_URL = os.environ.get("EOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
EOFFICE = str(Path(sys.executable).parent / "eoffice")


@pytest.fixture
def app_config() -> Any:
    """A deployment with a broker: signatures are checked in the background."""
    import redis

    queue = f"eoffice-test-{uuid.uuid4().hex[:12]}"
    yield {"BROKER_URL": REDIS_URL, "BROKER_QUEUE": queue}
    redis.Redis.from_url(REDIS_URL).delete(queue)


@pytest.fixture
def repair(app, instance):
    """`eoffice repair` in its own process (as after a crash: a fresh app on the instance)."""
    env = {**os.environ, "EOFFICE_DATABASE_URL": app.config["DATABASE_URL"],
           "EOFFICE_STORAGE_URL": app.config["STORAGE_URL"] or "",
           "EOFFICE_BROKER_URL": REDIS_URL, "EOFFICE_BROKER_QUEUE": app.config["BROKER_QUEUE"]}
    return lambda *args: subprocess.run([EOFFICE, "--instance", str(instance), "repair", *args],
                                        env=env, capture_output=True, text=True, timeout=300)


def _queued(app) -> list[int]:
    from eoffice.db import db

    with app.app_context():
        ids = list(db.session.scalars(sa.select(SignatureCheck.document_id)))
        db.session.rollback()
        return ids


def _worker_runs(app) -> None:
    """What `eoffice worker` runs for the task (or its periodic sweep)."""
    background.run(app, TASK)


def test_registration_answers_pending_and_the_worker_writes_the_verdict(
        app, api, auth, register, signed_pdf, repair):
    resp = register(signed_pdf, code_number="12", code_notation="KH-SVHTTDL")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["arrival_number"] == 1
    assert body["validation"]["verdict"] == "pending"
    assert body["validation"]["label"] == "đang kiểm tra chữ ký"
    doc_id = body["id"]
    # until the worker has run, the document and its page say so (never "valid")
    doc = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert doc["validation"]["verdict"] == "pending" and doc["signatures"] == []
    auth.login("vanthu")
    page = auth.client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert 'data-verdict="pending"' in page and "đang được kiểm tra" in page
    assert 'data-verdict="valid"' not in page
    assert _queued(app) == [doc_id]
    # a crash between the registration and the check leaves a consistent instance
    result = repair()
    assert result.returncode == 0, result.stdout + result.stderr

    _worker_runs(app)
    doc = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert doc["validation"]["verdict"] == "valid"
    assert doc["signatures"][0]["signer"] == "Trần Văn Hùng"
    assert _queued(app) == []
    page = auth.client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert 'data-verdict="valid"' in page and "Trần Văn Hùng" in page
    result = repair()
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unsigned_file_has_its_verdict_at_once_and_nothing_is_queued(app, api, register):
    """No filled signature field: nothing to validate, the answer says "unsigned" (data
    after %%EOF makes it "invalid") and the worker gets no check to do."""
    from hostile_files import plain_pdf

    resp = register(plain_pdf())
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["validation"]["verdict"] == "unsigned"
    doc = api.get(f"/api/v1/documents/{resp.get_json()['id']}", "chutich").get_json()
    assert doc["validation"]["verdict"] == "unsigned"
    resp = register(plain_pdf() + b"\n<< /Injected true >>\n")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["validation"]["verdict"] == "invalid"
    assert "%%EOF" in " ".join(resp.get_json()["validation"]["reasons"])
    assert _queued(app) == []


def test_the_worker_trusts_the_anchor_the_agency_installed(app, api, register, signed_pdf):
    """The worker's verdict counts the agency's own trust anchors, as a check made in the
    request does: here the deployment trusts no root, only the agency's anchor makes the
    file valid."""
    from eoffice.admin import credentials
    from eoffice.auth.models import User
    from eoffice.db import db

    app.config["TRUST_ROOTS"] = []
    app.extensions.pop("eoffice.trust", None)  # the deployment's anchors, loaded once
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        credentials.add_trust_anchor(db.session, admin,
                                     (Path(app.instance_path) / "pki" / "root.pem").read_bytes())
        db.session.commit()
        db.session.remove()
    resp = register(signed_pdf, code_number="13", code_notation="KH-SVHTTDL")
    assert resp.status_code == 201, resp.get_json()
    doc_id = resp.get_json()["id"]
    _worker_runs(app)
    doc = api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()
    assert doc["validation"]["verdict"] == "valid", doc["validation"]


def test_a_tampered_file_goes_from_pending_to_invalid(app, api, register, tampered_pdf):
    resp = register(tampered_pdf)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["validation"]["verdict"] == "pending"
    _worker_runs(app)
    doc = api.get(f"/api/v1/documents/{resp.get_json()['id']}", "vanthu").get_json()
    assert doc["validation"]["verdict"] == "invalid"
    assert doc["validation"]["reasons"]


def test_a_hostile_file_is_still_refused_before_anything_is_stored(app, register,
                                                                   deflate_bomb):
    from eoffice.db import db
    from eoffice.documents.models import Document, StoredFile

    resp = register(deflate_bomb)
    assert resp.status_code == 422, resp.get_json()
    assert "cấu trúc bất thường" in resp.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
        db.session.rollback()
    assert _queued(app) == []


def test_a_lost_check_is_named_by_repair_and_queued_again_by_fix(app, api, register,
                                                                 signed_pdf, repair):
    from eoffice.db import db

    doc_id = register(signed_pdf).get_json()["id"]
    with app.app_context(), db.transaction() as session:  # e.g. a restore lost the row
        session.execute(sa.delete(SignatureCheck))
    result = repair()
    assert result.returncode == 1
    assert f"document:{doc_id}" in result.stdout and "hàng đợi" in result.stdout
    assert repair("--fix").returncode == 0
    assert _queued(app) == [doc_id]
    _worker_runs(app)
    assert api.get(f"/api/v1/documents/{doc_id}", "vanthu").get_json()[
        "validation"]["verdict"] == "valid"
    assert repair().returncode == 0


def test_the_form_reuses_its_own_check_step_verdict(app, auth, signed_pdf):
    """Kiểm tra chữ ký và điền thông tin, then Vào sổ: the verdict the clerk saw is the
    one registered (no second validation, nothing pending); bound to that clerk."""
    import io
    import re

    from eoffice.db import db
    from eoffice.documents.models import Document

    auth.login("vanthu")
    page = auth.post("/incoming/new", data={
        "action": "analyse", "file": (io.BytesIO(signed_pdf), "vb.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-verdict="valid"' in page
    sha = re.search(r'name="file_sha" value="([0-9a-f]{64})"', page).group(1)
    resp = auth.post("/incoming/new", data={
        "file_sha": sha, "issuer_name": "Sở Văn hóa", "subject": "Về lễ hội",
        "type_code": "CV", "urgency": "thuong", "secrecy": "none"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert _queued(app) == []
    with app.app_context():
        doc = db.session.scalars(sa.select(Document)).one()
        assert doc.extra["validation"]["verdict"] == "valid"
        db.session.rollback()
