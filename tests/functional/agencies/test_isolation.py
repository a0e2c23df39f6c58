"""Two agencies in one deployment: for every role of agency B, every API route and web page
on every object of agency A answers exactly as for an object that does not exist, lists
and totals never include A's work, and nothing of A changes (SQLite; PostgreSQL with
EOFFICE_TEST_DATABASE_URL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

MARK = "ZQXJ"  # in every subject and file of agency A: must never reach agency B
MISSING = 987654
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
ACTIONS = {"action": ["submit", "approve", "reject", "sign", "issue", "dispatch", "recall",
                      "start", "note", "complete", "reassign"]}


@pytest.fixture
def agency_a(app, api, docs) -> dict[str, list[int]]:
    """Agency A's work (Vĩnh Yên): incoming documents (one open to ``all``, one classified),
    a directed document with handlers, an outgoing draft under review, a meeting."""
    normal = docs.create(f"Kế hoạch {MARK} phát triển du lịch", content=f"{MARK} nội dung")
    open_to_all = docs.create(f"Thông báo {MARK} chung", keys=("all",),
                              content=f"{MARK} thông báo")
    secret = docs.create(f"Báo cáo {MARK} mật", secrecy="tuyet_mat")
    directed = api.post(f"/api/v1/incoming/{normal}/direction", "chutich", json={
        "instruction": "Giao Phòng VHTT chủ trì.", "lead": "VHTT", "deadline": "2026-12-16"})
    assert directed.status_code == 200, directed.get_json()
    draft = api.post("/api/v1/outgoing", "chuyenvien", json={
        "type_code": "KH", "subject": f"Kế hoạch {MARK} dự thảo", "body": ["Nội dung."],
        "recipients": ["Các phòng"], "signer": "chutich"})
    assert draft.status_code == 201, draft.get_json()
    draft_id = draft.get_json()["id"]
    assert api.post(f"/api/v1/outgoing/{draft_id}/submit", "chuyenvien",
                    json={}).status_code == 200
    meeting = api.post("/api/v1/meetings", "thuky", json={
        "title": f"Giao ban {MARK}", "kind": "giao_ban", "starts_at": "2026-12-15T08:00",
        "location": "Phòng họp", "chair": "chutich", "participants": ["VHTT"]})
    assert meeting.status_code == 201, meeting.get_json()
    from eoffice.db import db
    from eoffice.incoming.models import Assignment

    with app.app_context():
        assignments = list(db.session.scalars(sa.select(Assignment.id)))
        db.session.remove()
    return {"document_id": [normal, open_to_all, secret, draft_id],
            "meeting_id": [meeting.get_json()["id"]], "assignment_id": assignments,
            "material_id": [1]}


def _state_of_a(app) -> tuple:
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db
    from eoffice.documents.models import Document, DocumentEvent
    from eoffice.meetings.models import Meeting

    with app.app_context():
        docs = db.session.execute(sa.select(Document.id, Document.state, Document.secrecy,
                                            Document.updated_at).order_by(Document.id)).all()
        events = db.session.scalar(sa.select(sa.func.count(DocumentEvent.id)))
        meetings = db.session.execute(sa.select(Meeting.id, Meeting.state,
                                                Meeting.updated_at)).all()
        a_audit = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.object_type.in_(["document", "meeting"])))
        db.session.remove()
    return docs, events, meetings, a_audit


def _expand(rule: str, ids: dict[str, list[int]], missing: bool) -> list[str]:
    """Every concrete path for a rule: A's ids (or a missing id), each known action."""
    paths = [rule]
    for name in re.findall(r"<(?:\w+:)?(\w+)>", rule):
        values: list[str]
        if name in ids:
            values = [str(MISSING)] if missing else [str(i) for i in ids[name]]
        elif name in ACTIONS:
            values = ACTIONS[name]
        else:
            values = ["vi"]
        paths = [re.sub(rf"<(?:\w+:)?{name}>", v, p, count=1) for p in paths for v in values]
    return paths


def _routes(app, api_routes: bool) -> list[tuple[str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/") != api_routes:
            continue
        if rule.rule in {"/logout", "/login", "/language/<lang>", "/api/v1/auth/token"}:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule))
    return out


QUERY = {"q": "kế hoạch", "year": "2026", "page": "1"}  # words of A's subjects


def _call_api(api, method: str, path: str, username: str):
    kwargs = {"query_string": QUERY} if method == "GET" else {"json": {}}
    return api.call(method, path, username, **kwargs)


