"""A distributed deployment on one machine, for tests and benchmarks: PostgreSQL (a private
schema), a real S3 server (SeaweedFS), Redis (a private Celery queue), N `eoffice serve`
processes and M `eoffice worker` processes: on one shared instance folder (config, PKI), or
a server on its own copy of it (another machine, :meth:`Cluster.machine`), which may leave
the deployment (:meth:`Cluster.stop`).

    with Cluster(tmp, pg_url=..., redis_url=..., s3=seaweed) as cluster:
        cluster.prepare()                  # `eoffice demo --no-serve` on the shared services
        a = cluster.serve(workers=2)       # -> base URL
        cluster.worker()
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa

from eoffice.s3dev import SeaweedS3, free_port

EOFFICE = str(Path(sys.executable).parent / "eoffice")


class Cluster:
    def __init__(self, root: Path, *, pg_url: str, redis_url: str, s3: SeaweedS3 | None,
                 search_backend: str = "postgres") -> None:
        self.root = Path(root)
        self.instance = self.root / "instance"
        self.pg_url = pg_url
        self.schema = "c_" + uuid.uuid4().hex[:12]
        sep = "&" if "?" in pg_url else "?"
        self.env = {
            **os.environ,
            "EOFFICE_INSTANCE": str(self.instance),
            "EOFFICE_DATABASE_URL": f"{pg_url}{sep}options=-csearch_path%3D{self.schema}",
            "EOFFICE_SEARCH_BACKEND": search_backend,
            "EOFFICE_BROKER_URL": redis_url,
            "EOFFICE_BROKER_QUEUE": f"eoffice-{self.schema}",
        }
        if s3 is not None:
            self.env.update(s3.env())
            self.env["EOFFICE_STORAGE_URL"] = s3.url("eoffice-cluster", prefix=self.schema)
        self.procs: list[subprocess.Popen[bytes]] = []
        self.servers: dict[str, subprocess.Popen[bytes]] = {}

    def prepare(self) -> None:
        """Schema, demo agency, users, PKI and sample documents (`eoffice demo --no-serve`)."""
        admin = sa.create_engine(self.pg_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        self.root.mkdir(parents=True, exist_ok=True)
        subprocess.run([EOFFICE, "demo", "--no-serve"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, timeout=600)

    def _start(self, args: list[str], name: str, nice: int = 0,
               env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")
        prefix = ["nice", "-n", str(nice)] if nice else []
        proc = subprocess.Popen([*prefix, EOFFICE, *args], env=env or self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def machine(self, name: str) -> Path:
        """An instance folder of another machine: a copy of the shared one's configuration
        and PKI (what an administrator installs), nothing it wrote while running."""
        folder = self.root / f"instance-{name}"
        shutil.copytree(self.instance, folder, ignore=shutil.ignore_patterns(
            "pending-uploads", "files", "text-cache", "*.log"))
        return folder

    def serve(self, workers: int = 1, threads: int = 4, instance: Path | None = None) -> str:
        """Start `eoffice serve` (on the shared instance folder, or on ``instance``: another
        machine, see :meth:`machine`); return its base URL once it answers."""
        port = free_port()
        env = {**self.env, "EOFFICE_INSTANCE": str(instance)} if instance else None
        proc = self._start(["serve", "--workers", str(workers), "--threads", str(threads),
                            "--bind", f"127.0.0.1:{port}"], f"serve-{port}", env=env)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/login", proc, self.root / f"serve-{port}.log")
        self.servers[url] = proc
        return url

    def stop(self, url: str) -> None:
        """Stop the server at ``url`` (its machine leaves the deployment)."""
        proc = self.servers.pop(url)
        _end(proc)

    def worker(self, concurrency: int = 2, nice: int = 0,
               env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start `eoffice worker` (``nice``: at a lower CPU priority than the web servers,
        as background work on a machine shared with them should run; ``env``: other
        settings than the cluster's)."""
        n = len(self.procs)
        return self._start(["worker", "--concurrency", str(concurrency)], f"worker-{n}",
                           nice=nice, env=env)

    def demo(self) -> str:
        """`eoffice demo` (embedded: SQLite, files, Whoosh, Werkzeug) in a folder of its own."""
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
        env["EOFFICE_INSTANCE"] = str(self.root / "demo-instance")
        log = (self.root / "demo.log").open("ab")
        proc = subprocess.Popen([EOFFICE, "demo", "--port", str(port)], env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/login", proc, self.root / "demo.log", limit=600)
        return url

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            _end(proc)
        self.procs, self.servers = [], {}
        admin = sa.create_engine(self.pg_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        admin.dispose()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Terminate ``proc`` and its process group (SIGKILL after 30 s)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in time\n{log.read_text()[-3000:]}")
