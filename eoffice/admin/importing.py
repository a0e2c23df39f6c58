"""Importing users from a CSV file: a preview naming every bad row and why, then the good
rows created in one transaction (all or nothing), each with a one-time password.

Columns (header row, UTF-8, comma or semicolon): ``username, full_name, department, roles``
and optionally ``position, clearance``. ``roles`` holds role codes separated by spaces,
``;`` or ``|`` (``clerk``, ``leader``, ``head``, ``specialist``, ``secretary``, ``admin``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.admin import operations as ops
from eoffice.auth.models import Actor, Department, User
from eoffice.errors import AppError, Invalid

REQUIRED = ("username", "full_name", "department", "roles")
OPTIONAL = ("position", "clearance")
MAX_ROWS = 5000


@dataclass
class Row:
    line: int
    values: dict[str, str]
    account: ops.AccountInput | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row]

    @property
    def good(self) -> list[Row]:
        return [r for r in self.rows if not r.errors]

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    def to_json(self) -> dict[str, Any]:
        return {"total": len(self.rows), "valid": len(self.good),
                "errors": [{"line": r.line, "username": r.values.get("username", ""),
                            "reasons": r.errors} for r in self.bad]}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("Tệp CSV phải được lưu với mã UTF-8.", code="bad_encoding") from None


def read_rows(data: bytes) -> list[Row]:
    try:
        return _read_rows(_decode(data))
    except csv.Error as exc:
        raise Invalid("Tệp CSV hỏng: %(exc)s.", code="bad_csv", values={"exc": exc}) from None


def _read_rows(text: str) -> list[Row]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise Invalid("Tệp CSV thiếu cột: %(columns)s (dòng đầu phải là tên cột).",
                      code="missing_column", values={"columns": ", ".join(missing)})
    reader.fieldnames = headers
    rows: list[Row] = []
    for number, record in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise Invalid("Tệp CSV có quá %(MAX_ROWS)s dòng; hãy chia nhỏ.", code="too_many_rows",
                          values={"MAX_ROWS": MAX_ROWS})
        values = {k: (v or "").strip() for k, v in record.items()
                  if k in REQUIRED + OPTIONAL and isinstance(v, str)}
        if not any(values.values()):
            continue  # blank line
        rows.append(Row(line=number, values=values))
    if not rows:
        raise Invalid("Tệp CSV không có dòng dữ liệu nào.", code="empty_file")
    return rows


def preview(session: Session, actor: Actor, data: bytes) -> Preview:
    """Check every row against the agency (departments, existing usernames, duplicates)."""
    ops.require_admin(actor)
    rows = read_rows(data)
    departments = {d.abbreviation: d for d in session.scalars(
        sa.select(Department).where(Department.agency_id == actor.agency_id))}
    names = [r.values.get("username", "").lower() for r in rows]
    taken = set(session.scalars(sa.select(User.username).where(User.username.in_(names))))
    seen: dict[str, int] = {}
    for row in rows:
        try:
            row.account = ops.AccountInput.parse(row.values)
        except AppError as exc:
            row.errors.append(exc.message)
            continue
        name = row.account.username
        dept = departments.get(row.account.department)
        if dept is None:
            row.errors.append(f"Không có phòng ban «{row.account.department}» trong cơ quan.")
        elif not dept.active:
            row.errors.append(f"Phòng ban «{row.account.department}» đã ngừng hoạt động.")
        if name in taken:
            row.errors.append(f"Tên đăng nhập «{name}» đã có người dùng.")
        if name in seen:
            row.errors.append(f"Tên đăng nhập «{name}» trùng với dòng {seen[name]}.")
        else:
            seen[name] = row.line
    return Preview(rows)


def apply(session: Session, actor: Actor, checked: Preview,
          progress: Callable[[int], None] | None = None) -> list[tuple[str, str]]:
    """Create the valid rows (the caller commits once: all or nothing); returns
    (username, one-time password) pairs."""
    created: list[tuple[str, str]] = []
    for row in checked.good:
        assert row.account is not None
        user, password = ops.create_account(session, actor, row.account)
        created.append((user.username, password))
        if progress is not None:
            progress(len(created))
    return created


def passwords_csv(created: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "one_time_password"])
    writer.writerows(created)
    return out.getvalue()
