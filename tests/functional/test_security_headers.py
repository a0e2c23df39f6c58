"""Security headers on every answer of every route; no version banner from the demo server."""

from __future__ import annotations

import re
import socket
import threading
import urllib.request

import pytest

HTML_PAGE = re.compile(r"<html")


def _sample_path(rule) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "x", rule.rule)


def _assert_hardened(resp, where: str, *, static: bool = False) -> None:
    headers = resp.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, where
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp, where
    assert "unsafe-inline" not in csp, where
    assert headers.get("X-Frame-Options") == "SAMEORIGIN", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    if not static:
        assert headers.get("Cache-Control") == "no-store", where


def test_every_route_answers_with_security_headers(app, client, auth, api):
    auth.login("vanthu")
    seen = 0
    for rule in app.url_map.iter_rules():
        path = _sample_path(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                resp = api.call(method, path, "vanthu")
            elif rule.endpoint == "auth.logout":
                continue  # would end the session the walk relies on; checked below
            else:
                resp = client.open(path, method=method)
            _assert_hardened(resp, f"{method} {rule.rule} → {resp.status_code}",
                             static=rule.endpoint == "static")
            seen += 1
    assert seen > 40
    # anonymous answers, unknown pages and the logout redirect too
    for resp in (client.get("/khong-co"), api.get("/api/v1/khong-co"),
                 auth.post("/logout"), client.get("/dashboard"), client.get("/login")):
        _assert_hardened(resp, resp.request.path)


def test_no_inline_script_or_style_in_pages(app, client, auth):
    auth.login("vanthu")
    for path in ("/login", "/dashboard", "/incoming", "/outgoing", "/meetings", "/verify"):
        body = client.get(path).get_data(as_text=True)
        assert HTML_PAGE.search(body), path
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", body), path


def test_hsts_when_cookies_are_secure(app, client):
    from flask import Flask

    from eoffice import create_app

    secure_app: Flask = create_app({**app.config, "SESSION_COOKIE_SECURE": True},
                                   instance=app.instance_path)
    resp = secure_app.test_client().get("/login")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in resp.headers.get("Set-Cookie", "Secure")
    assert "Strict-Transport-Security" not in client.get("/login").headers  # plain http demo


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_demo_server_has_no_version_banner(app):
    from werkzeug.serving import make_server

    from eoffice.demo_setup import QuietServerHandler

    server = make_server("127.0.0.1", _free_port(), app, request_handler=QuietServerHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/login") as resp:
            banner = resp.headers.get("Server", "")
            assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    finally:
        server.shutdown()
        server.server_close()
    assert "Werkzeug" not in banner and "Python" not in banner
