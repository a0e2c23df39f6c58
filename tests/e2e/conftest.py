"""Browser tests: a real `eoffice demo` server and headless Debian Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
READY = "eoffice ready on "


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`eoffice demo` in a subprocess, on a fresh instance folder and a free port."""

    def __init__(self, instance: Path, env: dict[str, str] | None = None) -> None:
        self.instance = instance
        self.env = dict(env or {})  # what differs from this process's environment
        self.port = _free_port()
        self.output: list[str] = []
        full_env = {**os.environ, **self.env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "eoffice.cli", "--instance", str(instance), "demo",
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env)
        self.url = self._wait_ready(timeout=120)
        threading.Thread(target=self._drain, daemon=True).start()

    def _wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if line.startswith(READY):
                return line[len(READY):].strip()
        self.stop()
        raise RuntimeError("eoffice demo did not start:\n" + "".join(self.output[-40:]))

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo on SQLite, or on a private PostgreSQL schema when EOFFICE_TEST_DATABASE_URL
    is set (the suite's PostgreSQL run)."""
    import uuid

    import sqlalchemy as sa

    pg_url = os.environ.get("EOFFICE_TEST_DATABASE_URL")
    env: dict[str, str] = {}
    schema = None
    if pg_url:
        schema = "e2e_" + uuid.uuid4().hex[:12]
        admin = sa.create_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in pg_url else "?"
        env["EOFFICE_DATABASE_URL"] = f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    server = LiveServer(tmp_path_factory.mktemp("demo-instance"), env)
    yield server
    server.stop()
    errors = [line for line in server.output if "Traceback" in line or "Error" in line]
    # the server side of a failing step (pytest shows it on failure, or with -rA)
    if errors or os.environ.get("EOFFICE_E2E_LOG"):
        print("".join(server.output[-80:]))
    if schema:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh, temporary profile directory.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (own cookies) per test; downloads allowed."""
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(60_000)  # generous: signing under a loaded CI machine
    yield page
    context.close()


def login(page, base_url: str, username: str, password: str = "eoffice-demo") -> None:
    """Log in through the real form."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard")


@pytest.fixture
def login_as(page, live_server):
    def _login(username: str, password: str = "eoffice-demo"):
        page.context.clear_cookies()
        login(page, live_server.url, username, password)
        return page

    return _login
