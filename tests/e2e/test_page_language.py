"""Acceptance 3 of issue 16: every page of every role, in both languages.

Each role logs in once and walks every GET page of the app's ``url_map`` (the ids of demo
objects taken from the links the pages show, query variants such as list tabs included):

* in Vietnamese, no raw code is on screen (coverage and modification levels, secrecy and
  urgency codes, audit action names, ISO timestamps; ``<code>``/``<pre>`` excepted: the
  CSV import help names the codes of its columns on purpose);
* in English, no Vietnamese text is on screen except data: a text node or attribute
  (placeholder, title, aria-label, alt) with Vietnamese letters fails unless what carries
  them is stored data (names of documents, people, departments, agencies, meetings...; read
  from the demo's database) or a Decree 30 document type name (``Công văn``, data of the
  official document).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.e2e.test_layout_roles import _login

pytestmark = pytest.mark.e2e

ROLES = {  # role: demo user (in the order that discovers the demo objects first)
    "clerk": "vanthu", "leader": "chutich", "head": "truongphong", "specialist": "chuyenvien",
    "secretary": "thuky", "admin": "admin", "sysadmin": "sysadmin"}
FILE_ROUTE = re.compile(r"\.(png|pdf|zip|csv|xlsx)$|/(docx|download|file)$|/materials/")
NOT_PAGES = {"web.healthz", "web.index", "auth.login", "static"}
"""Downloads and redirects: no page of their own (a file, JSON, or a redirect)."""
VARIANTS = {False: 4, True: 2}
"""Distinct URLs visited per endpoint and role: query variants of a page without ids (list
tabs, filters), or ids of demo objects."""

VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
RAW_WORDS = (r"entire_revision|entire_file|form_filling|toi_mat|tuyet_mat|thuong_khan|hoa_toc|"
             r"(?:outgoing|incoming|meeting|assignment|exchange|user|permission|department|agency|"
             r"credential|trust)\.[a-z_]+|login_failed|login_throttled|user_create|password_change|"
             r"sessions_ended|token_revoke")
RAW = re.compile(rf"\b({RAW_WORDS}|none)\b|\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}")
RAW_EN = re.compile(rf"\b({RAW_WORDS})\b|\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}")
"""In English, ``none`` is a word (“(none)”), not the secrecy code."""
SEEDS = ["/search?q=van+hoa"]
"""Pages reached through a form rather than a link: a search with hits (result links)."""

SHOWN_TEXT = """() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'TEXTAREA', 'NOSCRIPT', 'CODE', 'PRE']);
  const out = [document.title];
  // text declared in another language (the language switch, an official register's entries)
  const other = el => (el.closest('[lang]') || document.documentElement).lang
                      !== document.documentElement.lang;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode:
    n => skip.has(n.parentElement.tagName) || other(n.parentElement)
         ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], [alt]')) {
    if (other(el)) continue;
    for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
      const value = el.getAttribute(name);
      if (value) out.push(value.trim());
    }
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) {
    if (el.value) out.push(el.value.trim());
  }
  return out;
}"""


class Walk:
    """What the role walks share: the page rules, the URLs seen so far per endpoint (ids
    of demo objects found by one role are visited by the others too), the findings."""

    def __init__(self, live_server: Any) -> None:
        from eoffice import create_app

        url = live_server.env.get("EOFFICE_DATABASE_URL")
        app = create_app({"DATABASE_URL": url} if url else None, instance=live_server.instance)
        self.adapter = app.url_map.bind("localhost")
        self.pages = {r.endpoint: r for r in app.url_map.iter_rules()
                      if "GET" in (r.methods or ()) and not r.rule.startswith("/api/")
                      and r.endpoint not in NOT_PAGES and not FILE_ROUTE.search(r.rule)}
        self.known: dict[str, list[str]] = defaultdict(list)  # endpoint -> paths
        self.visited: dict[str, set[str]] = defaultdict(set)  # endpoint -> roles (HTTP 200)
        self.data = _stored_texts(app.config["DATABASE_URL"])

    def endpoint(self, path: str) -> str | None:
        from werkzeug.exceptions import HTTPException
        from werkzeug.routing import RequestRedirect

        try:
            endpoint, _args = self.adapter.match(urlsplit(path).path, method="GET")
        except (HTTPException, RequestRedirect):
            return None
        return endpoint if endpoint in self.pages else None


def _stored_texts(database_url: str) -> list[str]:
    """Every stored text with Vietnamese letters (each line of it), longest first: what a
    page may show as data. Texts that are msgids of the catalogue are labels, not data."""
    from babel.messages.pofile import read_po

    from eoffice.i18n import TRANSLATIONS
    from eoffice.outgoing.authority import COLLECTIVE_NAMES
    from eoffice.rendering.types import DOCUMENT_TYPES

    with (TRANSLATIONS / "en/LC_MESSAGES/messages.po").open("rb") as source:
        msgids = {m.id for m in read_po(source) if m.id}
    texts: set[str] = set(DOCUMENT_TYPES.values()) | set(DOCUMENT_TYPES)
    engine = sa.create_engine(database_url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                columns = [c for c in table.columns
                           if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
                for row in conn.execute(sa.select(*columns)) if columns else ():
                    for value in row:
                        _collect(value, texts)
    finally:
        engine.dispose()
    texts |= set(COLLECTIVE_NAMES.values())  # printed in the signing authority (TM. ...)
    found = {line.strip() for text in texts for line in text.splitlines()}
    found |= {text.upper() for text in found}  # titles in capitals: KT. CHỦ TỊCH
    return sorted((t for t in found if VIETNAMESE.search(t) and t not in msgids),
                  key=len, reverse=True)


def _collect(value: Any, into: set[str]) -> None:
    import json

    if isinstance(value, str):
        if value[:1] in "[{":
            try:
                _collect(json.loads(value), into)
                return
            except ValueError:
                pass
        into.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, into)
    elif isinstance(value, list):
        for item in value:
            _collect(item, into)


def _raw(pattern: re.Pattern[str], texts: list[str]) -> list[str]:
    return sorted({m.group(0) for text in texts for m in pattern.finditer(text)})


def _vietnamese_left(texts: list[str], data: list[str]) -> list[str]:
    """The shown texts still holding Vietnamese letters once every stored text is cut out."""
    left = []
    for text in texts:
        if not VIETNAMESE.search(text):
            continue
        rest = text
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
                if not VIETNAMESE.search(rest):
                    break
        if VIETNAMESE.search(rest):
            left.append(text)
    return left


@pytest.fixture(scope="module")
def walk(browser, live_server):
    """The walk's shared state, once the demo has a meeting (it has none of its own): the
    secretary creates one with every department invited, through the form."""
    context, page = _login(browser, live_server.url, "thuky", 1280, 900)
    try:
        page.goto(live_server.url + "/meetings/new")
        page.fill("#title", "Họp giao ban tháng 12")
        page.fill("#starts_at", "2026-12-07T08:00")
        page.fill("#location", "Phòng họp tầng 2")
        for box in page.locator("#meeting-form input[name=departments]").all():
            box.check()
        page.locator("#meeting-form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/meetings/\d+$"))
    finally:
        context.close()
    return Walk(live_server)


def _visit(page, url: str) -> int:
    """The page's HTTP status, or 0 for a download (a register as XLSX or PDF...)."""
    from playwright.sync_api import Error

    try:
        response = page.goto(url, wait_until="domcontentloaded")
    except Error as exc:
        if "Download is starting" in str(exc):
            return 0
        raise
    return response.status if response else 0


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return [h.split("#")[0] for h in hrefs if h.startswith(base)]


