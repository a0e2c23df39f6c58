"""The administration pages: Vietnamese forms for agencies, departments, users, credentials,
the agency's seal and trust anchors, the audit viewer (filters, paging, labels, CSV) and the
dashboard's real counts."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
OTP_RE = re.compile(r'id="one-time-password">([^<]+)<')


def _login(app, username: str, password: str = "eoffice-demo"):
    client = app.test_client()
    csrf = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf}).status_code == 302
    return client


def _post(client, path: str, data: dict, **kwargs):
    csrf = CSRF_RE.search(client.get("/dashboard").get_data(as_text=True)).group(1)
    return client.post(path, data={**data, "csrf_token": csrf}, **kwargs)


def _png(alpha: int) -> bytes:
    from PIL import Image

    image = Image.new("RGBA", (120, 40), (0, 0, 200, alpha))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_sysadmin_pages_create_an_agency_and_its_admin(app):
    web = _login(app, "sysadmin")
    page = web.get("/admin/agencies").get_data(as_text=True)
    assert "Thêm cơ quan" in page and "UBND tỉnh Vĩnh Phúc" in page
    made = _post(web, "/admin/agencies", {"code": "000.00.16.H62", "name": "UBND huyện Yên Lạc",
                                          "abbreviation": "UBND", "parent": "000.00.00.H62"})
    assert made.status_code == 302
    bad = _post(web, "/admin/agencies", {"code": "sai", "name": "x", "abbreviation": "UBND"})
    assert bad.status_code == 200 and "Mã định danh cơ quan phải có dạng" in bad.get_data(
        as_text=True)
    named = _post(web, "/admin/agencies/000.00.16.H62/admins",
                  {"username": "qt.yenlac", "full_name": "Quản trị Yên Lạc"})
    otp = OTP_RE.search(named.get_data(as_text=True)).group(1)
    assert len(otp) >= 12
    assert _login(app, "admin").get("/admin/agencies").status_code == 403


def test_admin_pages_manage_a_user_and_credentials(app):
    web = _login(app, "admin")
    assert "Người dùng đang hoạt động" in web.get("/admin/").get_data(as_text=True)
    assert _post(web, "/admin/departments", {"action": "create", "code": "TTr",
                                             "name": "Thanh tra thành phố"}).status_code == 302
    assert "Thanh tra thành phố" in web.get("/admin/departments").get_data(as_text=True)
    made = _post(web, "/admin/users", {"username": "thanhtra1", "full_name": "Đinh Công Lý",
                                       "position": "Chánh Thanh tra", "department": "TTr",
                                       "roles": ["head", "leader"], "clearance": "mat"})
    assert OTP_RE.search(made.get_data(as_text=True))
    opaque = _post(web, "/admin/users/thanhtra1", {"action": "signature",
                                                   "image": (io.BytesIO(_png(255)), "a.png")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert "nền trong suốt" in opaque.get_data(as_text=True)
    good = _post(web, "/admin/users/thanhtra1", {"action": "signature",
                                                 "image": (io.BytesIO(_png(0)), "chu-ky.png")},
                 content_type="multipart/form-data", follow_redirects=True)
    assert 'id="signature-preview"' in good.get_data(as_text=True)
    preview = web.get("/admin/users/thanhtra1/signature.png")
    assert preview.status_code == 200 and preview.data.startswith(b"\x89PNG")
    token = _post(web, "/admin/users/thanhtra1", {"action": "token", "token_label": "eoffice-ttr",
                                                  "key_label": "thanhtra1"},
                  follow_redirects=True)
    assert "eoffice-ttr / thanhtra1" in token.get_data(as_text=True)
    assert _login(app, "admintinh").get("/admin/users/thanhtra1").status_code == 404
    assert _login(app, "admintinh").get(
        "/admin/users/thanhtra1/signature.png").status_code == 404

    audit = web.get("/admin/audit?actor=admin&action=credential.token").get_data(as_text=True)
    assert "Chứng thư ký số: Gán thiết bị ký số (token)" in audit
    assert "Đăng nhập" not in audit.split('id="audit"')[1]  # the filter applies
    csv_text = web.get("/admin/audit.csv?actor=admin").get_data(as_text=True)
    assert "credential.signature_image" in csv_text and "thanhtra1" in csv_text


def test_audit_viewer_pages_and_dashboard_counts(app):
    web = _login(app, "admin")
    for _ in range(3):  # more entries than a page holds
        for page in ("/admin/", "/admin/users", "/admin/departments"):
            web.get(page)
    from eoffice.audit import operations as audit
    from eoffice.auth.models import User
    from eoffice.db import db

    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        for i in range(60):
            audit.append(db.session, "view", actor=admin, object_type="report",
                         object_id=str(i))
        db.session.commit()
        db.session.remove()
    first = web.get("/admin/audit").get_data(as_text=True)
    assert 'id="next-page"' in first and first.count("<tr>") == 51  # header + 50 rows
    second = web.get("/admin/audit?page=2").get_data(as_text=True)
    assert "Trang 2" in second
    assert web.get("/admin/audit?date_from=2026-13-01").status_code == 400
    dashboard = web.get("/dashboard").get_data(as_text=True)
    assert "Người dùng" in dashboard
    assert re.search(r"Người dùng\D{0,80}7\b", dashboard), "7 active users of Vĩnh Yên"


def test_trust_anchors_and_policy_of_the_agency(app):
    """CA certificates are installed, listed and removed per agency; a leaf certificate is
    refused; the policy chooses online revocation checking for this agency only."""
    from pathlib import Path

    from eoffice.admin.credentials import for_agency
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.signing_services import settings_from_config

    pki = Path(app.config["INSTANCE_PATH"]) / "pki"
    web = _login(app, "admintinh")
    root = (pki / "root.pem").read_bytes()
    added = _post(web, "/admin/agency", {"action": "anchor_add",
                                         "certificate": (io.BytesIO(root), "root.pem")},
                  content_type="multipart/form-data", follow_redirects=True)
    page = added.get_data(as_text=True)
    assert "Đã cài chứng thư gốc tin cậy." in page and "eoffice" in page.lower()
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _, leaf, _ = pkcs12.load_key_and_certificates(
        (pki / "users" / "chutich.p12").read_bytes(), b"eoffice-demo")
    refused = _post(web, "/admin/agency", {
        "action": "anchor_add", "certificate": (io.BytesIO(leaf.public_bytes(Encoding.DER)),
                                                "leaf.cer")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "không phải của tổ chức cung cấp dịch vụ chứng thực" in refused.get_data(
        as_text=True)
    assert _post(web, "/admin/agency", {"action": "policy", "revocation": "online"}
                 ).status_code == 302
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        base = settings_from_config(app.config)
        province = for_agency(base, people["admintinh"].agency)
        city = for_agency(base, people["admin"].agency)
        assert province.revocation_online and not city.revocation_online
        assert len(province.trust_pems) == len(city.trust_pems) + 1
        assert not province.seal_p12.is_file()  # no seal of its own: cannot issue
        assert city.seal_p12.is_file()
        db.session.remove()
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)
    removed = _post(web, "/admin/agency", {"action": "anchor_remove",
                                           "fingerprint": fingerprint}, follow_redirects=True)
    assert "Chưa cài chứng thư nào" in removed.get_data(as_text=True)
    assert "Chưa cài chứng thư nào" in _login(app, "admin").get("/admin/agency").get_data(
        as_text=True)


def test_csv_import_page_previews_then_imports(app):
    web = _login(app, "admin")
    data = ("username,full_name,department,roles,clearance\n"
            "vt.moi,Lê Văn Mới,VP,clerk,mat\n"
            "cv.moi,Trần Thị Hai,VHTT,specialist;secretary,none\n"
            "sai.dong,Sai Dòng,VP,tonggiamdoc,none\n").encode()
    preview = _post(web, "/admin/users/import", {"stage": "preview",
                                                 "file": (io.BytesIO(data), "nhan-su.csv")},
                    content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="import-errors"' in page
    assert "sai.dong" in page and "Vai trò không hợp lệ: «tonggiamdoc»" in page
    assert _login(app, "admin").get("/admin/users/cv.moi").status_code == 404  # not yet
    csv_value = re.search(r'name="csv" value="([^"]*)"', page).group(1)
    import html

    done = _post(web, "/admin/users/import", {"stage": "confirm",
                                              "csv": html.unescape(csv_value)})
    body = done.get_data(as_text=True)
    assert 'id="import-created">2<' in body and "cv.moi" in body
    person = web.get("/admin/users/cv.moi").get_data(as_text=True)
    assert "Chờ đăng nhập lần đầu" in person


def test_db_upgrade_takes_what_an_earlier_version_kept_in_the_instance_folder(app, instance):
    """Trust anchors and the seal key the admin pages used to write under
    ``<instance>/agencies/<id>/`` are taken into the database by `eoffice db upgrade` (once),
    so they still count — on every server — after the folder is gone."""
    import hashlib
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from eoffice.admin.credentials import for_agency
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.signing_services import settings_from_config

    pki = instance / "pki"
    root = (pki / "root.pem").read_bytes()
    fingerprint = hashlib.sha256(x509.load_pem_x509_certificate(root).public_bytes(
        Encoding.DER)).hexdigest()
    with app.app_context(), db.transaction() as session:
        agency = session.scalar(sa.select(User).where(User.username == "admin")).agency
        old = instance / "agencies" / str(agency.id)
        (old / "trust").mkdir(parents=True)
        (old / "trust" / f"{fingerprint}.pem").write_bytes(root)
        shutil.copy(pki / "seal.p12", old / "seal.p12")
        agency.settings = {**agency.settings, "seal_p12": str(old / "seal.p12")}
    db.session.remove()
    env = {**os.environ, "EOFFICE_DATABASE_URL": app.config["DATABASE_URL"]}
    eoffice = str(Path(sys.executable).parent / "eoffice")

    def upgrade() -> str:
        done = subprocess.run([eoffice, "--instance", str(instance), "db", "upgrade"], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "Đã chuyển 2 tệp" in upgrade()
    assert "Đã chuyển" not in upgrade()  # once
    shutil.rmtree(instance / "agencies")
    page = _login(app, "admin").get("/admin/agency").get_data(as_text=True)
    assert f'name="fingerprint" value="{fingerprint}"' in page
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        settings = for_agency(settings_from_config(app.config), admin.agency)
        assert settings.seal_p12 == (pki / "seal.p12").read_bytes()
        assert len(settings.trust_pems) == 1
        db.session.remove()
