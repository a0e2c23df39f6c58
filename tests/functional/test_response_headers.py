"""The exact header set of API answers, pages and files (names, order and values): a change
to how headers are produced must not change what a browser, proxy or API client receives."""

from __future__ import annotations

import re

import pytest

CSP = ("default-src 'self'; connect-src 'self' http://127.0.0.1:* http://localhost:*; "
       "script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'self'")
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
HARDENING = [("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
             ("X-Frame-Options", "SAMEORIGIN"), ("X-Content-Type-Options", "nosniff"),
             ("Content-Security-Policy", CSP)]
REFERRER = ("Referrer-Policy", "same-origin")
NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
VARY = ("Vary", "Cookie")
DISPOSITION = ("Content-Disposition", "inline; filename=\"van-ban-9 Bao cao thang.pdf\"; "
               "filename*=UTF-9''van-ban-9%9B%C9%A9o%9c%C9%A9o%9th%C9%A9ng.pdf")
FILE_START = [DISPOSITION, ("Content-Type", "application/pdf"), ("Content-Length", "n"),
              ("Cache-Control", "no-store"), ("Date", "d"), ("Accept-Ranges", "bytes")]


def _json(*tail):
    return [("Content-Type", "application/json"), ("Content-Length", "n"), *tail]


def _page(*tail):
    return [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "n"), *tail]


def _cookie(secure: bool = False):
    return ("Set-Cookie", f"session=…;{' Secure;' if secure else ''} HttpOnly; Path=/; "
            "SameSite=Lax")


def _normal(name: str, value: str) -> str:
    """The header's value without what changes between runs (lengths, times, ids, keys)."""
    if name in ("Content-Length", "Date", "Last-Modified", "ETag"):
        return {"Content-Length": "n", "Date": "d"}.get(name, "x")
    if name == "Set-Cookie":
        return re.sub(r"^([^=]+)=[^;]*", r"\1=…", value)
    if name == "Content-Disposition":
        return re.sub(r"\d+", "9", value)
    return value


def _headers(resp) -> list[tuple[str, str]]:
    return [(name, _normal(name, value)) for name, value in resp.headers.items()]


PLAIN_API = _json(*HARDENING, REFERRER, *NO_STORE, VARY)
PLAIN_FILE = [*FILE_START, *HARDENING, REFERRER, NO_STORE[1], VARY]


@pytest.fixture
def document(docs) -> int:
    return docs.create("Báo cáo tháng", content="Báo cáo tháng mười một")


def test_plain_http_headers(app, client, auth, api, document):
    cases = {
        "api json": (api.get(f"/api/v1/documents/{document}", "chutich"), PLAIN_API),
        "api file": (api.get(f"/api/v1/documents/{document}/file", "chutich"), PLAIN_FILE),
        "api 401": (api.get(f"/api/v1/documents/{document}"), PLAIN_API),
        "api 404": (api.get("/api/v1/documents/999999", "chutich"), PLAIN_API),
        "login page": (client.get("/login"),
                       _page(*HARDENING, REFERRER, *NO_STORE, VARY, _cookie())),
    }
    auth.login("chutich")
    cases["page"] = (client.get("/dashboard"),
                     _page(*HARDENING, REFERRER, *NO_STORE, VARY, _cookie()))
    cases["web file"] = (client.get(f"/documents/{document}/file"), PLAIN_FILE)
    cases["static"] = (client.get("/static/eoffice.css"), [
        ("Content-Disposition", "inline; filename=eoffice.css"),
        ("Content-Type", "text/css; charset=utf-8"), ("Content-Length", "n"),
        ("Last-Modified", "x"), ("Cache-Control", "no-cache"), ("ETag", "x"), ("Date", "d"),
        ("Accept-Ranges", "bytes"), *HARDENING, REFERRER, VARY])
    for label, (resp, expected) in cases.items():
        assert _headers(resp) == expected, label


@pytest.mark.parametrize("proto", ["http", "https"])
def test_headers_when_cookies_are_secure(app, api, document, proto):
    """HSTS on every answer; Talisman's place for it when the proxy says https, after the
    cache headers when it does not."""
    from eoffice import create_app

    token = api.token("chutich")
    secure = create_app({**app.config, "SESSION_COOKIE_SECURE": True},
                        instance=app.instance_path).test_client()
    forwarded = {"X-Forwarded-Proto": proto}
    bearer = {**forwarded, "Authorization": f"Bearer {token}"}

    def security(*before_vary):
        if proto == "https":
            return [*HARDENING, HSTS, REFERRER, *before_vary, VARY]
        return [*HARDENING, REFERRER, *before_vary, HSTS, VARY]

    login = secure.get("/login", headers=forwarded)
    assert _headers(login) == _page(*security(*NO_STORE), _cookie(secure=True))
    as_json = secure.get(f"/api/v1/documents/{document}", headers=bearer)
    assert _headers(as_json) == _json(*security(*NO_STORE))
    as_file = secure.get(f"/api/v1/documents/{document}/file", headers=bearer)
    assert _headers(as_file) == [*FILE_START, *security(NO_STORE[1])]
