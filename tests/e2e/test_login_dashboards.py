"""The demo serves the Vietnamese login page; every demo user reaches their dashboard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

EXPECTED_PANEL = {
    "admin": "Người dùng",
    "vanthu": "Văn bản chờ phát hành",
    "chutich": "Văn bản chờ ký",
    "phochutich": "Văn bản chờ ký",
    "truongphong": "Dự thảo chờ duyệt",
    "chuyenvien": "Dự thảo của tôi",
    "thuky": "Cuộc họp sắp tới",
}


def test_login_page_is_vietnamese(page, live_server):
    page.goto(live_server.url + "/")
    assert page.title().startswith("Đăng nhập")
    assert page.locator("label[for=username]").inner_text() == "Tên đăng nhập"


@pytest.mark.parametrize("username", sorted(EXPECTED_PANEL))
def test_each_demo_user_sees_their_dashboard(login_as, username):
    page = login_as(username)
    assert "Xin chào" in page.locator("h1").inner_text()
    panels = page.locator("article.panel h2").all_inner_texts()
    assert any(EXPECTED_PANEL[username] in title for title in panels), panels


def test_wrong_password_stays_on_login_with_message(page, live_server):
    page.goto(live_server.url + "/login")
    page.fill("#username", "vanthu")
    page.fill("#password", "sai-mat-khau")
    page.click("main button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.locator(".flash").inner_text()


def test_dashboard_works_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login")
        page.fill("#username", "chuyenvien")
        page.fill("#password", "eoffice-demo")
        page.click("main button[type=submit]")
        page.wait_for_url("**/dashboard")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways at 390 px ({width} px)"
        page.click("label.nav-toggle-label")
        assert page.locator("nav.nav").is_visible()
    finally:
        context.close()
