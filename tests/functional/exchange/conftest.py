"""A deployment with two agencies: the demo's UBND thành phố Vĩnh Yên and the province."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.functional.exchange.deployment import (
    CITY,
    CODE,
    HUB,
    REPO,
    Deployment,
    drop_database,
    init_pki,
    new_database,
    write_config,
)
from tests.functional.outgoing.conftest import PASSPHRASE, draft_json

PROVINCE = "000.00.00.H62"
PROVINCE_USERS = [("vanthutinh", "Ngô Thị Hạnh", "VP", "clerk"),
                  ("chutichtinh", "Lê Duy Thành", "VP", "leader"),
                  ("truongphongtinh", "Vũ Thu Trang", "VHTT", "head"),
                  ("chuyenvientinh", "Đặng Văn Bình", "VHTT", "specialist")]


def ensure_province(app, code: str = PROVINCE, name: str = "UBND tỉnh Vĩnh Phúc") -> None:
    """A province (default UBND tỉnh Vĩnh Phúc) with a clerk, a leader, a head and a
    specialist (kept when the demo already holds them)."""
    from eoffice.auth.models import Agency, Department, User
    from eoffice.auth.operations import create_user
    from eoffice.db import db
    from eoffice.demo import DEMO_PASSWORD

    with app.app_context(), db.transaction() as session:
        agency = session.scalar(sa.select(Agency).where(Agency.agency_code == code))
        if agency is None:
            agency = Agency(name=name, abbreviation="UBND", agency_code=code,
                            place=name.removeprefix("UBND tỉnh "))
            session.add(agency)
            session.flush()
        departments = {}
        for abbr, name in (("VP", "Văn phòng UBND tỉnh"), ("VHTT", "Sở Văn hóa")):
            dept = session.scalar(sa.select(Department).where(
                Department.agency_id == agency.id, Department.abbreviation == abbr))
            if dept is None:
                dept = Department(agency=agency, abbreviation=abbr, name=name)
                session.add(dept)
                session.flush()
            departments[abbr] = dept
        for username, full_name, abbr, role in PROVINCE_USERS:
            if session.scalar(sa.select(User.id).where(User.username == username)) is None:
                create_user(session, username=username, full_name=full_name,
                            password=DEMO_PASSWORD, department=departments[abbr],
                            roles={role})


@pytest.fixture
def province(app) -> str:
    ensure_province(app)
    return PROVINCE


@pytest.fixture
def issued(api) -> Callable[..., int]:
    """An outgoing document of Vĩnh Yên walked to ``issued``."""

    def make(**overrides: object) -> int:
        resp = api.post("/api/v1/outgoing", "chuyenvien", json=draft_json(**overrides))
        assert resp.status_code == 201, resp.get_json()
        doc_id = resp.get_json()["id"]
        for route, actor, body in [("submit", "chuyenvien", None),
                                   ("approve", "truongphong", None),
                                   ("approve", "vanthu", None),
                                   ("sign", "chutich", {"passphrase": PASSPHRASE}),
                                   ("issue", "vanthu", {"passphrase": PASSPHRASE})]:
            resp = api.post(f"/api/v1/outgoing/{doc_id}/{route}", actor, json=body or {})
            assert resp.status_code == 200, (route, resp.get_json())
        return doc_id

    return make


@pytest.fixture
def hub_prefix() -> Iterator[str]:
    """Private queues for this test (other runs share the broker)."""
    from eoffice.exchange.amqp import Hub

    prefix = f"test.{uuid.uuid4().hex[:8]}."
    yield prefix
    hub = Hub(HUB, prefix=prefix)
    for code in (CODE, CITY, "000.00.00.H62"):
        hub.delete(code)
    hub.close()


@pytest.fixture
def province_deployment(tmp_path, app, hub_prefix) -> Iterator[Deployment]:
    """B: the province in its own processes, trusting A's root (and A trusting B's)."""
    instance = tmp_path / "province"
    root_b = init_pki(instance / "pki")
    root_a = Path(app.instance_path) / "pki" / "root.pem"
    url, schema = new_database(instance)
    write_config(instance, DATABASE_URL=url, TRUST_ROOTS=[str(root_b), str(root_a)],
                 EXCHANGE_HUB=HUB, EXCHANGE_QUEUE_PREFIX=hub_prefix, SEARCH_WORKER="sync",
                 SECRET_KEY="province-test")
    app.config.update(EXCHANGE_HUB=HUB, EXCHANGE_QUEUE_PREFIX=hub_prefix,
                      TRUST_ROOTS=[*app.config["TRUST_ROOTS"], str(root_b)])
    app.extensions.pop("eoffice.trust", None)
    deployment = Deployment(instance, REPO)
    yield deployment
    deployment.stop()
    drop_database(schema)
