"""Exchange over the hub: N documents from one deployment to another through RabbitMQ.

Two deployments, each with its own instance, database and development PKI:

- A (UBND thành phố Vĩnh Yên) — the sender: this process builds each document's edXML
  package, seals it (XML signature, the agency seal loaded once) and commits it to A's
  outbox, one transaction per document as a dispatch does; A's real ``eoffice exchange
  worker`` gives the outbox to the hub (publisher confirms).
- B (UBND tỉnh Phú Thọ) — the receiver: its real ``eoffice exchange worker`` verifies each
  package (XML signature, the signer's chain against B's trust anchors and CRLs) and puts it
  in B's exchange inbox (the PDF's own signatures are checked afterwards, verdict
  ``pending`` until then).

Two runs of N documents each:

1. **paced** — documents are committed to A's outbox at ``--rate`` per second (the target
   load) while both workers run: the delivery latency, from A's outbox commit to the moment
   the document is seen in B's inbox (polled between two sends, then every 0.1 s: an upper
   bound), median and p95;
   and the rate B kept up with.
2. **backlog** — N documents wait in A's outbox, then both workers start: how fast the
   pipeline empties it (documents/s, end to end: relay + hub + verification + inbox).

Baseline in the same run: the bare transport (the same bytes through the same broker,
published with confirms and consumed with acknowledgements, nothing applied).
Targets: ≥ 20 documents/s, p95 ≤ 2 s.

    python bench/exchange.py [--count 1000] [--rate 20] [--hub amqp://guest:guest@127.0.0.1:5672/%2F]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

A_CODE, A_NAME = "000.00.10.H62", "UBND thành phố Vĩnh Yên"
B_CODE, B_NAME = "000.00.00.H48", "UBND tỉnh Phú Thọ"
PASS = "eoffice-demo"


from tests.hostile_files import plain_pdf as _pdf  # noqa: E402 (after the path)


def _setup_instance(folder: Path, code: str, name: str, hub: str, prefix: str,
                    trust: list[Path]) -> str:
    import signing
    from eoffice.migrate import upgrade

    signing.init_dev_pki(folder / "pki", agency_name=name, agency_abbr="UBND", passphrase=PASS)
    url = f"sqlite:///{folder / 'eoffice.sqlite3'}"
    roots = [str(folder / "pki" / "root.pem"), *map(str, trust)]
    (folder / "config.py").write_text(
        f"DATABASE_URL = {url!r}\nTRUST_ROOTS = {roots!r}\nEXCHANGE_HUB = {hub!r}\n"
        f"EXCHANGE_QUEUE_PREFIX = {prefix!r}\nSEARCH_WORKER = 'off'\n"
        f"SECRET_KEY = 'bench'\n", "utf-8")
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agencies (name, parent_name, abbreviation, "
                             "agency_code, place, address, active, settings) VALUES "
                             "(:n, '', 'UBND', :c, '', '', 1, '{}')"), {"n": name, "c": code})
    engine.dispose()
    return url


class Sender:
    """Deployment A's side of a dispatch: edXML package built, sealed and committed to the
    outbox (the seal loaded once, as the app does)."""

    def __init__(self, instance: Path) -> None:
        from eoffice import create_app
        from eoffice.exchange import service

        self.app = create_app(instance=instance)
        with self.app.app_context():
            self.seal = service.exchange_seal()
        self.pdf = _pdf()
        self.seconds = 0.0

    def send(self, run: str, number: int) -> str:
        from eoffice.db import db
        from eoffice.exchange import packages
        from signing import edxml

        started = time.perf_counter()
        message = edxml.DocumentMessage(
            sender=edxml.Organ(A_CODE, A_NAME), recipients=[edxml.Organ(B_CODE, B_NAME)],
            code_number=str(number), code_notation=f"UBND-{run}",
            promulgation_date=date(2026, 11, 20),
            subject=f"Văn bản đo hiệu năng {run} số {number}",
            attachments=[edxml.Attachment("vb.pdf", "application/pdf", self.pdf)])
        with self.app.app_context(), db.transaction() as session:
            row = packages.enqueue(session, B_CODE, "document",
                                   packages.sign(edxml.build_document(message), self.seal))
            message_id = row.message_id
        self.seconds += time.perf_counter() - started
        return message_id


class Inbox:
    """B's exchange_applied rows as they appear (the moment first seen, epoch seconds)."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        self.last = 0
        self.seen: dict[str, float] = {}

    def poll(self) -> int:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT rowid, message_id FROM exchange_applied "
                                        "WHERE rowid > :last ORDER BY rowid"),
                                {"last": self.last}).all()
        now = time.time()
        for rowid, message_id in rows:
            self.seen.setdefault(message_id, now)
            self.last = max(self.last, rowid)
        return len(self.seen)

    def wait(self, ids: set[str], deadline: float) -> None:
        while time.monotonic() < deadline and not ids <= self.seen.keys():
            self.poll()
            time.sleep(0.1)


