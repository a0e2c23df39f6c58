"""Starter contents for new drafts, read from ``templates/documents/starters.json``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from eoffice.rendering.types import nfc, type_name

STARTERS = Path(__file__).resolve().parents[2] / "templates" / "documents" / "starters.json"


@cache
def _load() -> dict[str, dict[str, Any]]:
    if not STARTERS.is_file():
        return {}
    return {nfc(k): v for k, v in json.loads(STARTERS.read_text("utf-8")).items()}


def starter(type_code: str) -> dict[str, Any]:
    """``{"type_name", "subject", "body", "recipients"}`` to pre-fill a new draft form."""
    code = nfc(type_code)
    base = _load().get(code, {"subject": "", "body": [], "recipients": []})
    return {
        "type_name": type_name(code),
        **{k: nfc(v) if isinstance(v, str) else [nfc(x) for x in v] for k, v in base.items()},
    }
