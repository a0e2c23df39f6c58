"""User-facing text: Vietnamese first, English from a Flask-Babel message catalogue.

The msgids are the Vietnamese texts as written in the code and templates (Vietnamese is the
source language, so Vietnamese needs no catalogue); ``eoffice/translations/en`` holds the
English. ``make i18n`` extracts (``babel.cfg``), updates and compiles the catalogue; the app
compiles a missing or stale ``.mo`` itself at start, so a fresh clone needs no manual step.

``N_`` marks a text for extraction where it is defined (module-level labels, domain error
messages) without translating it; it is translated where it is shown (``_(label)``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, session

LANGUAGES = ("vi", "en")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction; it is translated when shown."""
    return message


def current_language() -> str:
    """The language of this request: the session's choice, the user's setting, the agency's
    default (``LANGUAGE``); Vietnamese outside a request (CLI, background work)."""
    if not has_request_context():
        return "vi"
    from flask_login import current_user

    lang = session.get("lang") or getattr(current_user, "language", None)
    return lang if lang in LANGUAGES else current_app.config.get("LANGUAGE", "vi")


def gettext(message: str, **values: Any) -> str:
    """``message`` in the request's language, ``%(name)s`` placeholders filled from ``values``
    (as ``_()`` in templates). Outside a request: the Vietnamese, filled."""
    if not message:
        return message
    if not has_request_context():
        return message % values if values else message
    from flask_babel import gettext as babel_gettext

    return babel_gettext(message, **values)


_ = gettext


def compiled_translations(instance_path: str | Path) -> Path:
    """The folder of compiled catalogues: each ``.po`` compiled to its ``.mo`` when the ``.mo``
    is missing or older (next to it, or under the instance folder when the package is not
    writable). Concurrent starts write through a temporary file and an atomic rename."""
    target = TRANSLATIONS
    sources = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
    if not all(_fresh(po, po.with_suffix(".mo")) for po in sources):
        if not os.access(TRANSLATIONS, os.W_OK):
            target = Path(instance_path) / "translations"
        for po in sources:
            mo = target / po.relative_to(TRANSLATIONS).with_suffix(".mo")
            if not _fresh(po, mo):
                _compile(po, mo)
    return target


def _fresh(po: Path, mo: Path) -> bool:
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def _compile(po: Path, mo: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    mo.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)  # fuzzy entries left out: they show the Vietnamese
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def init_i18n(app: Flask) -> None:
    """Flask-Babel with the request's language; ``_``/``gettext`` in templates."""
    from flask_babel import Babel

    folder = compiled_translations(app.instance_path)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    Babel(app, locale_selector=current_language)
    app.jinja_env.finalize = shown_text


def shown_text(value: Any) -> Any:
    """Every ``{{ value }}`` of a template: a plain string that is a msgid of the catalogue (a
    label looked up from a stored code: states, roles, secrecy...) is shown translated; any
    other value as it is (``_()`` results are ``Markup`` and are not looked up again)."""
    if type(value) is str and value and has_request_context():
        from flask_babel import gettext as babel_gettext

        return babel_gettext(value)
    return value