def _worker(instance: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "eoffice.cli", "--instance", str(instance), "exchange", "worker"],
        cwd=REPO, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO)})


def _stop(*workers: subprocess.Popen[bytes]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _ready(hub_url: str, prefix: str, timeout: float) -> None:
    """Both workers consume their agency's queue."""
    from eoffice.exchange import amqp

    hub = amqp.Hub(hub_url, prefix=prefix)
    deadline = time.monotonic() + timeout
    for code in (A_CODE, B_CODE):
        hub.declare(code)
        while hub.consumers(code) < 1:
            if time.monotonic() > deadline:
                raise SystemExit("the exchange workers did not start")
            time.sleep(0.2)
    hub.close()


def _baseline(hub_url: str, body: bytes, count: int) -> float:
    """The bare transport: publish with confirms, consume, acknowledge (documents/s)."""
    from eoffice.exchange import amqp

    prefix = f"bench.base.{uuid.uuid4().hex[:6]}."
    hub = amqp.Hub(hub_url, prefix=prefix)
    hub.declare(B_CODE)
    start = time.perf_counter()
    errors = hub.publish_many([amqp.Outgoing(B_CODE, str(i), body) for i in range(count)])
    assert not any(errors), errors[:3]
    done = 0
    while done < count:
        done += hub.consume_batches([B_CODE], lambda batch: batch, seconds=5.0, prefetch=100,
                                    batch=50)
    elapsed = time.perf_counter() - start
    hub.delete(B_CODE)
    hub.close()
    return count / elapsed


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="documents/s sent (paced run)")
    parser.add_argument("--hub", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    if not 1 <= args.count <= 100_000 or not 0.1 <= args.rate <= 10_000:
        parser.error("--count 1…100000, --rate 0.1…10000")

    prefix = args.prefix = f"bench.{uuid.uuid4().hex[:8]}."
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        print(f"== exchange over the hub: {args.count} documents A → B, two deployments "
              f"(SQLite), {_load()} ==")
        _setup_instance(a, A_CODE, A_NAME, args.hub, prefix, [b / "pki" / "root.pem"])
        b_url = _setup_instance(b, B_CODE, B_NAME, args.hub, prefix, [a / "pki" / "root.pem"])
        sender, inbox = Sender(a), Inbox(b_url)
        logs = Path(tmp) / "a.log", Path(tmp) / "b.log"
        try:
            paced = _paced(sender, inbox, a, b, logs, args)
            backlog = _backlog(sender, inbox, a, b, logs, args)
            body = _sample(sender)
            baseline = _baseline(args.hub, body, min(args.count, 500))
        except BaseException:
            for log in logs:
                sys.stderr.write(log.read_text("utf-8", "replace")[-3000:] if log.exists()
                                 else "")
            raise
        finally:
            from eoffice.exchange import amqp

            hub = amqp.Hub(args.hub, prefix=prefix)
            hub.delete(B_CODE)
            hub.delete(A_CODE)
            hub.close()
            inbox.engine.dispose()
        received = _received(b_url)

    sign_ms = 1000 * sender.seconds / (2 * args.count)
    print(f"sender: edXML built, sealed and committed to the outbox: {sign_ms:.1f} ms/document "
          f"({len(body) // 1024} KiB packages)")
    print(f"in B's inbox: {received} of {2 * args.count} (paced + backlog)")
    print(f"paced at {args.rate:g}/s   applied {paced['applied']}/{args.count}, kept up with "
          f"{paced['throughput']:.1f} documents/s ({paced['load']})")
    print(f"  latency median        {paced['median']:8.2f} s")
    print(f"  latency p95           {paced['p95']:8.2f} s             (target ≤ 2)")
    print(f"  latency max           {paced['max']:8.2f} s")
    print(f"backlog                 {backlog['throughput']:8.1f} documents/s   (target ≥ 20) "
          f"applied {backlog['applied']}/{args.count} in {backlog['seconds']:.1f} s after "
          f"the first ({backlog['startup']:.1f} s after the workers' start; {backlog['load']})")
    print(f"bare transport          {baseline:8.1f} documents/s   (baseline, same run)")
    print(f"ratio transport/backlog {baseline / max(backlog['throughput'], 1e-9):8.1f} ×")


def _paced(sender: Sender, inbox: Inbox, a: Path, b: Path, logs: tuple[Path, Path],
           args: Any) -> dict[str, Any]:
    workers = _worker(a, logs[0]), _worker(b, logs[1])
    try:
        _ready(args.hub, args.prefix, args.timeout)
        committed: dict[str, float] = {}
        start = time.monotonic()
        for i in range(args.count):
            pause = start + i / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            committed[sender.send("P", i + 1)] = time.time()
            inbox.poll()  # between two sends (every 1/rate s)
        inbox.wait(set(committed), time.monotonic() + args.timeout)
        load = _load()
    finally:
        _stop(*workers)
    latencies = [inbox.seen[m] - t for m, t in committed.items() if m in inbox.seen]
    first, last = min(committed.values()), max(inbox.seen[m] for m in committed
                                               if m in inbox.seen)
    return {"applied": len(latencies), "median": statistics.median(latencies),
            "p95": _p95(latencies), "max": max(latencies), "load": load,
            "throughput": len(latencies) / max(last - first, 1e-9)}


def _backlog(sender: Sender, inbox: Inbox, a: Path, b: Path, logs: tuple[Path, Path],
             args: Any) -> dict[str, Any]:
    ids = {sender.send("B", i + 1) for i in range(args.count)}
    start = time.time()
    workers = _worker(a, logs[0]), _worker(b, logs[1])
    try:
        inbox.wait(ids, time.monotonic() + args.timeout)
        load = _load()
    finally:
        _stop(*workers)
    done = sorted(inbox.seen[m] for m in ids if m in inbox.seen)
    if len(done) < 2:
        return {"applied": len(done), "seconds": float("nan"), "load": load,
                "throughput": 0.0, "startup": float("nan")}
    # from the first document in B's inbox to the last (the workers' start-up excluded)
    return {"applied": len(done), "seconds": done[-1] - done[0], "load": load,
            "throughput": (len(done) - 1) / (done[-1] - done[0]), "startup": done[0] - start}


def _sample(sender: Sender) -> bytes:
    from eoffice.db import db
    from eoffice.exchange.models import ExchangeOutbox

    with sender.app.app_context():
        body = db.session.scalars(sa.select(ExchangeOutbox.body).limit(1)).one()
        db.session.remove()
    return body


def _received(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text(
            "SELECT count(*) FROM exchange_deliveries WHERE side = 'received'")).scalar_one()
    engine.dispose()
    return int(count)


if __name__ == "__main__":
    main()
