"""Security headers on every answer and no caching of anything but static files.

The Content-Security-Policy allows no inline script or style: templates link files under
``eoffice/static``. Pages may frame only our own PDFs (``frame-ancestors 'self'``).
HSTS is sent whenever session cookies are marked secure (the deployment is behind HTTPS).

The headers are those Flask-Talisman produced (same names, order and values), built once at
start-up: no view sets its own, so nothing about them depends on the request but the scheme.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    # the official's own token agent (SPEC §7) answers on the loopback address
    "connect-src": "'self' http://127.0.0.1:* http://localhost:*",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-src": "'self'",
    "frame-ancestors": "'self'",
}
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()"}
HSTS_MAX_AGE = 365 * 24 * 3600
HSTS = f"max-age={HSTS_MAX_AGE}; includeSubDomains"
HARDENING = (
    ("Permissions-Policy", ", ".join(f"{k}={v}" for k, v in PERMISSIONS_POLICY.items())),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "; ".join(f"{k} {v}" for k, v in CONTENT_SECURITY_POLICY.items())),
)
"""Headers on every answer, in the order they are set."""
REFERRER_POLICY = "same-origin"


def init_security_headers(app: Flask) -> None:
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["SESSION_COOKIE_HTTPONLY"] = True

    # Registered last of the app's after_request functions: Flask runs them in reverse
    # order, so this one runs first (before the transaction boundary's commit).
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        for name, value in HARDENING:
            headers[name] = value
        if secure and (request.is_secure
                       or request.headers.get("X-Forwarded-Proto", "http") == "https"):
            headers["Strict-Transport-Security"] = HSTS
        headers["Referrer-Policy"] = REFERRER_POLICY
        if request.endpoint != "static":
            # Files and pages carry documents: never kept by browsers or proxies.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if secure and "Strict-Transport-Security" not in headers:
            # Behind a TLS proxy that does not forward the scheme, the request looks plain.
            headers["Strict-Transport-Security"] = HSTS
        return response
