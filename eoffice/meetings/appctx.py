"""Bridging the app config to the meeting operations (signing settings)."""

from __future__ import annotations

from flask import current_app

from eoffice.outgoing.credentials import SigningSettings, settings_from_config


def signing_settings() -> SigningSettings:
    return settings_from_config(current_app.config)
