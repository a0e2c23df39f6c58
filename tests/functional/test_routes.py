"""Every route declares its access rule; every POST web route needs a CSRF token."""

from __future__ import annotations

import re

from eoffice.permissions import rule_of


def _sample_path(rule) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "x", rule.rule)


def test_every_route_declares_access(app):
    undeclared = [r.rule for r in app.url_map.iter_rules()
                  if r.endpoint != "static" and rule_of(app.view_functions[r.endpoint]) is None]
    assert undeclared == []


def test_every_post_web_route_rejects_missing_csrf(app, client, auth):
    auth.login("admin")
    post_rules = [r for r in app.url_map.iter_rules()
                  if "POST" in (r.methods or ()) and not r.rule.startswith("/api/")]
    assert post_rules, "expected web POST routes"
    for rule in post_rules:
        resp = client.post(_sample_path(rule), data={})
        assert resp.status_code == 400, rule.rule
        assert "Phiên làm việc đã hết hạn" in resp.get_data(as_text=True), rule.rule
    assert client.get("/dashboard").status_code == 200  # the refusals did not log us out


def test_unknown_page_is_friendly_404(client, auth):
    auth.login("vanthu")
    resp = client.get("/khong-co-trang-nay")
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert "Không tìm thấy" in body and "Traceback" not in body


def test_api_404_has_error_shape(api):
    resp = api.get("/api/v1/khong-co", "vanthu")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_admin_pages_need_the_admin_role(client, auth, api):
    auth.login("vanthu")
    assert client.get("/admin/users").status_code == 403
    assert api.get("/api/v1/audit", "vanthu").status_code == 403
    resp = api.get("/api/v1/audit", "admin")
    assert resp.status_code == 200
    assert any(e["action"] == "login" for e in resp.get_json()["entries"])


def test_openapi_lists_the_api(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in doc["paths"]


def test_language_switch_to_english(client, auth):
    auth.login("vanthu")
    auth.post("/language/en", data={"next": "/dashboard"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Log out" in page and "Hello" in page


def test_unexpected_errors_show_no_stack_trace(app, client):
    from eoffice.permissions import public

    @public
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom-test", "boom_test", boom)
    resp = client.get("/boom-test")
    assert resp.status_code == 500
    body = resp.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
