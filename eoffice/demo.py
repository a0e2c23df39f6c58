"""The demo deployment: UBND tỉnh Vĩnh Phúc above UBND thành phố Vĩnh Yên (the agency of
every flow's demo), their departments, users of every role, the development PKI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.auth.models import Agency, Clearance, Department, Role, User
from eoffice.auth.operations import create_user

DEMO_PASSWORD = "eoffice-demo"  # noqa: S105 - demo mode only; printed by `eoffice demo`

PROVINCE = {"name": "UBND tỉnh Vĩnh Phúc", "parent_name": "",
            "abbreviation": "UBND", "agency_code": "000.00.00.H62", "place": "Vĩnh Phúc",
            "address": "Số 38 đường Nguyễn Trãi, phường Đống Đa, thành phố Vĩnh Yên"}
AGENCY = {"name": "UBND thành phố Vĩnh Yên", "parent_name": "UBND tỉnh Vĩnh Phúc",
          "abbreviation": "UBND", "agency_code": "000.00.10.H62", "place": "Vĩnh Yên",
          "address": "Số 1 đường Chùa Hà, phường Tích Sơn, thành phố Vĩnh Yên"}
DEPARTMENTS = [("VP", "Văn phòng"), ("VHTT", "Phòng Văn hóa và Thông tin"),
               ("TCKH", "Phòng Tài chính - Kế hoạch"), ("NV", "Phòng Nội vụ")]
PROVINCE_DEPARTMENTS = [("VP", "Văn phòng UBND tỉnh")]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    position: str
    department: str
    roles: frozenset[Role]
    clearance: Clearance = Clearance.NONE
    agency: str = AGENCY["agency_code"]


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
    DemoUser("vanthutinh", "Vũ Thị Hằng", "Văn thư", "VP", frozenset({Role.CLERK}),
             Clearance.MAT, PROVINCE["agency_code"]),
    DemoUser("chutichtinh", "Nguyễn Văn Khước", "Chủ tịch", "VP", frozenset({Role.LEADER}),
             Clearance.TOI_MAT, PROVINCE["agency_code"]),
    DemoUser("admintinh", "Quản trị UBND tỉnh", "Quản trị", "VP", frozenset({Role.ADMIN}),
             Clearance.NONE, PROVINCE["agency_code"]),
    DemoUser("sysadmin", "Quản trị hệ thống", "Quản trị hệ thống", "VP",
             frozenset({Role.SYSADMIN}), Clearance.NONE, PROVINCE["agency_code"]),
]
SIGNERS = {"chutich", "phochutich", "thuky"}  # users who get a signing key in the demo PKI


def _seed_one(session: Session, spec: dict[str, str], departments: list[tuple[str, str]],
              parent: Agency | None) -> dict[str, Department]:
    agency = session.scalar(sa.select(Agency).where(Agency.agency_code == spec["agency_code"]))
    if agency is None:
        agency = Agency(**spec, parent_id=parent.id if parent else None)
        session.add(agency)
        session.flush()
    elif parent is not None and agency.parent_id is None:
        agency.parent_id = parent.id  # an instance created before the province existed
    existing = {d.abbreviation: d for d in agency.departments}
    for abbr, name in departments:
        if abbr not in existing:
            existing[abbr] = Department(agency=agency, abbreviation=abbr, name=name)
            session.add(existing[abbr])
    session.flush()
    return existing


def seed_agency(session: Session) -> Agency:
    """Create the province, the city under it, their departments and users (idempotent).
    Returns the city (the agency of the demo's flows)."""
    province_depts = _seed_one(session, PROVINCE, PROVINCE_DEPARTMENTS, None)
    province = next(iter(province_depts.values())).agency
    city_depts = _seed_one(session, AGENCY, DEPARTMENTS, province)
    by_agency = {PROVINCE["agency_code"]: province_depts, AGENCY["agency_code"]: city_depts}
    for spec in DEMO_USERS:
        if session.scalar(sa.select(User.id).where(User.username == spec.username)) is None:
            create_user(session, username=spec.username, full_name=spec.full_name,
                        password=DEMO_PASSWORD, department=by_agency[spec.agency][spec.department],
                        roles=set(spec.roles), clearance=spec.clearance,
                        position_title=spec.position, actor="demo")
    return next(iter(city_depts.values())).agency


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
