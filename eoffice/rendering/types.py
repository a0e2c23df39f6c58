"""Document types of Decree 30/2020 (SPEC §2), priority labels and reference codes."""

from __future__ import annotations

import re
import unicodedata

DOCUMENT_TYPES: dict[str, str] = {
    "CV": "Công văn",
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "QC": "Quy chế",
    "QyĐ": "Quy định",
    "TC": "Thông cáo",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "KH": "Kế hoạch",
    "PA": "Phương án",
    "ĐA": "Đề án",
    "DA": "Dự án",
    "BC": "Báo cáo",
    "BB": "Biên bản",
    "TTr": "Tờ trình",
    "HĐ": "Hợp đồng",
    "CĐ": "Công điện",
    "BGN": "Bản ghi nhớ",
    "BTT": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời",
    "GGT": "Giấy giới thiệu",
    "GNP": "Giấy nghỉ phép",
    "PG": "Phiếu gửi",
    "PC": "Phiếu chuyển",
    "PB": "Phiếu báo",
    "SY": "Bản sao y",
    "TrS": "Bản trích sao",
    "SL": "Bản sao lục",
}
"""Type abbreviation (exact case) -> Vietnamese name. ``CV`` (Công văn) has no abbreviation
in the reference code."""

URGENCY_LABELS: dict[str, str] = {
    "thuong": "",
    "khan": "KHẨN",
    "thuong_khan": "THƯỢNG KHẨN",
    "hoa_toc": "HỎA TỐC",
}
SECRECY_LABELS: dict[str, str] = {
    "none": "",
    "mat": "MẬT",
    "toi_mat": "TỐI MẬT",
    "tuyet_mat": "TUYỆT MẬT",
}


def nfc(text: str) -> str:
    """Unicode NFC form (NFD misplaces Vietnamese tone marks when rendered)."""
    return unicodedata.normalize("NFC", text or "")


def type_name(type_code: str) -> str:
    """Vietnamese name of a type code; raises ``ValueError`` for an unknown code."""
    code = nfc(type_code)
    try:
        return DOCUMENT_TYPES[code]
    except KeyError:
        raise ValueError(f"Loại văn bản không hợp lệ: «{type_code}».") from None


def format_number(number: int) -> str:
    """A register number with the leading zero below 10 (``5`` -> ``"05"``)."""
    if number < 1:
        raise ValueError(f"Số văn bản không hợp lệ: {number}.")
    return f"{number:02d}"


def reference_code(number: int, type_code: str, agency_abbr: str, unit_abbr: str = "") -> str:
    """The reference code (số, ký hiệu): ``05/QĐ-UBND``; Công văn: ``12/UBND-VP``.

    Abbreviations keep their exact case (``QyĐ``, ``CTr``, ``TTr``).
    """
    code = nfc(type_code)
    type_name(code)
    agency = nfc(agency_abbr).strip()
    if code == "CV":
        unit = nfc(unit_abbr).strip()
        return (
            f"{format_number(number)}/{agency}-{unit}"
            if unit
            else f"{format_number(number)}/{agency}"
        )
    return f"{format_number(number)}/{code}-{agency}"


_VV_RE = re.compile(r"^\s*(?:v\s*/\s*v|về\s+việc)\s*[:.,-]?\s*", re.IGNORECASE)
_LIST_MARK_RE = re.compile(r"^[-–•+*\s]+|[;,.\s]+$")


def clean_subject(type_code: str, subject: str) -> str:
    """Trích yếu without what the layout adds itself.

    A Công văn's ``V/v`` (or ``Về việc``) is printed by the layout, and other types print
    their name above the trích yếu (registers write ``Kế hoạch <trích yếu>``): a leading
    ``V/v`` or type name typed by the drafter is removed so neither appears twice.
    """
    text = nfc(subject).strip()
    if nfc(type_code) == "CV":
        cleaned = text
        while (shorter := _VV_RE.sub("", cleaned, count=1).strip()) != cleaned:
            cleaned = shorter
        return cleaned or text
    name = DOCUMENT_TYPES.get(nfc(type_code), "")
    if name and text.casefold().startswith(name.casefold() + " "):
        return text[len(name):].strip() or text
    return text


def subject_without_type(type_name: str, subject: str) -> str:
    """``subject`` without a leading ``type_name`` or ``V/v`` (for ``Tên loại và trích yếu``)."""
    text = nfc(subject).strip()
    name = nfc(type_name).strip()
    if name and text.casefold().startswith(name.casefold() + " "):
        text = text[len(name):].strip()
    return text


def clean_list_item(line: str) -> str:
    """A recipient line without list marks or closing punctuation (``- Sở Nội vụ;`` →
    ``Sở Nội vụ``): the layout adds ``- ``, ``;`` and ``.`` itself."""
    return _LIST_MARK_RE.sub("", nfc(line))
