"""Load benchmark (issue 13): the distributed deployment beside the embedded demo, same run.

``eoffice serve --workers 2`` + one ``eoffice worker`` on PostgreSQL (search backend too),
S3 (SeaweedFS started here) and Redis, then ``eoffice demo`` (SQLite, files, Whoosh,
Werkzeug); each gets 16 clients for 60 s doing register / search / open / download
(1-page unsigned PDFs). Prints registrations/s, read latencies, errors and valid files
refused for both, and their ratios. Targets (distributed): ≥ 25 registrations/s, p95 of
reads ≤ 300 ms, 0 errors, 0 valid files refused.

Each measurement follows a warm-up of the same load (``--warmup``, not counted): a server
that has just started still imports its sandbox zygotes (≈ 0.6 s of CPU each, four per web
process and the worker's) and fills its pools and caches — a province's servers run for
days, and the figures are meant to show them in that steady state. The warm-up's own
figures are printed on one line.

Beside each figure: the machine's load average, and the CPU time the servers used per
operation (what the figures mean on a machine shared with other work). With a broker the
signatures of a registered file are validated by the worker (the answer says ``pending``);
the worker runs at a lower CPU priority (``--worker-nice``, a province gives workers
machines of their own) and the time it takes to finish its backlog after the load is
printed.

Run: ``.venv/bin/python bench/load.py [--clients 16] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import urllib3

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from eoffice.devcluster import Cluster  # noqa: E402
from eoffice.s3dev import SeaweedS3  # noqa: E402

PASSWORD = "eoffice-demo"
WORDS = ["chuyển đổi số", "kế hoạch", "an toàn thông tin", "ngân sách", "đường truyền",
         "hội nghị", "cải cách hành chính", "phòng cháy chữa cháy", "giáo dục", "y tế"]


def make_pdfs(n: int) -> list[bytes]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from eoffice.rendering.fonts import serif_file

    pdfmetrics.registerFont(TTFont("BenchSerif", str(serif_file())))
    out = []
    for i in range(n):
        buf = io.BytesIO()
        pdf = canvas.Canvas(buf)
        pdf.setFont("BenchSerif", 12)
        pdf.drawString(72, 780, f"Kế hoạch số {i} về {random.choice(WORDS)} năm 2026")
        pdf.drawString(72, 760, f"Nội dung văn bản kiểm thử tải {i} {random.random():.8f}")
        pdf.save()
        out.append(buf.getvalue())
    return out


@dataclass
class Stats:
    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.lat.setdefault(op, []).append(ms)
            if not ok:
                self.errors[op] = self.errors.get(op, 0) + 1


def token(base: str, user: str) -> str:
    resp = requests.post(f"{base}/api/v1/auth/token",
                         json={"username": user, "password": PASSWORD}, timeout=120)
    resp.raise_for_status()
    return str(resp.json()["token"])


def client(base: str, tokens: dict[str, str], pdfs: list[bytes], stop: threading.Event,
           stats: Stats, ids: list[int], seed: int) -> None:
    """One client: a kept-alive connection, operations chosen at random. urllib3 directly
    (not requests): the load generator shares the machine's cores with the servers it
    measures, so it should take as little of them as it can."""
    rng = random.Random(seed)
    http = urllib3.connection_from_url(base, maxsize=1, retries=False,
                                       timeout=urllib3.Timeout(120))
    clerk = {"Authorization": f"Bearer {tokens['vanthu']}"}
    leader = {"Authorization": f"Bearer {tokens['chutich']}"}
    while not stop.is_set():
        op = rng.choice(["register", "search", "open", "download"])
        if op != "register" and not ids:
            op = "register"
        t = time.perf_counter()
        try:
            if op == "register":
                resp = http.request("POST", "/api/v1/incoming", headers=clerk, fields={
                    "file": ("vb.pdf", rng.choice(pdfs), "application/pdf"),
                    "subject": f"Kế hoạch {rng.choice(WORDS)}", "issuer_name": "Sở Nội vụ",
                    "type_code": "KH"})
                ok = resp.status == 201
                if ok:
                    ids.append(int(json.loads(resp.data)["id"]))
                elif 400 <= resp.status < 500:
                    with stats.lock:
                        stats.refused += 1
            elif op == "search":
                resp = http.request("GET", "/api/v1/search", headers=leader,
                                    fields={"q": rng.choice(WORDS)})
                ok = resp.status == 200
            else:
                path = f"/api/v1/documents/{rng.choice(ids)}"
                resp = http.request("GET", path + ("/file" if op == "download" else ""),
                                    headers=leader)
                ok = resp.status == 200
        except urllib3.exceptions.HTTPError:
            ok = False
        stats.add(op, (time.perf_counter() - t) * 1000, ok)


def own_cpu() -> float:
    """CPU seconds this process (the load generator) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_load(base: str, clients: int, seconds: float, pdfs: list[bytes]) -> Stats:
    tokens = {u: token(base, u) for u in ("vanthu", "chutich")}
    stats, stop, ids = Stats(), threading.Event(), list[int]()
    seed = requests.post(f"{base}/api/v1/incoming", timeout=300,
                         headers={"Authorization": f"Bearer {tokens['vanthu']}"},
                         files={"file": ("vb.pdf", pdfs[0])},
                         data={"subject": "Kế hoạch mở đầu", "issuer_name": "Sở Nội vụ"})
    seed.raise_for_status()
    ids.append(int(seed.json()["id"]))  # reads have a document from the first second
    threads = [threading.Thread(target=client, args=(base, tokens, pdfs, stop, stats, ids, i))
               for i in range(clients)]
    for th in threads:
        th.start()
    time.sleep(seconds)
    stop.set()
    for th in threads:
        th.join()
    return stats


