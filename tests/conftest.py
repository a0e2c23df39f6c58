"""Fixtures for the app: a migrated database (SQLite, or PostgreSQL when
EOFFICE_TEST_DATABASE_URL is set), an instance folder, the demo agency, clients."""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

# Plain helper modules of the tests (e.g. hostile_files) are importable by name.
sys.path.insert(0, str(Path(__file__).parent))

PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL")
DEMO_PASSWORD = "eoffice-demo"


def pytest_report_header(config: pytest.Config) -> str:
    return f"eoffice database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def cheap_passwords() -> None:
    from eoffice.auth.operations import configure_hasher

    configure_hasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session")
def dev_pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo PKI, generated once per test session."""
    import signing

    out = tmp_path_factory.mktemp("pki")
    signing.init_dev_pki(out, agency_name="UBND thành phố Vĩnh Yên", agency_abbr="UBND",
                         passphrase=DEMO_PASSWORD)
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


@pytest.fixture
def app(database: Database, instance: Path, dev_pki_dir: Path, cheap_passwords: None):
    """The app on a fresh database with the demo agency and its users."""
    from eoffice import create_app
    from eoffice.db import db
    from eoffice.demo import seed_agency, seed_pki

    url = database.fresh_url(instance)
    pki = instance / "pki"
    shutil.copytree(dev_pki_dir, pki)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SEARCH_WORKER": "sync",
                      "TRUST_ROOTS": [str(pki / "root.pem")]}, instance=instance)
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
