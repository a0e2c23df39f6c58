"""The English catalogue is complete: every text marked in the code and templates is a msgid
of ``eoffice/translations/en`` (extraction up to date, as ``make i18n`` does it), and every
msgid has an English msgstr that is not fuzzy and keeps the msgid's placeholders."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "eoffice/translations/en/LC_MESSAGES/messages.po"
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)


def _keywords() -> dict[str, tuple[int, ...] | None]:
    """The extraction keywords of the Makefile's ``I18N_KEYWORDS`` (one place for both)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in text.splitlines() if x.startswith("I18N_KEYWORDS"))
    words = shlex.split(line.split(":=", 1)[1])
    keywords: dict[str, tuple[int, ...] | None] = {
        "_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for flag, spec in zip(words[::2], words[1::2], strict=True):
        assert flag == "-k", words
        name, _, index = spec.partition(":")
        keywords[name] = (int(index),) if index else None
    return keywords


def _extracted() -> set[str]:
    method_map = [("eoffice/**.py", "python"), ("workflow/**.py", "python"),
                  ("templates/web/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=_keywords()):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as source:
        return read_po(source)


def test_extraction_is_up_to_date(catalogue):
    """A text added or changed in the code without ``make i18n`` fails here."""
    extracted = _extracted()
    in_catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    assert len(extracted) > 500  # the extraction really ran over code and templates
    missing = sorted(extracted - in_catalogue)
    stale = sorted(in_catalogue - extracted)
    assert not missing, f"texts missing from the catalogue (run `make i18n`): {missing[:20]}"
    assert not stale, f"catalogue entries no longer in the code (run `make i18n`): {stale[:20]}"


def test_every_text_has_an_english_translation(catalogue):
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"{len(untranslated)} untranslated or fuzzy: {untranslated[:20]}"
    # examples of what a user types (“KT. CHỦ TỊCH”) may stay Vietnamese, in quotes
    vietnamese = [(m.id, m.string) for m in catalogue
                  if m.id and VIETNAMESE.search(re.sub(r"“[^”]*”|«[^»]*»", "", str(m.string)))]
    assert not vietnamese, f"English texts still in Vietnamese: {vietnamese[:10]}"


def test_translations_keep_the_placeholders(catalogue):
    broken = [(m.id, errors) for m, errors in catalogue.check()]
    assert not broken, broken[:10]
    for m in catalogue:
        if m.id and m.string:
            assert (set(re.findall(r"%\(\w+\)s", str(m.id)))
                    == set(re.findall(r"%\(\w+\)s", str(m.string)))), (m.id, m.string)


def test_a_fresh_clone_compiles_the_catalogue_at_start(tmp_path, monkeypatch):
    """No .mo is committed: the app compiles a missing one, and a stale one again."""
    import os
    import shutil

    from babel.support import Translations

    from eoffice import i18n

    source = tmp_path / "translations"
    shutil.copytree(PO.parents[2], source, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "TRANSLATIONS", source)
    mo = source / "en/LC_MESSAGES/messages.mo"
    assert not mo.exists()
    assert i18n.compiled_translations(tmp_path / "instance") == source
    assert Translations.load(str(source), ["en"]).gettext("Đăng xuất") == "Log out"
    po = source / "en/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Log out"', '"Sign out"'),
                  encoding="utf-8")
    os.utime(mo, (1, 1))  # older than the edited .po
    i18n.compiled_translations(tmp_path / "instance")
    assert Translations.load(str(source), ["en"]).gettext("Đăng xuất") == "Sign out"
