"""Acceptance (issue 12): in a real browser, sysadmin creates an agency under the province and
names its admin; that admin creates a department and a user with roles and clearance,
attaches a signature image and a SoftHSM token key; the new user logs in with the one-time
password, changes it, drafts a document naming themselves as signer and signs it with the
token PIN — the signed PDF carries their valid signature."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e
PIN = "246810"
TOKEN = "token-tam-dao"
NEW_PASSWORD = "Mat-khau-rieng-2026"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory):
    """The demo with a SoftHSM2 token holding the future user's key (issued by the demo's
    development CA, prepared before the server starts; the server sees the token)."""
    import signing
    from signing.tokens import SOFTHSM_MODULE, import_p12_to_token, init_softhsm

    instance = tmp_path_factory.mktemp("agency-demo")
    softhsm = tmp_path_factory.mktemp("softhsm")
    conf = init_softhsm(softhsm, token_label=TOKEN, pin=PIN)
    pki = instance / "pki"
    signing.init_dev_pki(pki, agency_name="UBND thành phố Vĩnh Yên", agency_abbr="UBND",
                         passphrase="eoffice-demo")
    credential = signing.issue_user(pki, "chutich.tamdao", "Hà Văn Đạo",
                                    passphrase="eoffice-demo")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        import_p12_to_token(credential.p12_path, "eoffice-demo", module=SOFTHSM_MODULE,
                            token_label=TOKEN, pin=PIN, key_label="chutich.tamdao")
    finally:
        if old is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = old
    server = LiveServer(instance, {"SOFTHSM2_CONF": str(conf),
                                   "EOFFICE_PKCS11_MODULE": SOFTHSM_MODULE})
    yield server
    server.stop()


def _login(page, base: str, username: str, password: str = "eoffice-demo") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _first_login(page, base: str, username: str, one_time: str) -> None:
    """Log in with the one-time password: the password form comes first; choose one."""
    _login(page, base, username, one_time)
    assert page.url.endswith("/account/password")
    page.fill("#current", one_time)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#repeat", NEW_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/dashboard")


def _signature_png(tmp_path) -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 80), (120, 20), (200, 70), (290, 30)],
                               fill=(20, 40, 180, 255), width=5)
    path = tmp_path / "chu-ky.png"
    image.save(path, "PNG")
    return str(path)


def test_new_agency_to_a_signed_document(page, token_server, tmp_path):
    base = token_server.url

    # sysadmin: the agency under the province, and its admin
    _login(page, base, "sysadmin")
    page.goto(f"{base}/admin/agencies")
    page.fill("#code", "000.00.12.H62")
    page.fill("#name", "UBND huyện Tam Đảo")
    page.fill("#abbreviation", "UBND")
    page.select_option("#parent", "000.00.00.H62")
    page.fill("#address", "Thị trấn Hợp Châu, huyện Tam Đảo")
    page.locator("#agency-form button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("#agency-tree tr", has_text="UBND huyện Tam Đảo")
    assert row.count() == 1
    row.locator("input[name=username]").fill("quantri.tamdao")
    row.locator("input[name=full_name]").fill("Lương Thị Quản")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    admin_otp = page.locator("#one-time-password").inner_text().strip()

    # the agency admin: first login, a department, a user with roles and clearance
    _first_login(page, base, "quantri.tamdao", admin_otp)
    page.goto(f"{base}/admin/departments")
    page.fill("#code", "VP")  # exists already (created with the agency): refused clearly
    page.fill("#name", "Văn phòng HĐND và UBND")
    page.locator("#department-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Phòng ban VP đã có" in page.locator(".flash").inner_text()
    page.fill("#code", "LD")
    page.fill("#name", "Lãnh đạo UBND huyện")
    page.locator("#department-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#departments input[value='Lãnh đạo UBND huyện']").count() == 1

    page.goto(f"{base}/admin/users")
    page.fill("#username", "chutich.tamdao")
    page.fill("#full_name", "Hà Văn Đạo")
    page.fill("#position", "Chủ tịch")
    page.select_option("#department", "LD")
    for role in ("leader", "head", "clerk"):  # a small district office: one person, 3 roles
        page.check(f"#role-{role}")
    page.select_option("#clearance", "toi_mat")
    page.locator("#user-form button[type=submit]").click()
    page.wait_for_load_state()
    user_otp = page.locator("#one-time-password").inner_text().strip()
    page.goto(f"{base}/admin/users/chutich.tamdao")
    page.set_input_files("#image", _signature_png(tmp_path))
    page.locator("#signature-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#signature-preview").is_visible()
    page.fill("#token_label", TOKEN)
    page.fill("#key_label", "chutich.tamdao")
    page.locator("#token-form button[type=submit]").click()
    page.wait_for_load_state()
    assert f"{TOKEN} / chutich.tamdao" in page.locator("#token-info").inner_text()

    # the new user: one-time password, own password, draft, sign with the token PIN
    _first_login(page, base, "chutich.tamdao", user_otp)
    page.goto(f"{base}/outgoing/new")
    page.select_option("#type_code", "TB")
    page.fill("#subject", "Thông báo lịch tiếp công dân tháng 12 năm 2026")
    page.fill("#body", "UBND huyện Tam Đảo thông báo lịch tiếp công dân như sau.")
    page.fill("#recipients", "Các cơ quan, đơn vị thuộc huyện")
    page.select_option("#signer", "chutich.tamdao")
    assert page.locator("#signer option").count() == 1  # signers of this agency only
    page.locator("#draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/outgoing/\d+$"))
    for action in ("submit", "approve", "approve"):
        page.locator(f"form.action-{action}").first.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator("#document").get_attribute("data-state") == "ready_to_sign"
    form = page.locator("form.action-sign")
    form.locator("input[name=pin]").fill("000000")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "PIN" in page.locator(".flash").inner_text()
    form = page.locator("form.action-sign")
    form.locator("input[name=pin]").fill(PIN)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#document").get_attribute("data-state") == "signed", \
        page.locator(".flash").all_inner_texts()

    with page.expect_download() as info:
        page.click("#download-pdf")
    pdf = Path(info.value.path()).read_bytes()
    from signing.validation import validate_pdf

    pki = token_server.instance / "pki"
    report = validate_pdf(pdf, trust_roots=[(pki / "root.pem").read_bytes()],
                          crls=[p.read_bytes() for p in sorted((pki / "crl").glob("*.crl"))])
    official = report.signatures[0]
    assert official.intact and official.trusted, report.reasons
    assert "Hà Văn Đạo" in (official.signer or "")
