"""Documents made directly through the shared document operations (search, repair tests)."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
import sqlalchemy as sa


def make_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer holds ``text`` (Vietnamese-capable font)."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from eoffice.rendering.fonts import serif_file

    if "EofficeTestSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("EofficeTestSerif", str(serif_file())))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("EofficeTestSerif", 12)
    for i, line in enumerate(text.splitlines() or [text]):
        pdf.drawString(72, 780 - 16 * i, line)
    pdf.save()
    return buffer.getvalue()


class Docs:
    def __init__(self, app) -> None:
        self.app = app

    def create(self, subject: str, *, content: str = "", secrecy: str = "none",
               department: str = "VP", keys: tuple[str, ...] = ("role:leader", "role:clerk"),
               direction: str = "incoming", type_code: str = "CV") -> int:
        from eoffice.auth.models import Department, User
        from eoffice.db import db
        from eoffice.documents.models import Direction, Document
        from eoffice.documents.operations import attach_file, mark_changed
        from eoffice.extensions import file_store
        from eoffice.storage import PDF

        with self.app.app_context():
            session = db.session
            clerk = session.scalar(sa.select(User).where(User.username == "vanthu"))
            dept = session.scalar(sa.select(Department).where(
                Department.abbreviation == department,
                Department.agency_id == clerk.department.agency_id))
            document = Document(direction=Direction(direction), state="registered",
                                subject=subject, secrecy=secrecy, type_code=type_code,
                                issuer_name="UBND tỉnh Vĩnh Phúc", department=dept,
                                created_by=clerk, arrival_date=date(2026, 11, 2))
            session.add(document)
            session.flush()
            document.grant(*keys, f"dept:{department}")
            if content:
                attach_file(session, file_store(), document, "original", make_pdf(content),
                            clerk, accepted={PDF})
            mark_changed(session, document)
            session.commit()
            return document.id

    def reclassify(self, document_id: int, secrecy: str) -> None:
        from eoffice.auth.models import User
        from eoffice.db import db
        from eoffice.documents.models import Document
        from eoffice.documents.operations import reclassify

        with self.app.app_context():
            chutich = db.session.scalar(sa.select(User).where(User.username == "chutich"))
            reclassify(db.session, db.session.get(Document, document_id), secrecy, chutich)
            db.session.commit()


@pytest.fixture
def docs(app) -> Docs:
    return Docs(app)


@pytest.fixture
def search_api(api):
    def run(q: str, username: str = "chutich", **params):
        resp = api.get("/api/v1/search", username, query_string={"q": q, **params})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    return run


@pytest.fixture
def pdf_with_text():
    """``pdf_with_text(text) -> bytes``: a one-page PDF with that text layer."""
    return make_pdf


# --- The official's token agent (SPEC §7): chutich's key on a SoftHSM2 token, the agent's
# real HTTP server on 127.0.0.1 with its PIN prompt answered by the test ---

PIN = "4321"
ORIGIN = "http://localhost"  # the Flask test client's origin




class Prompt:
    """The agent's PIN prompt, answered by the test (records what the official saw)."""

    def __init__(self) -> None:
        self.answers: list[str | None] = []
        self.shown: list[list[dict[str, str]]] = []
        self.warnings: list[str | None] = []

    def __call__(self, items, warning):  # type: ignore[no-untyped-def]
        self.shown.append(items)
        self.warnings.append(warning)
        return self.answers.pop(0)


@pytest.fixture(scope="session")
def token_store(softhsm_conf, dev_pki_dir):
    """One SoftHSM2 token for the session holding chutich's key and the agency seal (the
    PKCS#11 library reads its token folder once per process)."""
    import signing
    from signing.tokens import SOFTHSM_MODULE, import_p12_to_token

    # chutich's credential in the session PKI: every test instance copies (and reuses) it
    signing.issue_user(dev_pki_dir, "chutich", "Trần Văn Hùng", passphrase="eoffice-demo")
    conf = softhsm_conf  # the session's token folder (token "usb-chutich", PIN 4321)
    os.environ["SOFTHSM2_CONF"] = str(conf)
    for p12, label in ((dev_pki_dir / "users" / "chutich.p12", "chutich"),
                       (dev_pki_dir / "seal.p12", "seal")):
        import_p12_to_token(p12, "eoffice-demo", module=SOFTHSM_MODULE,
                            token_label="usb-chutich", pin=PIN, key_label=label)
    return SOFTHSM_MODULE, str(conf)


