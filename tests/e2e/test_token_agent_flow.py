"""Acceptance (SPEC §7): chutich pairs the token agent (a SoftHSM2 token, `eoffice
token-agent` in its own process), signs a draft from the web page with the PIN typed into
the agent's own prompt (this test answers it on the agent's stdin), the clerk issues it;
pdfsig sees two valid signatures; the server's log and database never saw the PIN.
Then a batch of ten documents with one PIN."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
PASSPHRASE = "eoffice-demo"
PIN = "735194"
DRAFT = {"type_code": "KH", "body": ["Thực hiện chỉ đạo của UBND tỉnh.", "I. MỤC ĐÍCH"],
         "recipients": ["Các phòng, ban thuộc UBND thành phố"], "signer": "chutich",
         "authority": "TM. ỦY BAN NHÂN DÂN"}


class Api:
    def __init__(self, base: str) -> None:
        self.base, self.tokens = base, {}

    def post(self, path: str, user: str, body: dict) -> dict:
        if user not in self.tokens:
            resp = requests.post(f"{self.base}/api/v1/auth/token", timeout=60,
                                 json={"username": user, "password": PASSPHRASE})
            self.tokens[user] = resp.json()["token"]
        resp = requests.post(f"{self.base}{path}", json=body, timeout=120,
                             headers={"Authorization": f"Bearer {self.tokens[user]}"})
        assert resp.status_code in (200, 201), resp.text
        return resp.json()

    def ready_to_sign(self, subject: str) -> int:
        doc_id = self.post("/api/v1/outgoing", "chuyenvien", {**DRAFT, "subject": subject})["id"]
        for route, user in (("submit", "chuyenvien"), ("approve", "truongphong"),
                            ("approve", "vanthu")):
            self.post(f"/api/v1/outgoing/{doc_id}/{route}", user, {})
        return doc_id


class Agent:
    """`eoffice token-agent` as the official runs it; its prompt is answered on stdin."""

    def __init__(self, instance: Path, tmp: Path, server: str, code: str) -> None:
        from signing.tokens import SOFTHSM_MODULE, import_p12_to_token, init_softhsm

        conf = init_softhsm(tmp / "softhsm", token_label="usb-chutich", pin=PIN)
        env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
        os.environ["SOFTHSM2_CONF"] = str(conf)
        import_p12_to_token(instance / "pki" / "users" / "chutich.p12", PASSPHRASE,
                            module=SOFTHSM_MODULE, token_label="usb-chutich", pin=PIN,
                            key_label="chutich")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "eoffice.cli", "token-agent", "--token-label",
             "usb-chutich", "--key-label", "chutich", "--port", "0",
             "--config", str(tmp / "agent.json"), "--pair-server", server,
             "--pair-code", code],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=env, bufsize=0)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for(r"eoffice token-agent on (http://\S+)").group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        buffer = ""
        while True:
            char = self.process.stdout.read(1)
            if not char:
                return
            buffer += char
            if char == "\n" or buffer.endswith("): "):  # the PIN prompt has no newline
                self.output.append(buffer)
                self.lines.put(buffer)
                buffer = ""

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match:
        while True:
            line = self.lines.get(timeout=timeout)
            found = re.search(pattern, line)
            if found:
                return found

    def answer_prompt(self, pin: str) -> str:
        """Wait for the PIN prompt, type the PIN; return what the agent showed."""
        start = len(self.output)
        self.wait_for(r"Nhập mã PIN")
        shown = "".join(self.output[start:])
        assert self.process.stdin is not None
        self.process.stdin.write(pin + "\n")
        self.process.stdin.flush()
        return shown

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def agent_for(live_server, tmp_path):
    started: list[Agent] = []

    def start(code: str) -> Agent:
        agent = Agent(live_server.instance, tmp_path, live_server.url, code)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop()


def _pair(page, base: str, agent_for) -> Agent:
    page.goto(f"{base}/account/token-agent")
    page.click("#new-pairing-code")
    code = page.locator("#pairing-code").inner_text()
    agent = agent_for(code)
    page.reload()
    assert "Đã ghép nối" in page.locator("#pairing-status").inner_text()
    return agent


def _other_origin_gets_nothing(page, agent: Agent, tmp_path: Path) -> None:
    """A page served from another port (another origin) tries the paired agent."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    site = tmp_path / "other-site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>other</title><p>other site</p>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        result = page.evaluate("""async (agent) => {
            const out = {};
            try { const r = await fetch(agent + '/certificate'); out.cert = 'read ' + r.status; }
            catch (e) { out.cert = 'blocked'; }
            const items = [{request_id: 'x', subject: 'giả mạo', data: 'AA==', expires: 4e9,
                            auth: '00'}];
            try {
              const r = await fetch(agent + '/sign', {method: 'POST', mode: 'no-cors',
                body: JSON.stringify({items: items})});
              out.sign = r.type;  // opaque: nothing readable
            } catch (e) { out.sign = 'blocked'; }
            return out;
        }""", agent.url)
    finally:
        other.shutdown()
    assert result["cert"] == "blocked"  # CORS: the agent names only the paired origin
    assert result["sign"] in ("opaque", "blocked")


