"""Login, logout, password change, API tokens, throttling."""

from __future__ import annotations

import pytest

DEMO_USERS = ["admin", "vanthu", "chutich", "phochutich", "truongphong", "chuyenvien", "thuky"]


def test_login_page_is_vietnamese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_demo_user_logs_in_and_sees_their_dashboard(client, auth, username):
    resp = auth.login(username)
    assert resp.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Xin chào" in page


def test_dashboard_panels_follow_the_role(client, auth):
    auth.login("vanthu")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Văn bản chờ phát hành" in page and "Văn bản chờ ký" not in page
    auth.post("/logout")
    auth.login("chutich")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Văn bản chờ ký" in page and "Văn bản chờ phát hành" not in page


def test_wrong_password_is_refused_in_vietnamese(client, auth):
    resp = auth.login("vanthu", "wrong")
    assert resp.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in resp.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still logged out


def test_logout_ends_the_session(client, auth):
    auth.login("vanthu")
    assert client.get("/dashboard").status_code == 200
    auth.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_password_change(client, auth):
    auth.login("chuyenvien")
    resp = auth.post("/account/password", data={"current": "eoffice-demo",
                                                "new": "mat-khau-moi-2026",
                                                "repeat": "mat-khau-moi-2026"})
    assert resp.status_code == 302
    auth.post("/logout")
    assert auth.login("chuyenvien").status_code == 401
    assert auth.login("chuyenvien", "mat-khau-moi-2026").status_code == 302


def test_api_token_for_clerk(api):
    resp = api.client.post("/api/v1/auth/token",
                           json={"username": "vanthu", "password": "eoffice-demo"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token"] and body["user"]["username"] == "vanthu"
    assert body["user"]["roles"] == ["clerk"] and body["user"]["full_name"] == "Nguyễn Thị Lan"
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "vanthu"


def test_api_wrong_password_is_401_with_error_shape(api):
    resp = api.client.post("/api/v1/auth/token", json={"username": "vanthu", "password": "x"})
    assert resp.status_code == 401
    error = resp.get_json()["error"]
    assert error["code"] and error["message"]


def test_api_requires_a_valid_token(api):
    assert api.client.get("/api/v1/me").status_code == 401
    resp = api.client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert resp.status_code == 401 and "error" in resp.get_json()


def test_eleven_wrong_passwords_get_429(api):
    codes = [api.client.post("/api/v1/auth/token",
                             json={"username": "vanthu", "password": f"bad{i}"}).status_code
             for i in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    resp = api.client.post("/api/v1/auth/token",
                           json={"username": "vanthu", "password": "eoffice-demo"})
    assert resp.status_code == 429  # locked for the window, even with the right password
    assert "15 phút" in resp.get_json()["error"]["message"]


def test_web_throttling_answers_429(client, auth):
    for _ in range(10):
        auth.login("thuky", "bad")
    resp = auth.login("thuky", "bad")
    assert resp.status_code == 429
    assert "quá nhiều lần" in resp.get_data(as_text=True)


def test_session_cookie_flags(client, auth):
    resp = auth.login("vanthu")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_and_failures_are_audited(app, client, auth):
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    auth.login("vanthu", "bad")
    auth.login("vanthu")
    auth.post("/logout")
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-3:] == ["login_failed", "login", "logout"]
