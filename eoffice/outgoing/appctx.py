"""Bridging the app config to the operations (settings, clock, file store)."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_request_context

from eoffice.admin.credentials import DEFAULT_SEAL_AGENCY
from eoffice.outgoing.credentials import SigningSettings, settings_from_config
from eoffice.outgoing.issuance import Clock, agency_today


def signing_settings() -> SigningSettings:
    """The deployment's settings as the acting user's agency uses them (its seal, its trust
    anchors)."""
    from eoffice.admin.credentials import for_agency
    from eoffice.extensions import acting_user

    settings = settings_from_config(current_app.config)
    user = acting_user() if has_request_context() else None
    if user is None:
        return settings
    return for_agency(settings, user.agency, current_app.instance_path,
                      current_app.config.get("SEAL_AGENCY") or DEFAULT_SEAL_AGENCY)


def clock() -> Clock:
    """``OUTGOING_CLOCK`` (a callable returning a date, for tests and demos) or today in
    ``AGENCY_TIMEZONE``."""
    configured = current_app.config.get("OUTGOING_CLOCK")
    if callable(configured):
        return configured
    if isinstance(configured, str) and configured:
        fixed = date.fromisoformat(configured)
        return lambda: fixed
    zone = current_app.config.get("AGENCY_TIMEZONE") or "Asia/Ho_Chi_Minh"
    return lambda: agency_today(zone)


def classified_files() -> bool:
    return bool(current_app.config.get("CLASSIFIED_FILES"))
