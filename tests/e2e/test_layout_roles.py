"""Acceptance 4 of issue 16: for each role the menu fits on one line at 1280 px, and at
390 px (a phone) a document's first page is visible as an image, not a blank embed.

Roles that open no document of the agency in the demo (admin, sysadmin, secretary) see
the first page of the PDF they check on "Kiểm tra chữ ký"."""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.e2e

ROLES = ["admin", "vanthu", "chutich", "phochutich", "truongphong", "chuyenvien", "thuky",
         "sysadmin"]
NO_DOCUMENTS = ("admin", "thuky", "sysadmin")
LISTS = ["/incoming", "/incoming?tab=all", "/outgoing/?view=mine", "/outgoing/?view=content_review",
         "/outgoing/?view=issued", "/outgoing/"]
DOC_LINK = re.compile(r"/(?:incoming|outgoing)/\d+$")

ONE_LINE = """() => {
  const bar = document.querySelector('header.topbar');
  const items = [...bar.querySelectorAll(':scope > a, :scope > .account, :scope > form,'
                                        + ' nav.nav > a, nav.nav > details > summary')];
  const tops = items.filter(e => e.offsetParent !== null)
                    .map(e => Math.round(e.getBoundingClientRect().top));
  return {count: tops.length, spread: Math.max(...tops) - Math.min(...tops),
          height: Math.round(bar.getBoundingClientRect().height),
          scroll: document.documentElement.scrollWidth};
}"""


def _login(browser, base: str, username: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "eoffice-demo")
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard")
    return context, page


def _a_document(page, base: str) -> str | None:
    for path in LISTS:
        page.goto(base + path)
        for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)"):
            if DOC_LINK.search(href):
                return href
    return None


@pytest.mark.parametrize("username", ROLES)
def test_menu_on_one_line_at_1280(browser, live_server, username):
    context, page = _login(browser, live_server.url, username, 1280, 800)
    try:
        facts = page.evaluate(ONE_LINE)
        assert facts["count"] >= 4, facts
        assert facts["spread"] <= 8, f"menu of {username} wraps at 1280 px: {facts}"
        assert facts["height"] <= 64 and facts["scroll"] <= 1280, facts
        # grouped pages stay one click away
        groups = page.locator("nav.nav details.nav-group")
        for i in range(groups.count()):
            groups.nth(i).locator("summary").click()
            assert groups.nth(i).locator(".nav-menu a").first.is_visible()
            groups.nth(i).locator("summary").click()
    finally:
        context.close()


