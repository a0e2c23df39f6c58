"""The demo agency: UBND thành phố Vĩnh Yên, its departments, users of every role, its PKI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.auth.models import Agency, Clearance, Department, Role, User
from eoffice.auth.operations import create_user

DEMO_PASSWORD = "eoffice-demo"  # noqa: S105 - demo mode only; printed by `eoffice demo`

AGENCY = {"name": "UBND thành phố Vĩnh Yên", "parent_name": "UBND tỉnh Vĩnh Phúc",
          "abbreviation": "UBND", "agency_code": "000.00.10.H62", "place": "Vĩnh Yên"}
DEPARTMENTS = [("VP", "Văn phòng"), ("VHTT", "Phòng Văn hóa và Thông tin"),
               ("TCKH", "Phòng Tài chính - Kế hoạch"), ("NV", "Phòng Nội vụ")]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    position: str
    department: str
    roles: frozenset[Role]
    clearance: Clearance = Clearance.NONE


DEMO_USERS = [
    DemoUser("admin", "Quản trị hệ thống", "Quản trị hệ thống", "VP", frozenset({Role.ADMIN})),
    DemoUser("vanthu", "Nguyễn Thị Lan", "Văn thư", "VP", frozenset({Role.CLERK}), Clearance.MAT),
    DemoUser("chutich", "Trần Văn Hùng", "Chủ tịch", "VP", frozenset({Role.LEADER}),
             Clearance.TOI_MAT),
    DemoUser("phochutich", "Lê Minh Tuấn", "Phó Chủ tịch", "VP", frozenset({Role.LEADER})),
    DemoUser("truongphong", "Phạm Thu Hà", "Trưởng phòng Văn hóa và Thông tin", "VHTT",
             frozenset({Role.HEAD})),
    DemoUser("chuyenvien", "Hoàng Văn Nam", "Chuyên viên", "VHTT",
             frozenset({Role.SPECIALIST})),
    DemoUser("thuky", "Đỗ Thị Mai", "Chuyên viên Văn phòng", "VP", frozenset({Role.SECRETARY})),
]
SIGNERS = {"chutich", "phochutich", "thuky"}  # users who get a signing key in the demo PKI


def seed_agency(session: Session) -> Agency:
    """Create the demo agency, departments and users (idempotent)."""
    agency = session.scalar(sa.select(Agency).where(Agency.agency_code == AGENCY["agency_code"]))
    if agency is None:
        agency = Agency(**AGENCY)
        session.add(agency)
        session.flush()
    departments = {d.abbreviation: d for d in agency.departments}
    for abbr, name in DEPARTMENTS:
        if abbr not in departments:
            departments[abbr] = Department(agency=agency, abbreviation=abbr, name=name)
            session.add(departments[abbr])
    session.flush()
    for spec in DEMO_USERS:
        if session.scalar(sa.select(User.id).where(User.username == spec.username)) is None:
            create_user(session, username=spec.username, full_name=spec.full_name,
                        password=DEMO_PASSWORD, department=departments[spec.department],
                        roles=set(spec.roles), clearance=spec.clearance,
                        position_title=spec.position, actor="demo")
    return agency


def seed_pki(session: Session, pki_dir: Path) -> None:
    """Generate the development PKI and attach each signer's PKCS#12 file and signature image."""
    import signing

    signing.init_dev_pki(pki_dir, agency_name=AGENCY["name"],
                         agency_abbr=AGENCY["abbreviation"], passphrase=DEMO_PASSWORD)
    for spec in DEMO_USERS:
        if spec.username not in SIGNERS:
            continue
        user = session.scalar(sa.select(User).where(User.username == spec.username))
        if user is None:
            continue
        signing.issue_user(pki_dir, spec.username, spec.full_name, passphrase=DEMO_PASSWORD)
        user.p12_path = str(pki_dir / "users" / f"{spec.username}.p12")
        user.signature_image_path = str(pki_dir / "users" / f"{spec.username}-signature.png")