def warm_up(base: str, clients: int, seconds: float, pdfs: list[bytes]) -> None:
    """The same load, not counted: the servers reach their steady state."""
    if seconds <= 0:
        return
    stats = run_load(base, clients, seconds, pdfs)
    regs = len(stats.lat.get("register", [])) - stats.errors.get("register", 0)
    print(f"  warm-up {seconds:.0f} s (not counted): {regs / seconds:.1f} registrations/s, "
          f"errors {sum(stats.errors.values())}; {load_average()}")


def pct(values: list[float], p: float) -> float:
    s = sorted(values) or [float("inf")]  # nothing measured never meets a target
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def report(name: str, stats: Stats, seconds: float) -> dict[str, float]:
    reads = [ms for op in ("search", "open", "download") for ms in stats.lat.get(op, [])]
    regs = len(stats.lat.get("register", [])) - stats.errors.get("register", 0)
    out = {"reg_s": regs / seconds, "reg_p50": pct(stats.lat.get("register", []), 50),
           "read_p50": pct(reads, 50), "read_p95": pct(reads, 95),
           "errors": float(sum(stats.errors.values())), "refused": float(stats.refused)}
    print(f"\n{name}: {regs} registrations in {seconds:.0f} s = {out['reg_s']:.1f}/s, "
          f"register p50 {out['reg_p50']:.0f} ms; errors {int(out['errors'])}, "
          f"valid files refused {stats.refused}")
    for op in ("register", "search", "open", "download"):
        ts = stats.lat.get(op, [])
        if ts:
            print(f"  {op:9} n={len(ts):5}  p50 {pct(ts, 50):7.1f}  p95 {pct(ts, 95):7.1f}  "
                  f"mean {statistics.mean(ts):7.1f} ms")
    return out


def _descendants(roots: list[int]) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1]
                                               .split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = set(roots), list(roots)
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found.add(child)
                todo.append(child)
    return found


def cpu_seconds(roots: list[int]) -> float:
    """CPU time used so far by these processes and their descendants (web workers, sandbox
    zygotes and the children they reaped, the background worker), in seconds."""
    total = 0
    for pid in _descendants(roots):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def backlog(cluster: Cluster) -> tuple[int, int]:
    """(signature checks, search outbox rows) the workers still have to do."""
    import sqlalchemy as sa

    engine = sa.create_engine(cluster.pg_url)
    try:
        with engine.connect() as conn:
            return tuple(int(conn.execute(sa.text(  # type: ignore[return-value]
                f'SELECT count(*) FROM "{cluster.schema}".{table}')).scalar() or 0)
                for table in ("signature_checks", "search_outbox"))
    finally:
        engine.dispose()