@pytest.fixture
def token(token_store):
    """chutich's key and the seal on a SoftHSM2 token (on "their PC")."""
    import signing

    module, conf = token_store
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = conf
    signing.close_pkcs11_sessions()
    yield module
    signing.close_pkcs11_sessions()
    if old is not None:
        os.environ["SOFTHSM2_CONF"] = old


@pytest.fixture
def start_agent(token, tmp_path):
    """``start_agent(key_label)``: an agent's HTTP server for that key on the token, on a
    free port, its prompt answered by the test; returns (url, prompt, access, config)."""
    from signing.agent import TokenAccess, serve

    servers = []

    def start(key_label: str = "chutich"):  # type: ignore[no-untyped-def]
        prompt = Prompt()
        access = TokenAccess(token, "usb-chutich", key_label, pin_tries=5)
        config = tmp_path / f"agent-{key_label}.json"
        server = serve(access, config, prompt=prompt, port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", prompt, access, config

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def agent(start_agent):
    """The official's agent (chutich's key)."""
    return start_agent("chutich")


def _pair(client, auth, agent, username: str = "chutich") -> None:  # see pair_agent
    """Pairing as the official does it: code from the account page, agent redeems it."""
    import base64
    import re

    from signing.agent import Pairing

    url, _, access, config = agent
    auth.login(username)
    page = auth.post("/account/token-agent").get_data(as_text=True)
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', page).group(1)
    cert, chain = access.certificate()
    resp = client.post("/api/v1/token-agent/pair", json={
        "code": code, "certificate": base64.b64encode(cert).decode(),
        "chain": [base64.b64encode(c).decode() for c in chain], "agent_url": url})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    Pairing(ORIGIN, bytes.fromhex(body["key"]), body["username"]).save(config)
    again = client.post("/api/v1/token-agent/pair", json={
        "code": code, "certificate": base64.b64encode(cert).decode(), "agent_url": url})
    assert again.status_code == 422  # the code is one-time
    assert "Đã ghép nối" in client.get("/account/token-agent").get_data(as_text=True)


@pytest.fixture
def pair_agent():
    """``pair_agent(client, auth, agent)``: the official pairs the agent (as chutich)."""
    return _pair



@pytest.fixture
def repair(app, instance):
    """Run ``eoffice repair [args]`` on the test instance; returns the click result."""
    from eoffice.cli import cli

    runner = app.test_cli_runner()
    env = {"EOFFICE_DATABASE_URL": app.config["DATABASE_URL"],
           "EOFFICE_STORAGE_URL": app.config.get("STORAGE_URL") or ""}

    def run(*args: str):
        return runner.invoke(cli, ["--instance", str(instance), "repair", *args], env=env)

    return run


@pytest.fixture
def tamper_state(app):
    """A write that bypasses the workflow (or a crash): set ``table.column`` of row ``id``."""
    from eoffice.db import db

    def tamper(table: str, row_id: int, value: str, column: str = "state") -> None:
        with app.app_context():
            db.session.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),
                               {"v": value, "id": row_id})
            db.session.commit()
            db.session.remove()

    return tamper


@pytest.fixture
def cached_state(app):
    """The cached ``table.column`` of row ``id`` as stored."""
    from eoffice.db import db

    def read(table: str, row_id: int, column: str = "state") -> str:
        with app.app_context():
            value = db.session.scalar(sa.text(f"SELECT {column} FROM {table} WHERE id = :id"),
                                      {"id": row_id})
            db.session.remove()
            return value

    return read
