"""Security headers on every answer (Flask-Talisman) and no caching of anything but static files.

The Content-Security-Policy allows no inline script or style: templates link files under
``eoffice/static``. Pages may frame only our own PDFs (``frame-ancestors 'self'``).
HSTS is sent whenever session cookies are marked secure (the deployment is behind HTTPS).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

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
HSTS_MAX_AGE = 365 * 24 * 3600
talisman = Talisman()


def init_security_headers(app: Flask) -> None:
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))

    # Registered before Talisman: Flask runs after_request functions in reverse order, so
    # this one sees the headers Talisman has set.
    @app.after_request
    def _no_store(response: Response) -> Response:
        if request.endpoint != "static":
            # Files and pages carry documents: never kept by browsers or proxies.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if secure and "Strict-Transport-Security" not in response.headers:
            # Behind a TLS proxy that does not forward the scheme, Talisman cannot tell.
            response.headers["Strict-Transport-Security"] = (
                f"max-age={HSTS_MAX_AGE}; includeSubDomains")
        return response

    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the reverse proxy; it redirects
        strict_transport_security=secure,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        frame_options="SAMEORIGIN",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        x_content_type_options=True,
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
