"""Bridging the app config to the meeting operations (signing settings)."""

from __future__ import annotations

from eoffice.outgoing.appctx import signing_settings

__all__ = ["signing_settings"]
