"""A second agency (UBND huyện Tam Đảo, under the province) with a user of every role, made
with the real administration operations; its departments reuse agency A's codes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

PASSWORD = "eoffice-demo"
B_CODE = "000.00.12.H62"
B_USERS = {  # username: (department, role)
    "b_vanthu": ("VP", "clerk"),
    "b_chutich": ("VP", "leader"),
    "b_truongphong": ("VHTT", "head"),
    "b_chuyenvien": ("VHTT", "specialist"),
    "b_thuky": ("VP", "secretary"),
    "b_admin": ("VP", "admin"),
}


@dataclass
class AgencyB:
    code: str
    id: int
    users: dict[str, tuple[str, str]]


def make_agency(app, code: str = B_CODE, name: str = "UBND huyện Tam Đảo",
                users: dict[str, tuple[str, str]] | None = None) -> AgencyB:
    """Create an agency under the province with departments VP and VHTT and one user per
    entry (clearance tuyet_mat, the demo password)."""
    from eoffice.admin import operations as admin
    from eoffice.auth.models import User
    from eoffice.auth.operations import create_user
    from eoffice.db import db

    users = B_USERS if users is None else users
    with app.app_context(), db.transaction() as session:
        sysadmin = session.scalar(sa.select(User).where(User.username == "sysadmin"))
        agency = admin.create_agency(session, sysadmin, admin.AgencyInput(
            code=code, name=name, abbreviation="UBND", parent="000.00.00.H62"))
        admin_user, _ = admin.name_admin(session, sysadmin, agency,
                                         username=f"adm{code[-3:].lower()}{agency.id}",
                                         full_name="Quản trị")
        vhtt = admin.create_department(session, admin_user, code="VHTT",
                                       name="Phòng Văn hóa và Thông tin")
        depts = {"VP": admin.department_of(session, agency.id, "VP"), "VHTT": vhtt}
        for username, (dept, role) in users.items():
            create_user(session, username=username, full_name=f"Cán bộ {username}",
                        password=PASSWORD, department=depts[dept], roles={role},
                        clearance="tuyet_mat", position_title="Chủ tịch" if role == "leader"
                        else "", actor=sysadmin)
        agency_id = agency.id
    db.session.remove()
    return AgencyB(code=code, id=agency_id, users=dict(users))


@pytest.fixture
def agency_b(app) -> AgencyB:
    return make_agency(app)
