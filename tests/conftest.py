"""Fixtures for the app: a migrated database (SQLite, or PostgreSQL when
EOFFICE_TEST_DATABASE_URL is set), an instance folder, the demo agency, clients."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

# Plain helper modules of the tests (e.g. hostile_files) are importable by name.
sys.path.insert(0, str(Path(__file__).parent))

PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL")
DEMO_PASSWORD = "eoffice-demo"


def pytest_report_header(config: pytest.Config) -> str:
    storage = "S3 (SeaweedFS)" if os.environ.get("EOFFICE_TEST_STORAGE") == "s3" else "files"
    return (f"eoffice database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}; "
            f"storage: {storage}; search: {os.environ.get('EOFFICE_SEARCH_BACKEND', 'whoosh')}")


@pytest.fixture(scope="session")
def cheap_passwords() -> None:
    from eoffice.auth.operations import configure_hasher

    configure_hasher(time_cost=1, memory_cost=8, parallelism=1)


# Every SoftHSM2 token the tests use (label -> user PIN), created together in one folder.
SOFTHSM_TOKENS = {"eoffice-test": "1234", "usb-chutich": "4321"}


@pytest.fixture(scope="session", autouse=True)
def softhsm_conf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SoftHSM2 token folder for the whole test process, holding every test token.

    The PKCS#11 library reads its token folder once per process: a token created (or a
    SOFTHSM2_CONF set) after the first load stays invisible, so with pytest-xdist mixing
    unit and functional tests in one worker, separate folders per fixture failed by order."""
    from signing.tokens import init_softhsm

    directory = tmp_path_factory.mktemp("softhsm")
    conf = directory / "softhsm2.conf"
    for label, pin in SOFTHSM_TOKENS.items():
        conf = init_softhsm(directory, token_label=label, pin=pin)
    os.environ["SOFTHSM2_CONF"] = str(conf)
    return conf


@pytest.fixture(scope="session")
def dev_pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo PKI, generated once per test session."""
    import signing

    out = tmp_path_factory.mktemp("pki")
    signing.init_dev_pki(out, agency_name="UBND thành phố Vĩnh Yên", agency_abbr="UBND",
                         passphrase=DEMO_PASSWORD)
    # the demo signers' keys too: seed_pki reuses them instead of generating RSA keys per test
    from eoffice.demo import DEMO_USERS, SIGNERS

    for spec in DEMO_USERS:
        if spec.username in SIGNERS:
            signing.issue_user(out, spec.username, spec.full_name, passphrase=DEMO_PASSWORD)
    return out


class Database:
    """A migrated database for this test session, reset between tests."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.schema: str | None = None
        if PG_URL:
            self.schema = "t_" + uuid.uuid4().hex[:12]
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            sep = "&" if "?" in PG_URL else "?"
            self.template_url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"
        else:
            self.template_path = tmp / "template.sqlite3"
            self.template_url = f"sqlite:///{self.template_path}"
        from eoffice.migrate import upgrade

        upgrade(self.template_url)

    @property
    def is_postgres(self) -> bool:
        return self.schema is not None

    def fresh_url(self, folder: Path) -> str:
        if not self.is_postgres:
            target = folder / "eoffice.sqlite3"
            shutil.copyfile(self.template_path, target)
            return f"sqlite:///{target}"
        return self.template_url

    def reset(self, url: str) -> None:
        if not self.is_postgres:
            return
        from eoffice.models import Base

        engine = sa.create_engine(url)
        existing = set(sa.inspect(engine).get_table_names())
        # Model tables, and those of the PostgreSQL search backend (not models).
        names = [t.name for t in Base.metadata.sorted_tables if t.name in existing]
        names += sorted(existing - set(names) - {"alembic_version"})
        tables = ", ".join(f'"{name}"' for name in names)
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()

    def drop(self) -> None:
        if self.is_postgres:
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(tmp_path_factory.mktemp("db"))
    yield db
    db.drop()


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real S3 server (SeaweedFS) for this test session; boto3 credentials in the env."""
    from eoffice.s3dev import SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("s3")).start()
    saved = {k: os.environ.get(k) for k in server.env()}
    os.environ.update(server.env())
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def s3_storage_url(s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh key prefix in the session's S3 bucket, also for CLI commands (environment)."""
    url = s3_server.url("eoffice-tests", prefix="t" + uuid.uuid4().hex[:12])
    monkeypatch.setenv("EOFFICE_STORAGE_URL", url)
    return url


