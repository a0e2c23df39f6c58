"""Acceptance 3 (Vietnamese half) of issue 16: every menu page of every role, and a document
page, show no raw code (coverage, modification level, secrecy, urgency, audit actions)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_layout_roles import ROLES, _a_document, _login

pytestmark = pytest.mark.e2e

RAW = re.compile(r"\b(entire_revision|entire_file|form_filling|toi_mat|tuyet_mat|thuong_khan|"
                 r"hoa_toc|(?:outgoing|incoming|meeting|assignment|exchange)\.[a-z_]+|"
                 r"login_failed|user_create|password_change)\b")


@pytest.mark.parametrize("username", ROLES)
def test_no_raw_code_on_any_page(browser, live_server, username):
    context, page = _login(browser, live_server.url, username, 1280, 900)
    try:
        links = page.eval_on_selector_all("nav.nav a[href]", "els => els.map(e => e.href)")
        assert len(links) >= 3, links  # the grouped entries are links too
        document = _a_document(page, live_server.url)
        for url in [live_server.url + "/dashboard", *links, *([document] if document else [])]:
            page.goto(url)
            text = page.locator("main").inner_text()
            found = RAW.findall(text)
            assert not found, (username, url, found)
            assert not re.search(r"\b(none|khan)\b", text), (username, url)
    finally:
        context.close()
