"""Administration through the API and the CLI (SPEC §5): agencies by sysadmin, users and
departments by the agency admin, one-time passwords, deactivation ending sessions and tokens
at once, every permission change audited, CSV import all or nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa
from click.testing import CliRunner

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
NEW_PASSWORD = "mat-khau-rieng-2026"


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _web_login(app, username: str, password: str):
    client = app.test_client()
    csrf = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    resp = client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf})
    return client, resp


def _first_login(app, username: str, otp: str):
    """Log in with the one-time password, which leads to the password form; change it."""
    client, resp = _web_login(app, username, otp)
    assert resp.status_code == 302
    dash = client.get("/dashboard")
    assert dash.status_code == 302 and dash.headers["Location"].endswith("/account/password")
    page = client.get("/account/password").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    done = client.post("/account/password", data={"current": otp, "new": NEW_PASSWORD,
                                                   "repeat": NEW_PASSWORD,
                                                   "csrf_token": csrf})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 200
    return client


def _audit(app, action: str) -> list:
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()
        db.session.remove()
        return rows


def test_sysadmin_creates_an_agency_and_names_its_admin(app, client, api):
    body = {"code": "000.00.14.H62", "name": "UBND huyện Lập Thạch", "abbreviation": "UBND",
            "parent": "000.00.00.H62"}
    assert api.post("/api/v1/agencies", "admin", json=body).status_code == 403
    resp = api.post("/api/v1/agencies", "sysadmin", json=body)
    assert resp.status_code == 201 and resp.get_json()["parent"] == "000.00.00.H62"
    again = api.post("/api/v1/agencies", "sysadmin", json=body)
    assert again.status_code == 409
    bad = api.post("/api/v1/agencies", "sysadmin", json={**body, "code": "H62"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_code"
    tree = api.get("/api/v1/agencies", "sysadmin").get_json()["agencies"]
    assert [(a["code"], a["depth"]) for a in tree][:1] == [("000.00.00.H62", 0)]
    assert ("000.00.14.H62", 1) in [(a["code"], a["depth"]) for a in tree]

    named = api.post("/api/v1/agencies/000.00.14.H62/admins", "sysadmin",
                     json={"username": "quantri.lapthach", "full_name": "Phan Văn Quản"})
    assert named.status_code == 201
    otp = named.get_json()["one_time_password"]
    refused = _token(client, "quantri.lapthach", otp)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "password_change_required"
    _first_login(app, "quantri.lapthach", otp)
    token = _token(client, "quantri.lapthach", NEW_PASSWORD).get_json()["token"]
    users = client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert [u["username"] for u in users.get_json()["users"]] == ["quantri.lapthach"]
    created = _audit(app, "agency.create")
    assert created[-1].actor == "sysadmin" and created[-1].object_id == "000.00.14.H62"


def test_admin_manages_users_and_deactivation_ends_session_and_token_at_once(app, client, api):
    resp = api.post("/api/v1/users", "admin", json={
        "username": "chuyenvien2", "full_name": "Trịnh Thu Thảo", "position": "Chuyên viên",
        "department": "TCKH", "roles": ["specialist"], "clearance": "none"})
    assert resp.status_code == 201, resp.get_json()
    otp = resp.get_json()["one_time_password"]
    web = _first_login(app, "chuyenvien2", otp)
    token = _token(client, "chuyenvien2", NEW_PASSWORD).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200

    changed = api.call("PATCH", "/api/v1/users/chuyenvien2", "admin",
                       json={"roles": ["specialist", "head"], "clearance": "mat",
                             "department": "VHTT"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["roles"] == ["head", "specialist"]
    roles_entry = _audit(app, "permission.roles")[-1]
    assert roles_entry.actor == "admin" and roles_entry.object_id == "chuyenvien2"
    assert roles_entry.details == {"from": ["specialist"], "to": ["head", "specialist"]}
    assert _audit(app, "permission.clearance")[-1].details == {"from": "none", "to": "mat"}

    off = api.call("PATCH", "/api/v1/users/chuyenvien2", "admin", json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer).status_code == 401  # token ended
    page = web.get("/dashboard")
    assert page.status_code == 302 and "/login" in page.headers["Location"]  # session ended
    assert _web_login(app, "chuyenvien2", NEW_PASSWORD)[1].status_code == 401
    entry = _audit(app, "permission.active")[-1]
    assert (entry.actor, entry.object_id, entry.details) == (
        "admin", "chuyenvien2", {"from": True, "to": False})

    assert api.call("PATCH", "/api/v1/users/chuyenvien2", "admin",
                    json={"active": True}).status_code == 200
    reset = api.post("/api/v1/users/chuyenvien2/reset-password", "admin")
    new_otp = reset.get_json()["one_time_password"]
    assert _token(client, "chuyenvien2", new_otp).get_json()["error"]["code"] == \
        "password_change_required"


def test_admin_cannot_reach_users_of_another_agency_nor_lock_themselves_out(api):
    for method in ("GET", "PATCH"):
        resp = api.call(method, "/api/v1/users/vanthutinh", "admin", json={"active": False})
        assert resp.status_code == 404, method
        assert api.call(method, "/api/v1/users/khongco", "admin",
                        json={"active": False}).status_code == 404
    assert api.post("/api/v1/users/vanthutinh/reset-password", "admin").status_code == 404
    own = api.call("PATCH", "/api/v1/users/admin", "admin", json={"active": False})
    assert own.status_code == 409
    granted = api.call("PATCH", "/api/v1/users/vanthu", "admin", json={"roles": ["sysadmin"]})
    assert granted.status_code == 422
    assert api.get("/api/v1/users", "vanthu").status_code == 403


def test_departments_create_rename_deactivate(api):
    assert api.post("/api/v1/departments", "admin",
                    json={"code": "TP", "name": "Phòng Tư pháp"}).status_code == 201
    assert api.post("/api/v1/departments", "admin",
                    json={"code": "TP", "name": "Trùng"}).status_code == 409
    renamed = api.call("PATCH", "/api/v1/departments/TP", "admin",
                       json={"name": "Phòng Tư pháp thành phố"})
    assert renamed.get_json()["name"] == "Phòng Tư pháp thành phố"
    in_use = api.call("PATCH", "/api/v1/departments/VHTT", "admin", json={"active": False})
    assert in_use.status_code == 409
    assert api.call("PATCH", "/api/v1/departments/TP", "admin",
                    json={"active": False}).get_json()["active"] is False
    codes = [d["code"] for d in api.get("/api/v1/departments", "admin").get_json()[
        "departments"]]
    assert "TP" in codes and "VP" in codes
    assert api.call("PATCH", "/api/v1/departments/TP", "admintinh",
                    json={"name": "x"}).status_code == 404  # another agency's department


def _csv_500() -> tuple[bytes, dict[int, str]]:
    lines = ["username,full_name,position,department,roles,clearance"]
    for i in range(500):
        lines.append(f"nguoidung{i:03d},Nguyễn Văn Số {i},Chuyên viên,VHTT,specialist,none")
    bad = {3 + 2: "Không có phòng ban «KHONGCO»",     # line numbers count the header as 1
           120 + 2: "Vai trò không hợp lệ: «giamdoc»",
           499 + 2: "«vanthu» đã có người dùng"}
    lines[3 + 1] = "nguoidung003,Lỗi Phòng,Chuyên viên,KHONGCO,specialist,none"
    lines[120 + 1] = "nguoidung120,Lỗi Vai Trò,Chuyên viên,VHTT,giamdoc,none"
    lines[499 + 1] = "vanthu,Trùng Tên,Văn thư,VP,clerk,none"
    return ("\n".join(lines) + "\n").encode("utf-8"), bad


def _count_users(app) -> int:
    from eoffice.auth.models import User
    from eoffice.db import db

    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count(User.id)))
        db.session.remove()
        return n


def test_csv_import_of_500_users_with_3_bad_rows(app, api):
    data, bad = _csv_500()
    before = _count_users(app)
    preview = api.post("/api/v1/users/import?dry_run=1", "admin", data=data,
                       content_type="text/csv")
    body = preview.get_json()
    assert preview.status_code == 200 and (body["total"], body["valid"]) == (500, 497)
    assert {e["line"] for e in body["errors"]} == set(bad)
    for error in body["errors"]:
        assert bad[error["line"]] in " ".join(error["reasons"])
    assert _count_users(app) == before  # the preview writes nothing

    done = api.post("/api/v1/users/import", "admin", data=data, content_type="text/csv")
    created = done.get_json()["created"]
    assert len(created) == 497 and _count_users(app) == before + 497
    assert all(len(c["one_time_password"]) >= 12 for c in created)


def test_csv_import_is_all_or_nothing(app):
    """A row that became invalid after the preview (someone took the username meanwhile)
    rolls the whole import back: nothing half-written."""
    from eoffice.admin import importing
    from eoffice.auth.models import User
    from eoffice.auth.operations import create_user
    from eoffice.db import db
    from eoffice.errors import Conflict

    data, _ = _csv_500()
    before = _count_users(app)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        checked = importing.preview(db.session, admin, data)
        db.session.commit()
        with app.app_context(), db.transaction() as other:  # another admin, meanwhile
            create_user(other, username="nguoidung400", full_name="Người khác",
                        password="mat-khau-khac-2026", department=admin.department,
                        roles={"clerk"})
        try:
            importing.apply(db.session, admin, checked)
        except Conflict:
            db.session.rollback()
        else:
            raise AssertionError("the import should have been refused")
        db.session.remove()
    assert _count_users(app) == before + 1


def _cli(app, *args: str, **env: str):
    from eoffice.cli import cli

    instance = app.config["INSTANCE_PATH"]
    return CliRunner().invoke(cli, list(args) + ["--instance", instance], env={
        "EOFFICE_DATABASE_URL": app.config["DATABASE_URL"], **env}, catch_exceptions=False)


def test_cli_agency_users_import_update_reset(app, client, tmp_path):
    made = _cli(app, "agency", "create", "--code", "000.00.15.H62", "--name",
                "UBND huyện Sông Lô", "--abbr", "UBND", "--parent", "000.00.00.H62")
    assert made.exit_code == 0, made.output
    dup = _cli(app, "agency", "create", "--code", "000.00.15.H62", "--name", "x",
               "--abbr", "UBND")
    assert dup.exit_code == 1 and dup.output.count("\n") == 1 and "Lỗi:" in dup.output

    created = _cli(app, "users", "create", "admin.songlo", "--agency", "000.00.15.H62",
                   "--full-name", "Quản trị Sông Lô", "--department", "VP", "--role", "admin")
    assert created.exit_code == 0, created.output
    otp = created.output.rsplit(":", 1)[1].strip()
    assert _token(client, "admin.songlo", otp).status_code == 403

    csv_file = tmp_path / "nguoi-dung.csv"
    csv_file.write_text("username,full_name,department,roles,clearance\n"
                        "vanthu.songlo,Lê Thị Vân,VP,clerk,mat\n"
                        "sai.phong,Sai Phòng,KHONG,clerk,none\n", "utf-8")
    imported = _cli(app, "users", "import", str(csv_file), "--agency", "000.00.15.H62")
    assert imported.exit_code == 0, imported.output
    assert "Dòng 3 (sai.phong)" in imported.output and "1/2" in imported.output
    passwords = (tmp_path / "nguoi-dung-mat-khau.csv").read_text("utf-8").splitlines()
    assert passwords[0] == "username,one_time_password" and passwords[1].startswith(
        "vanthu.songlo,")

    updated = _cli(app, "users", "update", "vanthu.songlo", "--role", "clerk", "--role",
                   "secretary", "--clearance", "toi_mat", "--deactivate")
    assert updated.exit_code == 0, updated.output
    entry = _audit(app, "permission.active")[-1]
    assert (entry.actor, entry.object_id) == ("cli", "vanthu.songlo")
    reset = _cli(app, "users", "reset-password", "vanthu.songlo")
    assert reset.exit_code == 0 and "Mật khẩu dùng một lần mới" in reset.output
    missing = _cli(app, "users", "reset-password", "khong.co")
    assert missing.exit_code == 1 and "khong.co" in missing.output
