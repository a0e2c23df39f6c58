"""Every upload channel passes one pipeline (SPEC §9): a deflate bomb with nested filters,
a page-tree loop, a reference loop and a DOCX zip bomb get a clear Vietnamese 4xx on each,
and the store folder, the database and the text cache are byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hostile_files import (
    content_bomb,
    docx_zip_bomb,
    page_tree_loop,
    plain_pdf,
    reference_loop,
)

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
MEETING = {"title": "Giao ban quý III", "kind": "giao_ban", "starts_at": "2026-07-15T08:00",
           "ends_at": "2026-07-15T11:00", "location": "Phòng họp tầng 3", "chair": "chutich",
           "participants": ["VHTT"]}
DRAFT = {"type_code": "CV", "subject": "Về việc phòng, chống dịch", "signer": "phochutich"}
INCOMING = {"issuer_name": "Sở Văn hóa, Thể thao và Du lịch", "subject": "Về việc lễ hội"}


@pytest.fixture(scope="module")
def hostile() -> dict[str, tuple[bytes, str]]:
    base = plain_pdf(pages=2)
    return {
        "deflate_bomb_nested_filters": (content_bomb(base, megabytes=512, layers=3), "x.pdf"),
        "page_tree_loop": (page_tree_loop(base), "x.pdf"),
        "reference_loop": (reference_loop(base), "x.pdf"),
        "docx_zip_bomb": (docx_zip_bomb(300), "x.docx"),
    }


def _snapshot(app) -> dict[str, object]:
    """Every file under the store and the text cache, and every row of every table."""
    from eoffice.db import Base, db

    instance = Path(app.instance_path)
    files = {}
    for folder in ("files", "text-cache", "pending-uploads"):
        root = instance / folder
        if root.exists():
            files |= {str(p.relative_to(instance)): hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in sorted(root.rglob("*")) if p.is_file()}
    rows = {}
    with app.app_context():
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            rows[table.name] = sorted(map(repr, db.session.execute(sa.select(table)).all()))
        db.session.rollback()
    return {"files": files, "rows": rows}


@pytest.fixture
def channels(app, api, client) -> dict[str, Callable[[bytes, str], object]]:
    """Each upload entry point, as ``post(data, filename) -> response``."""
    for user in ("vanthu", "chuyenvien", "thuky"):
        api.token(user)  # logged in before the snapshot
    meeting = api.post("/api/v1/meetings", "thuky", json=MEETING).get_json()["id"]
    draft = api.post("/api/v1/outgoing", "chuyenvien", json=DRAFT).get_json()["id"]
    web = {name: app.test_client() for name in ("vanthu", "chuyenvien", "thuky")}
    for name, web_client in web.items():
        page = web_client.get("/login").get_data(as_text=True)
        web_client.post("/login", data={"username": name, "password": "eoffice-demo",
                                        "csrf_token": CSRF_RE.search(page).group(1)})

    def form(user: str, path: str, fields: dict, data: bytes, filename: str):
        page = web[user].get("/dashboard").get_data(as_text=True)
        body = {**fields, "csrf_token": CSRF_RE.search(page).group(1),
                "file": (io.BytesIO(data), filename)}
        return web[user].post(path, data=body, content_type="multipart/form-data")

    def multipart(user: str, path: str, fields: dict, method: str = "POST"):
        def post(data: bytes, filename: str):
            return api.call(method, path, user, content_type="multipart/form-data",
                            data={**fields, "file": (io.BytesIO(data), filename)})
        return post

    return {
        "incoming_api": multipart("vanthu", "/api/v1/incoming", INCOMING),
        "incoming_web": lambda d, f: form("vanthu", "/incoming/new",
                                          {**INCOMING, "action": "register"}, d, f),
        "incoming_web_check": lambda d, f: form("vanthu", "/incoming/new",
                                                {"action": "analyse"}, d, f),
        "outgoing_api": multipart("chuyenvien", "/api/v1/outgoing", DRAFT),
        "outgoing_api_edit": multipart("chuyenvien", f"/api/v1/outgoing/{draft}", DRAFT,
                                       "PUT"),
        "outgoing_web": lambda d, f: form("chuyenvien", "/outgoing/new", DRAFT, d, f),
        "outgoing_web_edit": lambda d, f: form("chuyenvien", f"/outgoing/{draft}/edit",
                                               DRAFT, d, f),
        "meeting_api": multipart("thuky", f"/api/v1/meetings/{meeting}/materials", {}),
        "meeting_web": lambda d, f: form("thuky", f"/meetings/{meeting}/materials", {}, d, f),
        "verify_api": multipart("chuyenvien", "/api/v1/verify", {}),
        "verify_web": lambda d, f: form("chuyenvien", "/verify", {}, d, f),
    }


def test_hostile_files_are_refused_on_every_channel_and_nothing_is_left(app, channels,
                                                                        hostile):
    before = _snapshot(app)
    problems = []
    for channel, post in channels.items():
        for name, (data, filename) in hostile.items():
            resp = post(data, filename)
            text = (resp.get_json()["error"]["message"] if resp.is_json
                    else resp.get_data(as_text=True))
            if not 400 <= resp.status_code < 500:
                problems.append(f"{channel}/{name}: HTTP {resp.status_code}")
            elif "Tệp" not in text and "tệp" not in text:  # a clear Vietnamese message
                problems.append(f"{channel}/{name}: no Vietnamese reason: {text[:200]}")
    assert not problems, problems
    after = _snapshot(app)
    assert after["files"] == before["files"]
    changed = {t: sorted(set(after["rows"][t]) ^ set(before["rows"][t]))  # type: ignore[index]
               for t in before["rows"] if after["rows"][t] != before["rows"][t]}  # type: ignore[index]
    assert not changed, changed


def test_web_incoming_form_checks_fields_first_and_forgets_a_refused_file(app, channels):
    before = _snapshot(app)
    exe = b"MZ\x90\x00" + b"\x00" * 200
    refusals = {
        "exe_renamed_pdf": (channels["incoming_web"](exe, "cong-van.pdf"), "không phải PDF"),
        "html_renamed_pdf": (channels["incoming_web"](b"<html><script>x</script></html>",
                                                      "a.pdf"), "không phải PDF"),
    }
    for name, (resp, reason) in refusals.items():
        page = resp.get_data(as_text=True)
        assert resp.status_code == 422, name
        assert reason in page, name
        assert 'name="file_sha" value=""' in page, name  # the form does not keep it
    assert _snapshot(app) == before


def test_web_incoming_missing_subject_or_classified_file_stores_nothing(app, auth):
    auth.login("vanthu")
    before = _snapshot(app)

    def register(**fields: str):
        data = {**INCOMING, "action": "register", **fields,
                "file": (io.BytesIO(plain_pdf()), "van-ban.pdf")}
        return auth.post("/incoming/new", data=data, content_type="multipart/form-data")

    missing = register(subject="")
    assert missing.status_code == 422 and "Trích yếu" in missing.get_data(as_text=True)
    classified = register(secrecy="mat")
    assert classified.status_code == 422
    assert "không được phép lưu tệp của văn bản mật" in classified.get_data(as_text=True)
    # A missing field keeps the chosen file for the next try, outside the store; a classified
    # file the agency may not store is not kept at all.
    assert re.search(r'name="file_sha" value="[0-9a-f]{64}"', missing.get_data(as_text=True))
    assert 'name="file_sha" value=""' in classified.get_data(as_text=True)
    after = _snapshot(app)
    assert after["rows"] == before["rows"]
    files = after["files"]
    assert isinstance(files, dict) and isinstance(before["files"], dict)
    new_files = set(files) - set(before["files"])
    assert new_files and all(f.startswith("pending-uploads/") for f in new_files), new_files
    assert register().status_code == 302  # the control: a complete form registers
    assert _snapshot(app)["rows"] != before["rows"]
