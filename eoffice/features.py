"""Feature packages plugged into the app. Each may have ``models.py`` (imported for the
metadata) and a ``register(app)`` function in its ``__init__.py`` (blueprints, nav, panels)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from flask import Flask

ALL_FEATURES = ["eoffice.outgoing", "eoffice.incoming", "eoffice.meetings", "eoffice.search_app",
                "eoffice.exchange", "eoffice.token_agent"]
# EOFFICE_FEATURES=outgoing,incoming limits the features (development of one feature at a time).
_selected = os.environ.get("EOFFICE_FEATURES")
FEATURES = ([f"eoffice.{name.strip()}" for name in _selected.split(",") if name.strip()]
            if _selected is not None else ALL_FEATURES)


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None  # the feature is not installed in this build
        raise


def import_models() -> None:
    for feature in FEATURES:
        _optional(f"{feature}.models")


def register_features(app: Flask) -> None:
    for feature in FEATURES:
        module = _optional(feature)
        if module is not None and hasattr(module, "register"):
            module.register(app)
