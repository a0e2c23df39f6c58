"""Statements and CPU per request of the four routes of bench/load.py, in one process.

The deployment of bench/load.py without its processes: PostgreSQL (private schema, demo
agency from ``eoffice demo --no-serve``), the PostgreSQL search backend, a broker (Redis,
private queue: signatures deferred, outbox nudges sent) and the instance's file store; the
app is called through Flask's test client with Bearer tokens. For each route (register:
POST /api/v1/incoming with a 1-page unsigned PDF; search; open; download) it prints the
SQL statements per request (counted on the engine, ``BEGIN``/``COMMIT``/pings included,
by kind) and the CPU time of this process per request (the sandbox's forked children not
counted). Run it under ``flock /work/wt/bench.lock`` on a shared machine.

Run: ``.venv/bin/python bench/request_cost.py [--n 200] [--pg-url …] [--redis-url …]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE))

from load import PASSWORD, WORDS, make_pdfs  # noqa: E402

from eoffice.devcluster import Cluster  # noqa: E402


def kind_of(statement: str) -> str:
    """A short label of a statement: its verb and first table."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    upper = [w.upper() for w in words]
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in upper[:40]:
            i = upper.index(marker)
            if i + 1 < len(words) and (marker != "UPDATE" or verb == "UPDATE"):
                return f"{verb} {words[i + 1].strip('(')}"
    return verb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=200, help="requests of each kind")
    ap.add_argument("--pg-url", default=os.environ.get(
        "EOFFICE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--detail", action="store_true", help="statements by kind per route")
    ap.add_argument("--profile", metavar="FILE", help="cProfile statistics (CPU time) of "
                    "the measured requests written to FILE.<route>")
    ap.add_argument("--routes", default=",".join(ROUTES), help="the routes measured, "
                    "comma-separated (open and download read registered documents: keep "
                    "register before them)")
    args = ap.parse_args()
    chosen = [r for r in args.routes.split(",") if r]
    if not chosen or set(chosen) - set(ROUTES):
        ap.error(f"--routes: some of {', '.join(ROUTES)}")
    pdfs = make_pdfs(50)
    root = Path(tempfile.mkdtemp(prefix="bench-requests-"))
    with Cluster(root / "cluster", pg_url=args.pg_url, redis_url=args.redis_url,
                 s3=None) as cluster:
        cluster.prepare()
        os.environ.update(cluster.env)
        return measure(cluster, pdfs, args.n, args.detail, args.profile, chosen)


ROUTES = ("register", "search", "open", "download")


def measure(cluster: Cluster, pdfs: list[bytes], n: int, detail: bool,
            profile: str | None, chosen: list[str]) -> int:
    import sqlalchemy as sa

    from eoffice import create_app
    from eoffice.db import db

    app = create_app(instance=cluster.instance)
    assert db.engine is not None
    seen: list[str] = []

    # Counted where the driver sends them, so that a statement the app sends on the
    # session's connection without SQLAlchemy's statement layer counts too.
    import psycopg

    def counted(method: Any) -> Any:
        def send(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(query if isinstance(query, str) else str(query))
            return method(cursor, query, *args, **kwargs)
        return send

    psycopg.Cursor.execute = counted(psycopg.Cursor.execute)  # type: ignore[method-assign]
    psycopg.Cursor.executemany = counted(  # type: ignore[method-assign]
        psycopg.Cursor.executemany)

    ping = db.engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        seen.append("PING")
        return ping(dbapi_connection)

    db.engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]

    @sa.event.listens_for(db.engine, "begin")
    def _begin(_conn: Any) -> None:
        seen.append("BEGIN")

    @sa.event.listens_for(db.engine, "commit")
    def _commit(_conn: Any) -> None:
        seen.append("COMMIT")

    @sa.event.listens_for(db.engine, "rollback")
    def _rollback(_conn: Any) -> None:
        seen.append("ROLLBACK")

    client = app.test_client()

    def bearer(user: str) -> dict[str, str]:
        resp = client.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return {"Authorization": f"Bearer {resp.get_json()['token']}"}

    clerk, leader = bearer("vanthu"), bearer("chutich")
    rng = random.Random(7)
    ids: list[int] = []

    def register() -> Any:
        resp = client.post("/api/v1/incoming", headers=clerk, data={
            "file": (__import__("io").BytesIO(rng.choice(pdfs)), "vb.pdf"),
            "subject": f"Kế hoạch {rng.choice(WORDS)}", "issuer_name": "Sở Nội vụ",
            "type_code": "KH"}, content_type="multipart/form-data")
        assert resp.status_code == 201, resp.get_data(as_text=True)
        ids.append(int(resp.get_json()["id"]))
        return resp

    def search() -> Any:
        resp = client.get("/api/v1/search", headers=leader, query_string={
            "q": rng.choice(WORDS)})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp

    def open_document() -> Any:
        resp = client.get(f"/api/v1/documents/{rng.choice(ids)}", headers=leader)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp

    def download() -> Any:
        resp = client.get(f"/api/v1/documents/{rng.choice(ids)}/file", headers=leader)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp

    every = {"register": register, "search": search, "open": open_document,
             "download": download}
    routes = {name: every[name] for name in chosen}
    if "register" not in routes:  # open and download read registered documents
        for _ in range(5):
            register()
    for call in routes.values():  # warm-up: zygotes, caches, a pool connection
        for _ in range(5):
            call()
    print(f"{n} requests of each kind; statements per request (BEGIN/COMMIT/ROLLBACK and "
          f"pool pings included), CPU of this process per request")
    for name, call in routes.items():
        seen.clear()
        profiler = cProfile.Profile(time.process_time) if profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(n):
            call()
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler:
            profiler.dump_stats(f"{profile}.{name}")
        print(f"  {name:9} {len(seen) / n:5.2f} statements  {cpu / n * 1000:6.2f} ms CPU  "
              f"{wall / n * 1000:6.2f} ms wall")
        if detail:
            for kind, count in Counter(kind_of(s) for s in seen).most_common():
                print(f"      {count / n:5.2f}  {kind}")
    db.session.remove()
    db.engine.dispose()
    forget_queue(app.config)
    return 0


def forget_queue(config: Any) -> None:
    """Delete the private broker queue (its nudges had no worker)."""
    import redis

    redis.Redis.from_url(str(config["BROKER_URL"])).delete(str(config["BROKER_QUEUE"]))


if __name__ == "__main__":
    raise SystemExit(main())