@pytest.fixture
def storage_url(request: pytest.FixtureRequest) -> str | None:
    """None: files in the instance folder; an S3 prefix when EOFFICE_TEST_STORAGE=s3."""
    if os.environ.get("EOFFICE_TEST_STORAGE") == "s3":
        return request.getfixturevalue("s3_storage_url")
    return None


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings a test module adds to its app (override this fixture)."""
    return {}


@pytest.fixture
def app(database: Database, instance: Path, dev_pki_dir: Path, cheap_passwords: None,
        storage_url: str | None, app_config: dict[str, Any]):
    """The app on a fresh database with the demo agency and its users."""
    from eoffice import create_app
    from eoffice.db import db
    from eoffice.demo import seed_agency, seed_pki

    url = database.fresh_url(instance)
    pki = instance / "pki"
    shutil.copytree(dev_pki_dir, pki)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SEARCH_WORKER": "sync",
                      "STORAGE_URL": storage_url,
                      "TRUST_ROOTS": [str(pki / "root.pem")], **app_config},
                     instance=instance)
    with app.app_context(), db.transaction() as session:
        seed_agency(session)
    with app.app_context(), db.transaction() as session:
        seed_pki(session, pki)
    yield app
    db.session.remove()
    database.reset(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


class WebAuth:
    """Log a test client in through the real login form (with its CSRF token)."""

    def __init__(self, client) -> None:
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "page has no CSRF token"
        return match.group(1)

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = self.csrf("/login")
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": token})

    def post(self, path: str, **kwargs):
        data = dict(kwargs.pop("data", {}) or {})
        data["csrf_token"] = self.csrf("/dashboard")
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def auth(client) -> WebAuth:
    return WebAuth(client)


class ApiClient:
    """Bearer-token API calls as a given user."""

    def __init__(self, client) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            resp = self.client.post("/api/v1/auth/token",
                                    json={"username": username, "password": DEMO_PASSWORD})
            assert resp.status_code == 200, resp.get_json()
            self.tokens[username] = resp.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, username: str | None = None, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        if username:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, username: str | None = None, **kwargs):
        return self.call("GET", path, username, **kwargs)

    def post(self, path: str, username: str | None = None, **kwargs):
        return self.call("POST", path, username, **kwargs)


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


# --- A test PKI with real OCSP, CRL and timestamp responders on 127.0.0.1 (certomancer) ---

CA_LEAVES = ("official", "revoked", "seal")


class CaResponders:
    """certomancer's Animator serving OCSP, CRLs and a TSA for a root → intermediate PKI.

    Leaves: ``official`` (good), ``revoked`` (revoked since yesterday), ``seal``; each has
    an OCSP URL and a CRL distribution point on this server. The signing CA issues a CRL a
    day, the current one at start-up: OCSP and CRL both know of the revocation.
    :meth:`disturbed` slows or stops the OCSP/CRL responders for a test."""

    def __init__(self, folder: Path) -> None:
        import datetime as dt
        import logging
        import socket
        import threading

        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from certomancer.registry import CertomancerConfig
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from werkzeug.serving import make_server

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.revoked_since = now - dt.timedelta(days=1)
        keys = folder / "keys"
        keys.mkdir(parents=True)
        labels = ("root", "interm", "ocsp", "tsa", *CA_LEAVES)
        for label in labels:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            (keys / f"{label}.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))

        def iso(moment: dt.datetime) -> str:
            return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")

        validity = {"valid-from": iso(now - dt.timedelta(days=30)),
                    "valid-to": iso(now + dt.timedelta(days=3650))}
        usage = {"id": "key_usage", "critical": True,
                 "smart-value": {"schema": "key-usage",
                                 "params": ["digital_signature", "non_repudiation"]}}
        leaf_ext = [usage,
                    {"id": "crl_distribution_points",
                     "smart-value": {"schema": "crl-dist-url",
                                     "params": {"crl-repo-names": ["interm"]}}},
                    {"id": "authority_information_access",
                     "smart-value": {"schema": "aia-urls",
                                     "params": {"ocsp-responder-names": ["interm"]}}}]
        ca_ext = [{"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                  {"id": "key_usage", "critical": True,
                   "smart-value": {"schema": "key-usage",
                                   "params": ["digital_signature", "key_cert_sign",
                                              "crl_sign"]}}]
        certs: dict = {
            "root": {"subject": "root", "issuer": "root", "validity": validity,
                     "extensions": ca_ext},
            "interm": {"issuer": "root", "validity": validity, "extensions": [
                *ca_ext, {"id": "crl_distribution_points",
                          "smart-value": {"schema": "crl-dist-url",
                                          "params": {"crl-repo-names": ["root"]}}}]},
            "ocsp": {"issuer": "interm", "validity": validity, "extensions": [
                usage, {"id": "extended_key_usage", "critical": True,
                        "value": ["ocsp_signing"]}, {"id": "ocsp_no_check"}]},
            "tsa": {"issuer": "root", "validity": validity, "extensions": [
                {**usage, "smart-value": {"schema": "key-usage",
                                          "params": ["digital_signature"]}},
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {"id": "crl_distribution_points",
                 "smart-value": {"schema": "crl-dist-url",
                                 "params": {"crl-repo-names": ["root"]}}}]},
        }
        for leaf in CA_LEAVES:
            certs[leaf] = {"issuer": "interm", "validity": validity, "extensions": leaf_ext}
        certs["revoked"]["revocation"] = {"revoked-since": iso(self.revoked_since),
                                          "reason": "key_compromise"}
        config = {
            "external-url-prefix": self.url,
            "keysets": {"test": {"path-prefix": str(keys), "keys": {
                label: {"path": f"{label}.pem"} for label in labels}}},
            "pki-architectures": {"eoffice": {
                "keyset": "test",
                "entity-defaults": {"country-name": "VN",
                                    "organization-name": "Ban Cơ yếu Chính phủ (thử)"},
                "entities": {"root": {"common-name": "Test Root CA"},
                             "interm": {"common-name": "Test Signing CA"},
                             "ocsp": {"common-name": "Test OCSP"},
                             "tsa": {"common-name": "Test TSA"},
                             "official": {"common-name": "Nguyễn Văn An"},
                             "revoked": {"common-name": "Trần Văn Thu Hồi"},
                             "seal": {"common-name": "UBND thành phố Vĩnh Yên"}},
                "certs": certs,
                "services": {
                    "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp",
                                        "signing-key": "ocsp"}},
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root",
                                 "simulated-update-schedule": "P7D"},
                        # daily, from the CA's start 30 days ago: the current CRL is
                        # issued now, after the revocation (weekly, it was issued two days
                        # ago and still showed the revoked leaf as good)
                        "interm": {"for-issuer": "interm", "signing-key": "interm",
                                   "simulated-update-schedule": "P1D"}},
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                }}},
        }
        cfg = CertomancerConfig(config, key_search_dir=str(folder))
        self.arch = cfg.get_pki_arch("eoffice")
        self.root_pem = folder / "root.pem"
        self.root_pem.write_bytes(self._pem("root"))
        self.tsa_url = f"{self.url}/eoffice/tsa/tsa"
        self.folder = folder
        app = Animator(AnimatorArchStore({"eoffice": self.arch}), with_web_ui=False)
        self.requests = 0
        self.down: frozenset[str] = frozenset()
        self.ocsp_delay = 0.0

        def counting(environ, start_response):  # type: ignore[no-untyped-def]
            self.requests += 1
            path = environ.get("PATH_INFO", "")
            if any(part in path for part in self.down):
                start_response("503 Service Unavailable", [("Content-Length", "0")])
                return [b""]
            if "/ocsp/" in path and self.ocsp_delay:
                time.sleep(self.ocsp_delay)
            return app(environ, start_response)

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server("127.0.0.1", self.port, counting, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _pem(self, label: str) -> bytes:
        from asn1crypto import pem

        return pem.armor("CERTIFICATE", self.arch.get_cert(label).dump())

    def cert(self, label: str):  # type: ignore[no-untyped-def]
        return self.arch.get_cert(label)

    def p12(self, label: str, passphrase: str = "secret") -> Path:
        """The leaf's key, certificate and chain as a PKCS#12 file."""
        path = self.folder / f"{label}.p12"
        if not path.exists():
            path.write_bytes(self.arch.package_pkcs12(label, password=passphrase.encode()))
        return path

    def timestamper_at(self, moment):  # type: ignore[no-untyped-def]
        """The same TSA, in-process, stamping a fixed (past) time."""
        from pyhanko.sign.timestamps import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        return DummyTimeStamper(
            tsa_cert=self.cert("tsa"), tsa_key=self.arch.key_set.get_private_key("tsa"),
            certs_to_embed=SimpleCertificateStore.from_certs([self.cert("root")]),
            fixed_dt=moment)

    @contextmanager
    def disturbed(self, *, down: tuple[str, ...] = (), ocsp_delay: float = 0.0
                  ) -> Iterator[None]:
        """Inside the block the URLs whose path contains one of ``down`` answer 503
        (``"/ocsp/"``: the OCSP responder, ``".crl"``: every CRL, ``"/interm/latest.crl"``:
        the signing CA's CRL) and each OCSP answer takes ``ocsp_delay`` seconds more (a
        loaded responder)."""
        self.down, self.ocsp_delay = frozenset(down), ocsp_delay
        try:
            yield
        finally:
            self.down, self.ocsp_delay = frozenset(), 0.0

    def stop(self) -> None:
        self._server.shutdown()


@pytest.fixture(scope="session")
def ca_responders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaResponders]:
    responders = CaResponders(tmp_path_factory.mktemp("ca"))
    yield responders
    responders.stop()
