"""Fixtures for the outgoing flow: drafting and walking a document to a given state."""

from __future__ import annotations

from collections.abc import Callable

import pytest

PASSPHRASE = "eoffice-demo"
STEPS = [  # (state reached, route, actor, body)
    ("content_review", "submit", "chuyenvien", None),
    ("format_review", "approve", "truongphong", None),
    ("ready_to_sign", "approve", "vanthu", None),
    ("signed", "sign", "chutich", {"passphrase": PASSPHRASE}),
    ("issued", "issue", "vanthu", {"passphrase": PASSPHRASE}),
    ("dispatched", "dispatch", "vanthu", {"recipients": ["TCKH", "000.00.00.H12"]}),
]


def draft_json(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "type_code": "KH",
        "subject": "Tổ chức Ngày hội Văn hóa các dân tộc năm 2026",
        "body": ["Thực hiện chỉ đạo của UBND tỉnh, UBND thành phố ban hành Kế hoạch sau:",
                 "I. MỤC ĐÍCH, YÊU CẦU", "Tạo không khí vui tươi, đoàn kết."],
        "recipients": ["Thường trực Thành ủy", "Các phòng, ban thuộc UBND thành phố"],
        "signer": "chutich",
        "authority": "TM. ỦY BAN NHÂN DÂN",
    }
    data.update(overrides)
    return data


@pytest.fixture
def new_draft(api) -> Callable[..., int]:
    """Create a draft through the API as ``chuyenvien`` (or ``drafter``); return its id."""

    def make(drafter: str = "chuyenvien", **overrides: object) -> int:
        resp = api.post("/api/v1/outgoing", drafter, json=draft_json(**overrides))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    return make


@pytest.fixture
def walk(api) -> Callable[[int, str], None]:
    """Walk a draft through the SPEC §3 routes until it reaches ``state``."""

    def go(doc_id: int, state: str) -> None:
        if state == "draft":
            return
        for reached, route, actor, body in STEPS:
            resp = api.post(f"/api/v1/outgoing/{doc_id}/{route}", actor, json=body or {})
            assert resp.status_code == 200, (route, resp.get_json())
            assert resp.get_json()["state"] == reached
            if reached == state:
                return
        raise AssertionError(f"unknown state {state}")

    return go


@pytest.fixture
def document_at(new_draft, walk) -> Callable[..., int]:
    def make(state: str, **overrides: object) -> int:
        doc_id = new_draft(**overrides)
        walk(doc_id, state)
        return doc_id

    return make


@pytest.fixture
def nss_db(instance, tmp_path) -> str:
    """An NSS database trusting the instance's development root (for pdfsig)."""
    import subprocess

    directory = tmp_path / "nss"
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"],
                   check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "root", "-t", "CT,C,C",
                    "-i", str(instance / "pki" / "root.pem")], check=True, capture_output=True)
    return f"sql:{directory}"


@pytest.fixture
def state_of(app):
    """The stored state, files and counters of a document, read from the database."""
    from eoffice.db import db
    from eoffice.documents.models import Counter, Document

    def read(doc_id: int) -> dict[str, object]:
        db.session.remove()
        with app.app_context():
            doc = db.session.get(Document, doc_id)
            counters = {c.key: c.value for c in db.session.query(Counter).all()}
            out = {"state": doc.state, "file": doc.current_file_sha,
                   "files": [f.kind for f in doc.files], "number": doc.code_number,
                   "counters": counters}
            db.session.remove()
            return out

    return read


@pytest.fixture
def switch_user(auth):
    """Log out the web client and log in as another user."""

    def switch(username: str) -> None:
        auth.post("/logout")
        resp = auth.login(username)
        assert resp.status_code == 302

    return switch