def _database_text(live_server) -> str:
    import sqlalchemy as sa

    url = os.environ.get("EOFFICE_TEST_DATABASE_URL")
    if not url:
        return (live_server.instance / "eoffice.sqlite3").read_bytes().decode("latin-1")
    engine = sa.create_engine(url)  # the e2e server's schema is on the search path there
    parts = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            parts += [repr(tuple(row)) for row in conn.execute(sa.text(f'SELECT * FROM "{table}"'))]
    engine.dispose()
    return "\n".join(parts)


def test_sign_from_the_page_with_the_usb_token_then_issue(login_as, live_server, agent_for,
                                                          tmp_path):
    base = live_server.url
    api = Api(base)
    doc_id = api.ready_to_sign("Tổ chức Hội thi ký số bằng USB token năm 2026")
    page = login_as("chutich")
    agent = _pair(page, base, agent_for)

    _other_origin_gets_nothing(page, agent, tmp_path)
    page.goto(f"{base}/outgoing/{doc_id}")
    page.click("#token-sign")
    shown = agent.answer_prompt(PIN)
    # the other origin's request never reached the PIN prompt: this is the first one
    assert "".join(agent.output).count("=== Yêu cầu ký số") == 1
    assert "Hội thi ký số bằng USB token" in shown and "SHA-256:" in shown
    expect(page.locator("#document")).to_have_attribute("data-state", "signed",
                                                        timeout=120_000)

    page = login_as("vanthu")
    page.goto(f"{base}/outgoing/{doc_id}")
    form = page.locator("form.action-issue")
    form.locator("input[name=passphrase]").fill(PASSPHRASE)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#document").get_attribute("data-state") == "issued"
    with page.expect_download() as info:
        page.click("#download-pdf")
    pdf = tmp_path / "issued.pdf"
    info.value.save_as(pdf)

    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                   capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i",
                    str(live_server.instance / "pki" / "root.pem")], check=True,
                   capture_output=True)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True,
                         text=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out

    assert PIN not in "".join(live_server.output)  # the server's request log
    assert PIN not in _database_text(live_server)


def test_batch_of_ten_with_one_pin_and_a_wrong_pin_first(login_as, live_server, agent_for):
    base = live_server.url
    api = Api(base)
    ids = [api.ready_to_sign(f"Văn bản ký lô số {n}") for n in range(1, 11)]
    page = login_as("chutich")
    agent = _pair(page, base, agent_for)
    page.goto(f"{base}/outgoing/sign-batch")
    for doc_id in ids:
        assert page.locator(f"input[name=ids][value='{doc_id}']").is_checked()
    page.click("#token-sign")
    agent.answer_prompt("000000")
    status = page.locator("#token-status")
    expect(status).to_have_class(re.compile("error"), timeout=120_000)
    assert "còn 4 lần thử" in status.inner_text() and "Chưa ký văn bản nào" in status.inner_text()
    page.click("#token-sign")
    shown = agent.answer_prompt(PIN)
    assert all(f"Văn bản ký lô số {n}" in shown for n in range(1, 11))
    # signed and finished: the page reloads with nothing left to sign
    expect(page.locator("input[name=ids]")).to_have_count(0, timeout=120_000)
    for doc_id in ids:
        page.goto(f"{base}/outgoing/{doc_id}")
        assert page.locator("#document").get_attribute("data-state") == "signed"
