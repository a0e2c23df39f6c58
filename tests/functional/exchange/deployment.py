"""A second deployment (another province, UBND tỉnh Phú Thọ) in its own processes.

``python -m tests.functional.exchange.deployment serve INSTANCE PORT`` migrates and seeds
the instance (its own database, its own development PKI and seal), then serves it;
the exchange worker is the real CLI (``eoffice --instance INSTANCE exchange worker``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

READY = "deployment ready on "
CODE, NAME = "000.00.00.H48", "UBND tỉnh Phú Thọ"
CITY = "000.00.10.H62"  # UBND thành phố Vĩnh Yên, the demo's agency
HUB = os.environ.get("EOFFICE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
REPO = Path(__file__).resolve().parents[3]
EOFFICE = str(Path(sys.executable).parent / "eoffice")  # the installed command
PASSWORD = "eoffice-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_database(folder: Path) -> tuple[str, str | None]:
    """A database of its own: a PostgreSQL schema in the suite's PostgreSQL run, else an
    SQLite file. Returns (url, schema)."""
    pg_url = os.environ.get("EOFFICE_TEST_DATABASE_URL")
    if not pg_url:
        return f"sqlite:///{folder / 'eoffice.sqlite3'}", None
    schema = "x_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", schema


def drop_database(schema: str | None) -> None:
    if schema:
        admin = sa.create_engine(os.environ["EOFFICE_TEST_DATABASE_URL"])
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def write_config(instance: Path, **values: Any) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {value!r}" for key, value in values.items()]
    (instance / "config.py").write_text("\n".join(lines) + "\n", "utf-8")


def init_pki(folder: Path) -> Path:
    import signing

    signing.init_dev_pki(folder, agency_name=NAME, agency_abbr="UBND",
                         passphrase=PASSWORD)
    return folder / "root.pem"


class Deployment:
    """The province's web server in a subprocess, driven over HTTP with API tokens."""

    def __init__(self, instance: Path, repo: Path) -> None:
        self.instance = instance
        self.repo = repo
        self.port = free_port()
        self.output: list[str] = []
        self.worker: subprocess.Popen[str] | None = None
        self.worker_output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.functional.exchange.deployment", "serve",
             str(instance), str(self.port)],
            cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = self._wait_ready(120)
        threading.Thread(target=self._drain, args=(self.process, self.output),
                         daemon=True).start()
        self.tokens: dict[str, str] = {}

    def _wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.output.append(line)
            if line.startswith(READY):
                return line[len(READY):].strip()
        self.stop()
        raise RuntimeError("deployment did not start:\n" + "".join(self.output[-40:]))

    @staticmethod
    def _drain(process: subprocess.Popen[str], sink: list[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sink.append(line)

    # -- HTTP ----------------------------------------------------------------------------
    def token(self, username: str) -> str:
        if username not in self.tokens:
            resp = requests.post(f"{self.url}/api/v1/auth/token", timeout=30,
                                 json={"username": username, "password": PASSWORD})
            assert resp.status_code == 200, resp.text
            self.tokens[username] = resp.json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, username: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=60,
                                **kwargs)

    # -- the exchange worker -------------------------------------------------------------
    def start_worker(self, *command: str) -> None:
        """The real ``eoffice exchange worker`` (or ``command``, e.g. ``worker``: Celery)."""
        self.worker_output = []
        self.worker = subprocess.Popen(
            [EOFFICE, "--instance", str(self.instance), *(command or ("exchange", "worker"))],
            cwd=self.repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._drain, args=(self.worker, self.worker_output),
                         daemon=True).start()

    def kill_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait(timeout=30)

    def stop(self) -> None:
        self.kill_worker()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _serve(instance: Path, port: int) -> None:
    from werkzeug.serving import make_server

    from eoffice import create_app
    from eoffice.config import load_config
    from eoffice.db import db
    from eoffice.migrate import upgrade

    upgrade(load_config(instance)["DATABASE_URL"])
    app = create_app(instance=instance)
    from tests.functional.exchange.conftest import ensure_province

    ensure_province(app, CODE, NAME)
    with app.app_context():
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"{READY}http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        _serve(Path(sys.argv[2]), int(sys.argv[3]))
