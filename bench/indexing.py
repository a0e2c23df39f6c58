"""What indexing a registered document costs the background worker (issue 13).

``eoffice serve --workers 2`` and one ``eoffice worker`` on PostgreSQL (search backend
too), S3 (SeaweedFS started here) and Redis, as in ``bench/load.py``; ``--clients``
threads register 1-page PDFs for ``--seconds`` seconds, then the worker finishes its
backlog. Prints the worker process's CPU time per registered document (``/proc``; it also
validates the signatures of the registered files) and the statements PostgreSQL ran for the
worker and for the web servers per document (``pg_stat_statements``: the worker connects as
a role of its own, so its statements are counted apart).

Run: ``.venv/bin/python bench/indexing.py [--clients 8] [--seconds 20]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE))

from load import make_pdfs, token  # noqa: E402

from eoffice.devcluster import Cluster  # noqa: E402
from eoffice.s3dev import SeaweedS3  # noqa: E402

WORKER_ROLE = "eoffice_bench_worker"


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def statements(engine: sa.Engine) -> dict[str, int]:
    """Calls per role since the last reset."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.rolname, sum(s.calls) FROM pg_stat_statements s "
            "JOIN pg_roles r ON r.oid = s.userid GROUP BY 1")).all()
    return {str(name): int(n) for name, n in rows}


def statements_counted(engine: sa.Engine) -> bool:
    """Whether this PostgreSQL server counts statements (``pg_stat_statements`` in
    ``shared_preload_libraries``; the extension is created when it is)."""
    with engine.begin() as conn:
        loaded = conn.scalar(sa.text("SELECT current_setting('shared_preload_libraries')"))
        if "pg_stat_statements" not in str(loaded or ""):
            return False
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
    return True


def register(base: str, clients: int, seconds: float, pdfs: list[bytes]) -> int:
    auth = {"Authorization": f"Bearer {token(base, 'vanthu')}"}
    stop, done, lock = threading.Event(), [0], threading.Lock()

    def client(seed: int) -> None:
        http = requests.Session()
        i = seed
        while not stop.is_set():
            i += clients
            resp = http.post(f"{base}/api/v1/incoming", headers=auth, timeout=120,
                             files={"file": ("vb.pdf", pdfs[i % len(pdfs)])},
                             data={"subject": f"Kế hoạch chuyển đổi số {i}",
                                   "issuer_name": "Sở Nội vụ", "type_code": "KH"})
            if resp.status_code == 201:
                with lock:
                    done[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return done[0]


def pending(engine: sa.Engine, schema: str) -> int:
    with engine.connect() as conn:
        return sum(int(conn.scalar(sa.text(f'SELECT count(*) FROM "{schema}".{table}')) or 0)
                   for table in ("search_outbox", "signature_checks"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--pg-url", default=os.environ.get(
        "EOFFICE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args()
    admin = sa.create_engine(args.pg_url)
    with admin.begin() as conn:  # dropped at the end
        if not conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                           {"r": WORKER_ROLE}):
            conn.execute(sa.text(f"CREATE ROLE {WORKER_ROLE} LOGIN SUPERUSER"))
    pdfs = make_pdfs(50)
    root = Path(tempfile.mkdtemp(prefix="bench-indexing-"))
    with SeaweedS3(root / "s3") as s3, Cluster(root / "cluster", pg_url=args.pg_url,
                                               redis_url=args.redis_url, s3=s3) as cluster:
        cluster.prepare()
        base = cluster.serve(workers=2, threads=8)
        requests.post(f"{base}/api/v1/auth/token", timeout=60)  # warm both web workers
        worker_env = {**cluster.env, "EOFFICE_DATABASE_URL": cluster.env[
            "EOFFICE_DATABASE_URL"].replace("postgres@", f"{WORKER_ROLE}@", 1)}
        worker = cluster.worker(concurrency=2, env=worker_env)
        time.sleep(8)  # the worker is up and has drained the demo's documents
        while pending(admin, cluster.schema):
            time.sleep(0.5)
        counted = statements_counted(admin)
        if counted:
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_stat_statements_reset()"))
                conn.commit()
        cpu = cpu_of(worker.pid)
        start = time.monotonic()
        docs = register(base, args.clients, args.seconds, pdfs)
        while pending(admin, cluster.schema):
            time.sleep(0.2)
        took = time.monotonic() - start
        cpu = cpu_of(worker.pid) - cpu
        print(f"{docs} documents registered in {args.seconds:.0f} s ({docs / args.seconds:.1f}/s)"
              f", all indexed and checked after {took:.1f} s")
        print(f"worker CPU: {cpu:.2f} s = {cpu / max(docs, 1) * 1000:.1f} ms per document")
        if counted:
            print_statements(admin, docs)
        else:
            print("statements: not counted (this PostgreSQL server does not load "
                  "pg_stat_statements: shared_preload_libraries)")
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP ROLE IF EXISTS {WORKER_ROLE}"))
    admin.dispose()
    return 0


def print_statements(admin: sa.Engine, docs: int) -> None:
    """Statements per document by role since the reset; the worker's most frequent."""
    calls = statements(admin)
    web = sum(n for role, n in calls.items() if role != WORKER_ROLE)
    mine = calls.get(WORKER_ROLE, 0)
    print(f"statements per document: worker {mine / max(docs, 1):.1f}, other roles "
          f"{web / max(docs, 1):.1f} (the web servers, this script's polling and anything "
          f"else on this PostgreSQL server)")
    print("the worker's most frequent statements:")
    with admin.connect() as conn:
        top = conn.execute(sa.text(
            "SELECT s.calls, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 110) "
            "FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
            "WHERE r.rolname = :r ORDER BY s.calls DESC LIMIT 12"),
            {"r": WORKER_ROLE}).all()
    for n, query in top:
        print(f"  {n:6d}  {query}")


if __name__ == "__main__":
    sys.exit(main())