def _call_web(client, method: str, path: str, csrf: str):
    if method == "GET":
        return client.get(path, query_string=QUERY)
    return client.post(path, data={"csrf_token": csrf})


def _problems(who: str, routes: list[tuple[str, str]], ids: dict[str, list[int]],
              call: Callable[[str, str], Any]) -> list[str]:
    """For each route: A's objects answer as a missing one (never 2xx) and no page or
    answer shows A's work."""
    problems: list[str] = []
    for method, rule in routes:
        missing = {call(method, p).status_code for p in _expand(rule, ids, missing=True)}
        for path in _expand(rule, ids, missing=False):
            resp = call(method, path)
            if "<" in rule and resp.status_code not in missing:
                problems.append(f"{who} {method} {path}: {resp.status_code}, "
                                f"missing id gives {missing}")
            if "<" in rule and 200 <= resp.status_code < 300:
                problems.append(f"{who} {method} {path}: {resp.status_code}")
            if MARK.encode() in resp.data:
                problems.append(f"{who} {method} {path}: shows A's work")
    return problems


def test_agency_b_sees_nothing_of_agency_a(app, api, agency_a, agency_b):
    before = _state_of_a(app)
    problems: list[str] = []
    for username in agency_b.users:
        problems += _problems(username, _routes(app, api_routes=True), agency_a,
                              lambda method, path, u=username: _call_api(api, method, path, u))
    assert problems == []
    assert _state_of_a(app) == before


def test_agency_b_web_pages_show_nothing_of_agency_a(app, agency_a, agency_b):
    before = _state_of_a(app)
    problems: list[str] = []
    for username in agency_b.users:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = CSRF_RE.search(page).group(1)
        assert client.post("/login", data={"username": username, "password": "eoffice-demo",
                                           "csrf_token": token}).status_code == 302
        token = CSRF_RE.search(client.get("/dashboard").get_data(as_text=True)).group(1)
        problems += _problems(username, _routes(app, api_routes=False), agency_a,
                              lambda method, path, c=client, t=token: _call_web(c, method,
                                                                                 path, t))
    assert problems == []
    assert _state_of_a(app) == before


def test_totals_and_lists_of_agency_b_are_its_own(app, api, agency_a, agency_b, docs):
    """Search totals, statistics, registers, users and audit of B count nothing of A; A's
    own view still shows A's work (the filter is by agency, not a blanket refusal)."""
    assert api.get("/api/v1/search", "b_chutich", query_string={"q": MARK}).get_json()[
        "total"] == 0
    assert api.get("/api/v1/search", "chutich", query_string={"q": MARK}).get_json()[
        "total"] >= 2
    assert api.get("/api/v1/search/suggest", "b_chutich",
                   query_string={"q": MARK[:3].lower()}).get_json()["suggestions"] == []
    lists = ["/api/v1/outgoing", "/api/v1/meetings"] + [
        f"/api/v1/incoming?tab={tab}" for tab in ("pending", "in_progress", "done", "overdue")]
    for username in agency_b.users:
        for path in lists:
            assert MARK not in str(api.get(path, username).get_json()), (username, path)
    assert MARK in str(api.get("/api/v1/outgoing", "chuyenvien").get_json())
    assert MARK in str([api.get(path, "truongphong").get_json() for path in lists[2:]])

    from datetime import date

    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.incoming import statistics

    with app.app_context():
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        mine = statistics.compute(db.session, people["b_chutich"], 2026, date(2026, 12, 1))
        theirs = statistics.compute(db.session, people["chutich"], 2026, date(2026, 12, 1))
        assert (mine.total.incoming, mine.total.outgoing, mine.work) == (0, 0, {})
        assert theirs.total.outgoing >= 1
        assert {d.abbreviation for d in mine.departments} == {"VP", "VHTT"}
        assert all(d.agency_id == agency_b.id for d in mine.departments)
        db.session.remove()
    entries = api.get("/api/v1/audit", "b_admin", query_string={"limit": 1000}).get_json()[
        "entries"]
    assert entries and {e["actor"] for e in entries} <= set(agency_b.users) | {
        "sysadmin", f"adm{agency_b.code[-3:].lower()}{agency_b.id}", None}
    a_actors = {e["actor"] for e in api.get("/api/v1/audit", "admin", query_string={
        "limit": 1000}).get_json()["entries"]}
    assert "chuyenvien" in a_actors and not a_actors & set(agency_b.users)