def _walk_vietnamese(page, base: str, walk: Walk, role: str) -> tuple[list[str], list[str]]:
    """Every page this role reaches from its dashboard, then every other page of the app
    (known ids from the other roles' walks); raw codes on each."""
    problems: list[str] = []
    queue, seen, per_endpoint = [base + "/dashboard"], set(), defaultdict(int)
    queue += [base + rule.rule for rule in walk.pages.values() if not rule.arguments]
    queue += [base + seed for seed in SEEDS]
    visited: list[str] = []
    while queue:
        url = queue.pop(0)
        path = url[len(base):] or "/"
        endpoint = walk.endpoint(path)
        if (url in seen or endpoint is None
                or per_endpoint[endpoint] >= VARIANTS[bool(walk.pages[endpoint].arguments)]):
            continue
        seen.add(url)
        per_endpoint[endpoint] += 1
        status = _visit(page, url)
        if status == 0:
            continue
        if status == 200:
            walk.visited[endpoint].add(role)
            if path not in walk.known[endpoint]:
                walk.known[endpoint].append(path)
        visited.append(url)
        found = _raw(RAW, page.evaluate(SHOWN_TEXT))
        if found:
            problems.append(f"{role} {path}: raw codes {found}")
        queue.extend(_links(page, base))
        if not queue:  # pages with ids this role found no link to: the others' demo objects
            queue.extend(base + paths[0] for endpoint, paths in walk.known.items()
                         if per_endpoint[endpoint] == 0)
    return visited, problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_in_both_languages(browser, live_server, walk, role):
    base = live_server.url
    context, page = _login(browser, base, ROLES[role], 1280, 900)
    try:
        visited, problems = _walk_vietnamese(page, base, walk, role)
        assert len(visited) >= 10, visited
        page.goto(base + "/dashboard")
        page.click("form.lang button")  # the language switch every page has
        page.wait_for_url("**/dashboard")
        assert page.locator("html").get_attribute("lang") == "en"
        for url in visited:
            _visit(page, url)
            shown = page.evaluate(SHOWN_TEXT)
            left = _vietnamese_left(shown, walk.data)
            if left:
                problems.append(f"{role} {url[len(base):]}: Vietnamese in English {left[:8]}")
            found = _raw(RAW_EN, shown)
            if found:
                problems.append(f"{role} {url[len(base):]} (en): raw codes {found}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_every_page_was_visited(walk):
    """Runs after the role walks (same module): each page of the url_map answered 200 to at
    least one role."""
    assert walk.visited, "run with the role walks above"
    missing = sorted(set(walk.pages) - set(walk.visited))
    assert not missing, f"pages no role reached: {missing}"


def test_the_english_check_sees_a_vietnamese_label():
    """The check fails on a template text left in Vietnamese, not on data around it."""
    data = ["Kế hoạch tổ chức Ngày Văn hóa", "Nguyễn Thị Lan"]
    assert _vietnamese_left(["Kế hoạch tổ chức Ngày Văn hóa", "Nguyễn Thị Lan · Clerk"],
                            data) == []
    assert _vietnamese_left(["Trạng thái: Kế hoạch tổ chức Ngày Văn hóa"], data) == [
        "Trạng thái: Kế hoạch tổ chức Ngày Văn hóa"]
