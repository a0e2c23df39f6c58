"""Layered configuration: defaults → instance config file → EOFFICE_* environment → test dict."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # default: sqlite:///<instance>/eoffice.sqlite3
    # Connections a process keeps open to a server database (PostgreSQL): at least the
    # requests it serves at once (`eoffice serve --threads`, which raises it to threads + 4)
    # — below that, connections are opened and closed under load, and a new PostgreSQL
    # session costs tens of ms of the server's CPU. SQLite ignores it.
    "DATABASE_POOL_SIZE": 12,
    "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
    "CLASSIFIED_FILES": False,
    "DEMO": False,
    "LANGUAGE": "vi",
    "LOGIN_MAX_FAILURES": 10,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    "LOGIN_ADDRESS_MAX_FAILURES": 30,  # failures from one address across usernames
    "SESSION_IDLE_MINUTES": 30,  # a web session unused this long ends
    "API_TOKEN_HOURS": 12,
    "TRUST_ROOTS": [],  # PEM files or folders; the demo adds <instance>/pki/root.pem
    "SEARCH_WORKER": "thread",  # "thread": embedded writer; "external": `eoffice search worker`
    "STORAGE_URL": None,  # default file://<instance>/files; or s3://bucket?endpoint=…
    "BROKER_URL": None,  # redis://… or amqp://…: Celery workers (`eoffice worker`)
    "BROKER_QUEUE": "eoffice",  # Celery queue name (one per deployment on a shared broker)
    # Signatures of a registered file: "background" (the answer says "pending", a worker
    # writes the verdict) or "sync"; empty: "background" with a broker, "sync" without.
    "SIGNATURE_CHECK": "",
    "DEADLINE_REMINDER_DAYS": 1,  # automatic reminder this many days before a deadline
    "SEARCH_BACKEND": "whoosh",  # "whoosh" (folder in the instance) or "postgres" (the database)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set EOFFICE_SESSION_COOKIE_SECURE=1 behind HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "AGENCY_TIMEZONE": "Asia/Ho_Chi_Minh",
    "SIGNATURE_LEVEL": "B-LT",  # PAdES level with a TSA: B-T, B-LT (default) or B-LTA
    "REVOCATION_ONLINE": False,  # ask OCSP, then CRL, online (cached until nextUpdate)
    "TODAY": None,  # frozen agency date for tests and demos (EOFFICE_TODAY=2026-03-05)
    # Liên thông with agencies outside the deployment: the provincial hub (amqp://…; empty:
    # packages are exchanged by hand) and the seal that signs the packages (default: the
    # instance's seal.p12; its passphrase from EOFFICE_EXCHANGE_SEAL_PASSPHRASE).
    "EXCHANGE_HUB": "",
    "EXCHANGE_SEAL_P12": "",
    "EXCHANGE_SEAL_PASSPHRASE": "",
    "EXCHANGE_QUEUE_PREFIX": "eoffice.exchange.",  # queue of an agency: prefix + agency code
    "EXCHANGE_BATCH": 20,  # received packages applied per transaction (one commit, then acks)
}

class ConfigError(Exception):
    """A setting is invalid or the service it names cannot be used (message in Vietnamese)."""


BOOL_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, bool)}
INT_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}
LIST_KEYS = {"TRUST_ROOTS"}


def instance_path_from_env(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The instance folder: explicit argument, then EOFFICE_INSTANCE, then ./instance."""
    raw = explicit or os.environ.get("EOFFICE_INSTANCE") or "instance"
    return Path(raw).resolve()


def _parse_env_value(key: str, raw: str) -> Any:
    if key in BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if key in INT_KEYS:
        return int(raw)
    if key in LIST_KEYS:
        return [part for part in raw.split(os.pathsep) if part]
    return raw


def load_config(instance: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration dict for an instance folder."""
    config = dict(DEFAULTS)
    config_file = instance / "config.py"
    if config_file.exists():
        namespace: dict[str, Any] = {}
        exec(compile(config_file.read_text("utf-8"), str(config_file), "exec"), namespace)  # noqa: S102
        config.update({k: v for k, v in namespace.items() if k.isupper()})
    for key, raw in os.environ.items():
        if key.startswith("EOFFICE_") and key not in {"EOFFICE_INSTANCE"}:
            name = key.removeprefix("EOFFICE_")
            if name in DEFAULTS or name in {"SECRET_KEY", "DATABASE_URL"}:
                config[name] = _parse_env_value(name, raw)
    config.update(overrides or {})
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'eoffice.sqlite3'}"
    # Without an explicit SECRET_KEY, the deployment's key is read from the database on
    # first use (eoffice.deployment_secret): every app server of a deployment has the same.
    return config


def instance_secret(instance: Path) -> str:
    """Read the instance's secret key, generating it (mode 0600) on first run (used only
    before the database is upgraded: see eoffice.deployment_secret)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