def _a_pdf(path) -> None:
    """A one-page letter with a few lines of text (what a clerk would check)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Times-Bold", 16)
    for i, line in enumerate(["UY BAN NHAN DAN", "THANH PHO VINH YEN", "So: 82/KH-UBND",
                              "KE HOACH", "Trien khai De an chinh quyen so"]):
        pdf.drawString(72, 760 - 28 * i, line)
    pdf.save()


def _assert_rendered(page, image) -> None:
    from PIL import Image

    image.scroll_into_view_if_needed()
    assert image.is_visible()
    page.wait_for_function("el => el.complete && el.naturalWidth > 300",
                           arg=image.element_handle())
    shot = Image.open(io.BytesIO(image.screenshot())).convert("L")
    assert shot.width <= 390
    dark = sum(shot.histogram()[:128])
    assert dark > 500, "the page image is blank"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("username", ROLES)
def test_first_page_visible_on_a_phone(browser, live_server, username, tmp_path):
    context, page = _login(browser, live_server.url, username, 390, 844)
    try:
        href = _a_document(page, live_server.url)
        if href is None:
            assert username in NO_DOCUMENTS, f"{username} should see a demo document"
            _a_pdf(tmp_path / "cong-van.pdf")
            page.goto(live_server.url + "/verify")
            page.set_input_files("#file", str(tmp_path / "cong-van.pdf"))
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
            _assert_rendered(page, page.locator(".page-image img"))
            return
        page.goto(href)
        image = page.locator(".pdf-page img")
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        assert not page.locator("iframe.pdf").is_visible()  # no blank box
        src = image.get_attribute("src")
        answer = page.request.get(live_server.url + src)
        assert answer.status == 200 and answer.headers["content-type"] == "image/png", \
            (answer.status, answer.text()[:300])
        _assert_rendered(page, image)
    finally:
        context.close()


def test_new_items_marked_until_opened(browser, live_server):
    """Unread markers: the leader's documents waiting for direction are "Mới" on his
    dashboard and counted on the menu (still one line); opening one clears its marker."""
    context, page = _login(browser, live_server.url, "phochutich", 1280, 800)
    try:
        def menu_count() -> int:
            badge = page.locator("nav.nav > details summary", has_text="Văn bản đến") \
                .locator(".new-count")
            return int(badge.inner_text()) if badge.count() else 0

        fresh = page.locator('[data-panel="to_direct"] li.new')
        before = fresh.count()
        assert before >= 1 and menu_count() >= before
        assert fresh.first.locator(".badge.new").is_visible()
        menu_before = menu_count()
        fresh.first.locator("a").first.click()
        page.wait_for_url("**/incoming/*")
        page.goto(live_server.url + "/dashboard")
        assert page.locator('[data-panel="to_direct"] li.new').count() == before - 1
        assert menu_count() == menu_before - 1
        facts = page.evaluate(ONE_LINE)
        assert facts["spread"] <= 8 and facts["height"] <= 64, facts
        # the count sits beside its entry, over neither its text nor the next entry
        place = page.evaluate("""() => {
          const badge = document.querySelector('nav.nav .new-count');
          const entry = badge.parentElement, next = entry.closest('details, a').nextElementSibling;
          const text = document.createRange(); text.selectNodeContents(entry.firstChild);
          return {badge: badge.getBoundingClientRect().toJSON(),
                  text: text.getBoundingClientRect().toJSON(),
                  next: next.getBoundingClientRect().toJSON()};
        }""")
        assert place["badge"]["left"] >= place["text"]["right"] - 1, place
        assert place["badge"]["right"] <= place["next"]["left"] + 2, place
    finally:
        context.close()
    context, page = _login(browser, live_server.url, "phochutich", 390, 844)
    try:  # on a phone, in the opened menu, the count follows its entry's words
        page.click("label.nav-toggle-label")
        summary = page.locator("nav.nav > details summary", has_text="Văn bản đến")
        box, badge = summary.bounding_box(), summary.locator(".new-count").bounding_box()
        assert badge["x"] - box["x"] < 160 and abs(badge["y"] - box["y"]) < 20, (box, badge)
    finally:
        context.close()


def test_direction_form_coordinators_one_line_each(browser, live_server):
    """Bút phê at 1280 px: each coordinator's deadline field sits on the same line as its
    name (not a full-width box under it)."""
    context, page = _login(browser, live_server.url, "chutich", 1280, 800)
    try:
        page.goto(live_server.url + "/incoming?tab=to_direct")
        page.locator("#incoming-list a").first.click()
        page.wait_for_url("**/incoming/*")
        rows = page.evaluate("""() => [...document.querySelectorAll(
            'input[name=coordinators]')].map(box => {
              const row = box.closest('div');
              const date = row.querySelector('input.date');
              const a = box.getBoundingClientRect(), b = date.getBoundingClientRect();
              return {dy: Math.abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2),
                      width: b.width};
            })""")
        assert len(rows) >= 4
        assert all(r["dy"] < 12 and r["width"] < 250 for r in rows), rows
    finally:
        context.close()


def test_list_cells_named_on_a_phone(browser, live_server):
    """On a phone a list row is a card: each value says which column it is."""
    context, page = _login(browser, live_server.url, "vanthu", 390, 844)
    try:
        page.goto(live_server.url + "/incoming?tab=all")
        labels = page.evaluate("""() => [...document.querySelectorAll(
            '#incoming-list tbody tr:first-child td')].map(
              td => getComputedStyle(td, '::before').content)""")
        assert labels[:2] == ['"Số đến: "', '"Ngày đến: "'], labels
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
