"""Signing with the official's own USB token through the local agent (SPEC §7).

Pairing (one-time code on the account page, ``POST /api/v1/token-agent/pair`` from the agent),
and the two halves of a remote signature: the server prepares (``/token-agent/prepare``),
the browser relays to the agent on 127.0.0.1, the server finishes (``/token-agent/finish``).
The PIN is typed into the agent only; it never reaches the server.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from eoffice.extensions import csrf
    from eoffice.token_agent.views import api, bp, token_agent_url

    csrf.exempt(api)
    app.register_blueprint(api)
    app.register_blueprint(bp)
    app.jinja_env.globals["token_agent_url"] = token_agent_url
