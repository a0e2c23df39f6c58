"""Parsing of registration and direction input (multipart form, JSON): one place for both
the web pages and the API, with Vietnamese messages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eoffice.auth.models import Clearance
from eoffice.documents.models import Urgency
from eoffice.errors import Invalid
from eoffice.i18n import N_
from eoffice.i18n import gettext as _
from eoffice.params import INT32_MAX
from eoffice.rendering.types import DOCUMENT_TYPES

FIELD_LABELS = {
    "issuer_name": N_("Cơ quan ban hành"), "subject": N_("Trích yếu"), "type_code": N_("Loại văn "
        "bản"),
    "code_number": N_("Số"), "code_notation": N_("Ký hiệu"), "issued_date": N_("Ngày văn bản"),
    "urgency": N_("Độ khẩn"), "secrecy": N_("Độ mật"), "due_date": N_("Hạn xử lý"),
    "deadline": N_("Hạn giải quyết"), "page_count": N_("Số trang"), "signer_name": N_("Người ký"),
    "signer_position": N_("Chức vụ người ký"),
}
_DMY_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def parse_date(value: Any, name: str) -> date | None:
    text = nfc(value)
    if not text:
        return None
    try:
        if m := _DMY_RE.match(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("%(field)s: ngày không hợp lệ (dạng ngày/tháng/năm, ví dụ 28/03/2022).",
                      code="invalid_date", values={"field": FIELD_LABELS.get(name, name)}) from None


MAX_PAGES = 100_000

def parse_int(value: Any, name: str, high: int = INT32_MAX) -> int | None:
    """A non-negative whole number up to ``high`` (what the database column holds)."""
    text = nfc(value)
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise Invalid("%(field)s: phải là số nguyên.",
                      code="invalid_number",
                          values={"field": FIELD_LABELS.get(name, name)}) from None
    if number < 0:
        raise Invalid("%(field)s: không được âm.", code="invalid_number",
                      values={"field": FIELD_LABELS.get(name, name)})
    if number > high:
        raise Invalid("%(field)s: quá lớn (tối đa %(high)s).",
                      code="invalid_number",
                      values={"field": FIELD_LABELS.get(name, name), "high": high})
    return number


REQUIRED_FIELDS = ("issuer_name", "subject")


def form_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Every problem of the registration form at once, by field (the page names them next
    to the fields and in a summary; the browser's check in incoming-form.js says the same),
    in the request's language."""
    errors: dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        if not nfc(data.get(name)):
            errors[name] = _("Chưa nhập %(field)s.", field=_(FIELD_LABELS[name]))
    if len(nfc(data.get("subject"))) > 500:
        errors["subject"] = _("Trích yếu dài quá 500 ký tự.")
    checks: list[tuple[str, Any]] = [
        ("code_number", lambda v: parse_int(v, "code_number")),
        ("issued_date", lambda v: parse_date(v, "issued_date")),
        ("page_count", lambda v: parse_int(v, "page_count", MAX_PAGES)),
        ("due_date", lambda v: parse_date(v, "due_date"))]
    for name, check in checks:
        try:
            check(data.get(name))
        except Invalid as exc:
            errors[name] = exc.translated()
    order = ["issuer_name", "code_number", "issued_date", "subject", "page_count", "due_date"]
    return dict(sorted(errors.items(), key=lambda item: order.index(item[0])))  # form order


@dataclass
class IncomingInput:
    """Metadata typed by the clerk (SPEC §2 names)."""

    issuer_name: str
    subject: str
    type_code: str = "CV"
    code_number: int | None = None
    code_notation: str | None = None
    issued_date: date | None = None
    urgency: Urgency = Urgency.THUONG
    secrecy: Clearance = Clearance.NONE
    due_date: date | None = None
    signer_name: str = ""
    signer_position: str = ""
    page_count: int | None = None
    issuer_id: str | None = None
    description: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> IncomingInput:
        missing = [FIELD_LABELS[n] for n in ("issuer_name", "subject") if not nfc(data.get(n))]
        if missing:
            raise Invalid("Thiếu trường bắt buộc: %(fields)s", code="missing_field",
                          values={"fields": ", ".join(missing)})
        subject = nfc(data.get("subject"))
        if len(subject) > 500:
            raise Invalid("Trích yếu dài quá 500 ký tự.", code="too_long")
        type_code = nfc(data.get("type_code")) or "CV"
        if type_code not in DOCUMENT_TYPES:
            raise Invalid("Loại văn bản không hợp lệ: «%(type_code)s».", code="invalid_type",
                          values={"type_code": type_code})
        try:
            urgency = Urgency(nfc(data.get("urgency")) or "thuong")
            secrecy = Clearance(nfc(data.get("secrecy")) or "none")
        except ValueError:
            raise Invalid("Độ khẩn hoặc độ mật không hợp lệ.", code="invalid_priority") from None
        issuer_id = nfc(data.get("issuer_id")) or None
        if issuer_id and len(issuer_id) != 13:
            raise Invalid("Mã định danh cơ quan phải có 13 ký tự (ví dụ 000.00.00.H12).",
                          code="invalid_issuer_id")
        return cls(
            issuer_name=nfc(data.get("issuer_name"))[:255], subject=subject,
            type_code=type_code, code_number=parse_int(data.get("code_number"), "code_number"),
            code_notation=nfc(data.get("code_notation"))[:64] or None,
            issued_date=parse_date(data.get("issued_date"), "issued_date"),
            urgency=urgency, secrecy=secrecy,
            due_date=parse_date(data.get("due_date"), "due_date"),
            signer_name=nfc(data.get("signer_name"))[:255],
            signer_position=nfc(data.get("signer_position"))[:255],
            page_count=parse_int(data.get("page_count"), "page_count", MAX_PAGES),
            issuer_id=issuer_id, description=nfc(data.get("description")),
        )


@dataclass
class HandlerSpec:
    """A handler named in a direction: username or department code, optional own deadline."""

    handler: str
    deadline: date | None = None

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """On the wire: the username or department code alone, or ``{handler, deadline}``."""
        from eoffice.api.schemas import schema_of, type_schema

        return {"anyOf": [type_schema(str), schema_of(cls)]}


def parse_handler(value: Any, default_deadline: date | None) -> HandlerSpec:
    if isinstance(value, Mapping):
        name = nfc(value.get("handler") or value.get("code") or value.get("username")
                   or value.get("department"))
        deadline = parse_date(value.get("deadline"), "deadline") or default_deadline
    else:
        name, deadline = nfc(value), default_deadline
    if not name:
        raise Invalid("Thiếu đơn vị hoặc người xử lý.", code="missing_field")
    return HandlerSpec(name, deadline)


@dataclass
class DirectionInput:
    """A leader's direction (bút phê): who leads, who coordinates, by when."""

    lead: HandlerSpec
    instruction: str = ""
    coordinators: list[HandlerSpec] = field(default_factory=list)
    deadline: date | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], coordinators: list[Any] | None = None
              ) -> DirectionInput:
        deadline = parse_date(data.get("deadline"), "deadline")
        if not data.get("lead"):
            raise Invalid("Cần chọn một đơn vị hoặc người chủ trì xử lý.", code="missing_field")
        lead = parse_handler(data["lead"], deadline)
        raw = coordinators if coordinators is not None else data.get("coordinators") or []
        if isinstance(raw, str | Mapping):
            raw = [raw]
        coords = [parse_handler(c, deadline) for c in raw if c]
        return cls(lead=lead, instruction=nfc(data.get("instruction")), coordinators=coords,
                   deadline=deadline)
