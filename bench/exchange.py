"""Exchange over the hub: N documents from one deployment to another through RabbitMQ.

Deployment A (this process) signs N edXML packages into its outbox and publishes them at a
steady pace (``--rate`` per second, the target load); deployment B (its own instance,
database and process: the real ``eoffice exchange worker``) verifies each package (XML seal,
then the PDF's signatures in the sandbox) and puts it in its exchange inbox.

Printed: B's throughput and the delivery latency (A's publish → B's commit: median, p95),
and, measured in the same run as the baseline, the bare transport (the same bytes through
the same broker, consumed and acknowledged without being applied) — the ratio says what
verification and registration cost on this machine. Targets: ≥ 20 documents/s, p95 ≤ 2 s.

    python bench/exchange.py [--count 1000] [--rate 20] [--hub amqp://guest:guest@127.0.0.1:5672/%2F]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

A_CODE, A_NAME = "000.00.10.H62", "UBND thành phố Vĩnh Yên"
B_CODE, B_NAME = "000.00.00.H48", "UBND tỉnh Phú Thọ"
PASS = "eoffice-demo"


def _pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 780, "Bench exchange document")
    pdf.save()
    return buffer.getvalue()


def _setup_instance(folder: Path, code: str, name: str, hub: str, prefix: str,
                    trust: list[Path]) -> str:
    import signing
    from eoffice.migrate import upgrade

    signing.init_dev_pki(folder / "pki", agency_name=name, agency_abbr="UBND", passphrase=PASS)
    url = f"sqlite:///{folder / 'eoffice.sqlite3'}"
    roots = [str(folder / "pki" / "root.pem"), *map(str, trust)]
    (folder / "config.py").write_text(
        f"DATABASE_URL = {url!r}\nTRUST_ROOTS = {roots!r}\nEXCHANGE_HUB = {hub!r}\n"
        f"EXCHANGE_QUEUE_PREFIX = {prefix!r}\nSEARCH_WORKER = 'sync'\n"
        f"SECRET_KEY = 'bench'\n", "utf-8")
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agencies (name, parent_name, abbreviation, "
                             "agency_code, place, address, active, settings) VALUES "
                             "(:n, '', 'UBND', :c, '', '', 1, '{}')"), {"n": name, "c": code})
    engine.dispose()
    return url


def _packages(folder: Path, count: int) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signing import edxml

    key, cert, chain = pkcs12.load_key_and_certificates(
        (folder / "pki" / "seal.p12").read_bytes(), PASS.encode())
    pdf = _pdf()
    bodies = []
    for number in range(1, count + 1):
        message = edxml.DocumentMessage(
            sender=edxml.Organ(A_CODE, A_NAME), recipients=[edxml.Organ(B_CODE, B_NAME)],
            code_number=str(number), code_notation="UBND-VP",
            promulgation_date=date(2026, 11, 20), subject=f"Văn bản đo hiệu năng số {number}",
            attachments=[edxml.Attachment("vb.pdf", "application/pdf", pdf)])
        bodies.append(edxml.sign_package(edxml.build_document(message), key, cert, chain))
    return bodies


def _paced_publish(hub_url: str, prefix: str, code: str, bodies: list[bytes],
                   rate: float) -> dict[str, float]:
    """Publish at ``rate`` per second; returns message id → publish time (epoch)."""
    from eoffice.exchange import amqp, packages

    hub = amqp.Hub(hub_url, prefix=prefix)
    sent: dict[str, float] = {}
    start = time.monotonic()
    for i, body in enumerate(bodies):
        due = start + i / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        mid = packages.message_id(body)
        hub.publish(code, mid, body)
        sent[mid] = time.time()
    hub.close()
    return sent


def _baseline(hub_url: str, bodies: list[bytes]) -> float:
    """The bare transport: publish with confirms, consume, acknowledge (documents/s)."""
    from eoffice.exchange import amqp

    prefix = f"bench.base.{uuid.uuid4().hex[:6]}."
    hub = amqp.Hub(hub_url, prefix=prefix)
    start = time.perf_counter()
    for body in bodies:
        hub.publish(B_CODE, "x", body)
    done = 0
    while done < len(bodies):
        done += hub.consume([B_CODE], lambda _m: None, seconds=5.0, prefetch=100)
    elapsed = time.perf_counter() - start
    hub.delete(B_CODE)
    hub.close()
    return len(bodies) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="documents/s published")
    parser.add_argument("--hub", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()
    if not 1 <= args.count <= 100_000 or not 0.1 <= args.rate <= 10_000:
        parser.error("--count 1…100000, --rate 0.1…10000")

    prefix = f"bench.{uuid.uuid4().hex[:8]}."
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir()
        b.mkdir()
        print(f"== exchange over the hub: {args.count} documents, published at "
              f"{args.rate:g}/s ==")
        import signing

        signing.init_dev_pki(a / "pki", agency_name=A_NAME, agency_abbr="UBND",
                             passphrase=PASS)
        b_url = _setup_instance(b, B_CODE, B_NAME, args.hub, prefix, [a / "pki" / "root.pem"])
        t = time.perf_counter()
        bodies = _packages(a, args.count)
        print(f"signed {len(bodies)} packages in {time.perf_counter() - t:.1f} s "
              f"({len(bodies[0]) // 1024} KiB each)")
        baseline = _baseline(args.hub, bodies[: min(len(bodies), 500)])

        worker = subprocess.Popen(
            [sys.executable, "-m", "eoffice.cli", "--instance", str(b), "exchange", "worker"],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            sent = _paced_publish(args.hub, prefix, B_CODE, bodies, args.rate)
            engine = sa.create_engine(b_url)
            deadline = time.monotonic() + args.timeout
            applied = 0
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    applied = conn.execute(sa.text(
                        "SELECT count(*) FROM exchange_applied")).scalar_one()
                if applied >= args.count:
                    break
                time.sleep(0.5)
            with engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT message_id, at FROM exchange_applied")).all()
                received = conn.execute(sa.text(
                    "SELECT count(*) FROM exchange_deliveries WHERE side = 'received'")
                ).scalar_one()
            engine.dispose()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            from eoffice.exchange import amqp

            hub = amqp.Hub(args.hub, prefix=prefix)
            hub.delete(B_CODE)
            hub.close()

    done_at = {mid: _epoch(at) for mid, at in rows}
    latencies = sorted(done_at[m] - sent[m] for m in done_at if m in sent)
    first, last = min(sent.values()), max(done_at.values())
    throughput = len(done_at) / max(last - first, 1e-9)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(f"applied {len(done_at)}/{args.count}, in the inbox {received}")
    print(f"throughput            {throughput:8.1f} documents/s   (target ≥ 20)")
    print(f"latency median        {statistics.median(latencies):8.2f} s")
    print(f"latency p95           {p95:8.2f} s             (target ≤ 2)")
    print(f"bare transport        {baseline:8.1f} documents/s   (baseline, same run)")
    print(f"ratio transport/apply {baseline / throughput:8.1f} ×")


def _epoch(value: object) -> float:
    """A naive UTC time from the database (datetime, or text on SQLite) as epoch seconds."""
    from datetime import UTC, datetime

    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC).timestamp()


if __name__ == "__main__":
    main()
