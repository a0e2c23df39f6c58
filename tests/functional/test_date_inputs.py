"""Dates are typed and shown as dd/mm/yyyy (hh:mm), never in the browser's own date widget
(mm/dd/yyyy on an English-language computer): issue 16."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_uses_the_browser_date_widget():
    widgets = [f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
               for path in TEMPLATES.rglob("*.html")
               for m in re.finditer(r'type="(date|datetime-local|month|week)"', path.read_text())]
    assert widgets == []


def test_meeting_times_typed_the_vietnamese_way(auth, client):
    auth.login("thuky")
    form = client.get("/meetings/new").get_data(as_text=True)
    assert re.search(r'placeholder="dd/mm/yyyy hh:mm"[^>]*id="starts_at"', form)
    resp = auth.post("/meetings/new", data={
        "title": "Họp giao ban tháng 8", "kind": "giao_ban", "starts_at": "03/08/2026 14:00",
        "ends_at": "16:30 03/08/2026", "location": "Phòng họp số 2", "chair": "chutich",
        "departments": ["VHTT"], "participants_users": ""}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "flash-error" not in page, re.findall(r'flash-error[^>]*>([^<]*)', page)
    assert "14:00 03/08/2026</strong> – 16:30" in page
    bad = auth.post("/meetings/new", data={
        "title": "Họp", "kind": "giao_ban", "starts_at": "08/03/26", "location": "P2",
        "chair": "chutich"}, follow_redirects=True).get_data(as_text=True)
    assert "Bắt đầu: thời gian không hợp lệ (dạng ngày/tháng/năm giờ:phút" in bad


def test_audit_filter_takes_day_month_year(auth, client):
    auth.login("admin")
    page = client.get("/admin/audit?date_from=01/01/2020&date_to=31/12/2099")
    assert page.status_code == 200
    assert 'value="01/01/2020"' in page.get_data(as_text=True)
    assert client.get("/admin/audit?date_from=31/02/2020").status_code == 400


def test_audit_filter_offers_people_by_name(auth, client):
    auth.login("admin")
    page = client.get("/admin/audit?actor=vanthu").get_data(as_text=True)
    picker = page.split('<select id="actor"')[1].split("</select>")[0]
    assert '<option value="vanthu" selected>Nguyễn Thị Lan — Văn thư</option>' in picker
    assert "chutichtinh" not in picker  # another agency's people are not offered
