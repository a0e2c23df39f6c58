"""Sessions end on the server: logout, password change, deactivation, idle timeout; API tokens
expire and can be revoked; login throttling per address across usernames."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import DEMO_PASSWORD

NEW_PASSWORD = "mat-khau-moi-2026"


def _copy_cookies(app, source):
    """A second browser holding a copy of ``source``'s cookies (as a thief would)."""
    other = app.test_client()
    for cookie in source._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def test_cookie_copied_before_logout_is_redirected_to_login(app, client, auth):
    auth.login("vanthu")
    thief = _copy_cookies(app, client)
    assert thief.get("/dashboard").status_code == 200
    auth.post("/logout")
    resp = thief.get("/dashboard")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/dashboard").status_code == 302


def test_password_change_ends_old_cookie_and_tokens(app, client, auth, api):
    auth.login("chuyenvien")
    thief = _copy_cookies(app, client)
    token = api.token("chuyenvien")
    assert api.get("/api/v1/me", "chuyenvien").status_code == 200
    resp = auth.post("/account/password", data={"current": DEMO_PASSWORD, "new": NEW_PASSWORD,
                                                "repeat": NEW_PASSWORD})
    assert resp.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this browser goes on
    assert thief.get("/dashboard").status_code == 302  # the old cookie does not
    resp = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_deactivation_ends_every_session_and_token(app, client, auth, api):
    from eoffice.auth.models import User
    from eoffice.auth.sessions import end_all_sessions
    from eoffice.db import db

    auth.login("truongphong")
    api.token("truongphong")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "truongphong"))
        assert end_all_sessions(db.session, user, reason="deactivated", actor="admin") == 2
        db.session.commit()
    assert client.get("/dashboard").status_code == 302
    assert api.get("/api/v1/me", "truongphong").status_code == 401


def test_idle_session_ends(app, client, auth):
    auth.login("thuky")
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60  # the default idle timeout is 30 minutes
    assert client.get("/dashboard").status_code == 302
    app.config["SESSION_IDLE_MINUTES"] = 60  # configurable: 31 minutes are now within it
    assert client.get("/dashboard").status_code == 200


def test_api_token_expires_and_can_be_revoked(app, api):
    from eoffice.auth.models import ApiToken
    from eoffice.db import db, utcnow

    resp = api.client.post("/api/v1/auth/token",
                           json={"username": "vanthu", "password": DEMO_PASSWORD})
    assert resp.get_json()["expires_in"] == 12 * 3600
    assert api.get("/api/v1/me", "vanthu").status_code == 200
    assert api.call("DELETE", "/api/v1/auth/token", "vanthu").status_code == 204
    assert api.get("/api/v1/me", "vanthu").status_code == 401
    api.tokens.clear()
    assert api.get("/api/v1/me", "vanthu").status_code == 200  # a new token works
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert api.get("/api/v1/me", "vanthu").status_code == 401


def test_password_spraying_from_one_address_is_throttled(api):
    codes = []
    for i in range(20):
        for attempt in range(3):
            resp = api.client.post("/api/v1/auth/token",
                                   json={"username": f"user{i}", "password": f"sai{attempt}"})
            codes.append(resp.status_code)
    assert 429 in codes
    first = codes.index(429)
    assert first < 59 and set(codes[:first]) == {401} and set(codes[first:]) == {429}
    resp = api.client.post("/api/v1/auth/token",
                           json={"username": "vanthu", "password": DEMO_PASSWORD})
    assert resp.status_code == 429  # the address waits, whatever the username
    message = resp.get_json()["error"]["message"]
    assert "Vui lòng thử lại sau 15 phút" in message
    assert resp.headers["Retry-After"] == "900"
    other = api.client.post("/api/v1/auth/token", json={"username": "vanthu",
                                                        "password": DEMO_PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200  # another address is not locked out


def test_one_user_is_throttled_across_addresses(api):
    for i in range(10):
        resp = api.client.post("/api/v1/auth/token", json={"username": "thuky", "password": "x"},
                               environ_base={"REMOTE_ADDR": f"10.0.1.{i}"})
        assert resp.status_code == 401
    resp = api.client.post("/api/v1/auth/token", json={"username": "thuky", "password": "x"},
                           environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert resp.status_code == 429


def test_web_throttle_message_in_english(client, auth):
    client.post("/language/en", data={"next": "/login", "csrf_token": auth.csrf("/login")})
    for _ in range(11):
        resp = auth.login("thuky", "bad")
    assert resp.status_code == 429
    assert "Please try again in 15 minutes" in resp.get_data(as_text=True)
