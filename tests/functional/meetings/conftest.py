"""Fixtures for meetings: issued documents made directly (signed with the instance PKI),
a meeting walked to a given state through the API, an NSS db trusting the dev root."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import date, datetime

import pytest

PASSPHRASE = "eoffice-demo"
MEETING = {
    "title": "Giao ban công tác văn hóa, thông tin quý III năm 2026",
    "kind": "giao_ban",
    "starts_at": "2026-07-15T08:00",
    "ends_at": "2026-07-15T11:00",
    "location": "Phòng họp tầng 3, UBND thành phố Vĩnh Yên",
    "chair": "chutich",
    "participants": ["VHTT", "truongphong"],
}
AGENDA = [
    {"time": "08:00 - 08:15", "title": "Khai mạc, giới thiệu đại biểu", "presenter": "Văn phòng"},
    {"time": "08:15 - 09:30", "title": "Báo cáo kết quả công tác quý III",
     "presenter": "Trưởng phòng Văn hóa và Thông tin"},
    {"time": "09:30 - 11:00", "title": "Thảo luận và kết luận", "presenter": "Chủ tịch UBND"},
]


@pytest.fixture
def signed_pdf(app) -> bytes:
    """A one-page PDF signed by chutich with the instance's dev PKI (cached per test)."""
    import signing
    from eoffice.rendering import meeting as layout

    pdf = layout.render_agenda_pdf(layout.Meeting(
        agency_parent="UBND TỈNH VĨNH PHÚC", agency_name="UBND THÀNH PHỐ VĨNH YÊN",
        agency_abbr="UBND", place="Vĩnh Yên", title="Kế hoạch tổ chức Ngày hội Văn hóa",
        starts_at=datetime(2026, 7, 1, 8, 0), location="Hội trường", chair_name="Chủ tịch",
        chair_position="CHỦ TỊCH", participants=["Các phòng"]), [])
    pki = app.config["INSTANCE_PATH"] + "/pki"
    signer = signing.load_pkcs12_signer(f"{pki}/users/chutich.p12", PASSPHRASE)
    return signing.sign_official(pdf, signer, image_png=None, level="B-B")


@pytest.fixture
def make_document(app, signed_pdf) -> Callable[..., int]:
    """Create a Document row directly: outgoing/issued by default, signed PDF attached,
    visible to VP (the secretary's department) and VHTT."""

    def make(subject: str = "Kế hoạch tổ chức Ngày hội Văn hóa các dân tộc năm 2026", *,
             state: str = "issued", secrecy: str = "none", direction: str = "outgoing",
             number: int = 7, verdict: str | None = None) -> int:
        import sqlalchemy as sa

        from eoffice.auth.models import User
        from eoffice.db import db
        from eoffice.documents.models import Direction, Document
        from eoffice.documents.operations import attach_file, store_bytes
        from eoffice.extensions import file_store
        from eoffice.storage import PDF

        with app.app_context(), db.transaction() as session:
            author = session.scalar(sa.select(User).where(User.username == "chuyenvien"))
            doc = Document(direction=Direction(direction), state=state, type_code="KH",
                           type_name="Kế hoạch", code_number=number,
                           code_notation="KH-UBND", issued_date=date(2026, 6, 1),
                           subject=subject, secrecy=secrecy, department_id=author.department_id,
                           created_by_id=author.id,
                           extra={"validation": {"verdict": verdict}} if verdict else {})
            doc.grant("dept:VP", "dept:VHTT", "role:clerk")
            session.add(doc)
            session.flush()
            store_bytes(session, file_store(), signed_pdf, {PDF})
            session.flush()
            attach_file(session, file_store(), doc, "issued", signed_pdf, author,
                        accepted={PDF}, filename="ke-hoach.pdf")
            return doc.id

    return make


@pytest.fixture
def set_clearance(app) -> Callable[[str, str], None]:
    def change(username: str, clearance: str) -> None:
        import sqlalchemy as sa

        from eoffice.auth.models import User
        from eoffice.db import db

        with app.app_context(), db.transaction() as session:
            user = session.scalar(sa.select(User).where(User.username == username))
            user.clearance = clearance

    return change


@pytest.fixture
def new_meeting(api) -> Callable[..., int]:
    def make(**overrides: object) -> int:
        resp = api.post("/api/v1/meetings", "thuky", json={**MEETING, **overrides})
        assert resp.status_code == 201, resp.get_json()
        assert resp.get_json()["state"] == "draft"
        return resp.get_json()["id"]

    return make


@pytest.fixture
def meeting_at(api, new_meeting, make_document) -> Callable[..., tuple[int, dict[str, int]]]:
    """A meeting with an issued document and a working paper, walked to ``state``
    (draft with agenda, agenda_signed, distributed). Returns (meeting id, material ids)."""

    def make(state: str = "distributed") -> tuple[int, dict[str, int]]:
        mid = new_meeting()
        doc_id = make_document()
        resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky", json={"document_id": doc_id})
        assert resp.status_code == 201, resp.get_json()
        material_ids = {"document": resp.get_json()["id"]}
        resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky", data={
            "file": (io.BytesIO(_working_paper()), "Báo cáo tham luận Phòng VHTT.pdf")},
            content_type="multipart/form-data")
        assert resp.status_code == 201, resp.get_json()
        material_ids["working_paper"] = resp.get_json()["id"]
        resp = api.post(f"/api/v1/meetings/{mid}/agenda", "thuky", json={"items": AGENDA})
        assert resp.status_code == 201, resp.get_json()
        if state == "draft":
            return mid, material_ids
        resp = api.post(f"/api/v1/meetings/{mid}/agenda/sign", "chutich",
                        json={"passphrase": PASSPHRASE})
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json()["state"] == "agenda_signed"
        if state == "agenda_signed":
            return mid, material_ids
        resp = api.post(f"/api/v1/meetings/{mid}/distribute", "thuky")
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json()["state"] == "distributed"
        return mid, material_ids

    return make


def _working_paper() -> bytes:
    from eoffice.rendering import meeting as layout

    return layout.render_minutes_pdf(layout.Minutes(
        agency_parent="UBND THÀNH PHỐ VĨNH YÊN", agency_name="PHÒNG VĂN HÓA VÀ THÔNG TIN",
        place="Vĩnh Yên", title="Tham luận về công tác thông tin cơ sở",
        starts_at=datetime(2026, 7, 10, 8), ends_at=datetime(2026, 7, 10, 9),
        location="Phòng VHTT", chair_name="Trưởng phòng", secretary_name="Chuyên viên",
        attendees=["Chuyên viên"], content=["Nội dung tham luận."], conclusions=["Thống nhất."]))


@pytest.fixture
def working_paper() -> bytes:
    return _working_paper()


@pytest.fixture
def nss_db(instance, tmp_path) -> str:
    """An NSS database trusting the instance's development root (for pdfsig)."""
    directory = tmp_path / "nss"
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"],
                   check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "root", "-t", "CT,C,C",
                    "-i", str(instance / "pki" / "root.pem")], check=True, capture_output=True)
    return f"sql:{directory}"


@pytest.fixture
def meeting_data() -> dict[str, object]:
    return dict(MEETING)