def drain(cluster: Cluster, limit: float = 600) -> None:
    """After the load: what the worker had left, and how long it takes to finish it (no
    verdict is 'valid' before the worker has validated the file)."""
    start = time.monotonic()
    left = backlog(cluster)
    print(f"  left to the worker after the load: {left[0]} signature checks, {left[1]} index "
          f"jobs; {load_average()}")
    while any(backlog(cluster)) and time.monotonic() - start < limit:
        time.sleep(1)
    print(f"  worker backlog drained in {time.monotonic() - start:.0f} s "
          f"(now {backlog(cluster)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15,
                    help="seconds of the same load before each measurement (not counted)")
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--web-threads", type=int, default=8)
    ap.add_argument("--worker-nice", type=int, default=10,
                    help="CPU priority of the background worker below the web servers (they "
                         "share this machine; a province runs workers on machines of their own)")
    ap.add_argument("--pg-url", default=os.environ.get(
        "EOFFICE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args()
    pdfs = make_pdfs(200)
    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    with SeaweedS3(root / "s3") as s3, Cluster(root / "cluster", pg_url=args.pg_url,
                                               redis_url=args.redis_url, s3=s3) as cluster:
        cluster.prepare()
        base = cluster.serve(workers=args.web_workers, threads=args.web_threads)
        cluster.worker(concurrency=2, nice=args.worker_nice)
        warm_up(base, args.clients, args.warmup, pdfs)
        print(f"distributed load starts; {load_average()}")
        roots = [p.pid for p in cluster.procs]
        cpu, gen = cpu_seconds(roots), own_cpu()
        stats = run_load(base, args.clients, args.seconds, pdfs)
        cpu, gen = cpu_seconds(roots) - cpu, own_cpu() - gen
        dist = report(f"distributed (serve --workers {args.web_workers} + 1 worker; "
                      f"PostgreSQL, S3, Redis)", stats, args.seconds)
        ops = sum(len(v) for v in stats.lat.values())
        print(f"  CPU of the web servers, sandboxes and worker: {cpu:.0f} s in "
              f"{args.seconds:.0f} s ({cpu / args.seconds:.2f} cores), "
              f"{cpu / max(ops, 1) * 1000:.0f} ms per operation (PostgreSQL, S3 not counted; "
              f"the load generator: {gen / max(ops, 1) * 1000:.1f} ms); {load_average()}")
        drain(cluster)
        cluster.close()
        demo_base = cluster.demo()
        warm_up(demo_base, args.clients, args.warmup, pdfs)
        print(f"embedded load starts; {load_average()}")
        roots = [p.pid for p in cluster.procs]
        cpu, gen = cpu_seconds(roots), own_cpu()
        stats = run_load(demo_base, args.clients, args.seconds, pdfs)
        cpu, gen = cpu_seconds(roots) - cpu, own_cpu() - gen
        demo = report("embedded (eoffice demo: SQLite, files, Whoosh, Werkzeug)", stats,
                      args.seconds)
        ops = sum(len(v) for v in stats.lat.values())
        print(f"  CPU of the demo process and its sandboxes: {cpu:.0f} s "
              f"({cpu / args.seconds:.2f} cores), {cpu / max(ops, 1) * 1000:.0f} ms per "
              f"operation (the load generator: {gen / max(ops, 1) * 1000:.1f} ms); "
              f"{load_average()}")
    print(f"\nratios distributed/demo: registrations/s "
          f"{dist['reg_s'] / max(demo['reg_s'], 1e-9):.2f}x, read p95 "
          f"{dist['read_p95'] / max(demo['read_p95'], 1e-9):.2f}x")
    checks = [("registrations/s ≥ 25", dist["reg_s"] >= 25),
              ("read p95 ≤ 300 ms", dist["read_p95"] <= 300),
              ("0 errors", dist["errors"] == 0), ("0 valid files refused", dist["refused"] == 0)]
    print("targets (distributed): " + "; ".join(
        f"{label}: {'OK' if ok else 'MISSED'}" for label, ok in checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
