"""Guess an incoming document's register fields from its first page (Decree 30 header).

Decree 30/2020 fixes the header: the issuing agency (top left), ``Số: 82/KH-UBND``, the
place and date ``…, ngày 28 tháng 3 năm 2022``, then either the type name in capitals with
the trích yếu below it, or (Công văn) a ``V/v …`` line under the number. The text comes from
``pdftotext`` run inside the signing sandbox (:func:`signing.structure.first_pages_text`,
part of the untrusted-file pipeline); :func:`guess_fields`
is plain string work on that bounded text. Every value is a guess for the clerk to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from eoffice.rendering.types import DOCUMENT_TYPES
from signing.structure import MAX_TEXT

_NUMBER_RE = re.compile(r"\bSố\s*[:：.]?\s*(\d{1,6})\s*/\s*([0-9A-Za-zĐđ][0-9A-Za-zĐđ./\-]*)")
_DATE_RE = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_VV_RE = re.compile(r"^\s*(?:V/v|V/V|Về việc)\s*[:.]?\s*(.+)$")
_STOP_RE = re.compile(
    r"^(Kính gửi|Căn cứ|Thực hiện|Theo|Xét|Nhằm|Để|Nơi nhận|Điều \d|Chương [IVXLC]|Phần [IVXLC]"
    r"|[IVXLC]+\.|\d+\.)", re.IGNORECASE)
_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ĐỘC LẬP - TỰ DO - HẠNH PHÚC")
_TYPE_BY_TITLE = {name.upper(): code for code, name in DOCUMENT_TYPES.items() if code != "CV"}


def _lines(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text[:MAX_TEXT])
    return [" ".join(line.split()) for line in text.splitlines()]


def _continued(lines: list[str], start: int, first: str, *, limit: int = 4) -> str:
    """``first`` plus the following lines of the same paragraph (until a blank line, a line
    that opens the body or a ``Kính gửi``), at most ``limit`` lines."""
    parts = [first]
    for line in lines[start + 1:start + limit]:
        if not line or _STOP_RE.match(line) or line.isupper():
            break
        parts.append(line)
    return " ".join(parts).strip(" .;")


def guess_fields(text: str) -> dict[str, Any]:
    """Form values guessed from the header text: ``code_number``, ``code_notation``,
    ``issued_date`` (dd/mm/yyyy), ``type_code``, ``subject``, ``issuer_name``; only what
    was found."""
    lines = _lines(text)
    joined = "\n".join(lines)
    found: dict[str, Any] = {}
    number_at = None
    if m := _NUMBER_RE.search(joined):
        found["code_number"] = str(int(m.group(1)))
        found["code_notation"] = m.group(2).rstrip(".-/")
        number_at = joined[:m.start()].count("\n")
    if m := _DATE_RE.search(joined):
        try:
            found["issued_date"] = date(int(m.group(3)), int(m.group(2)),
                                        int(m.group(1))).strftime("%d/%m/%Y")
        except ValueError:
            pass
    if number_at is not None:
        agency = [line for line in lines[:number_at]
                  if line and line.upper() not in _MOTTO and not line.startswith("---")]
        if agency:
            found["issuer_name"] = agency[-1]
    for i, line in enumerate(lines):
        if line.upper() == line and line.upper() in _TYPE_BY_TITLE:
            found["type_code"] = _TYPE_BY_TITLE[line.upper()]
            if i + 1 < len(lines) and lines[i + 1]:
                found["subject"] = _continued(lines, i + 1, lines[i + 1])
            break
        if m := _VV_RE.match(line):
            found["type_code"] = "CV"
            found["subject"] = _continued(lines, i, m.group(1))
            break
    if "type_code" not in found and "code_notation" in found:
        prefix = found["code_notation"].split("/")[-1].split("-")[0]
        found["type_code"] = prefix if prefix in DOCUMENT_TYPES else "CV"
    return found
