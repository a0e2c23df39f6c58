"""Two deployments (two instances, two databases) exchange through RabbitMQ (SPEC §6).

Deployment A (this process): the demo (UBND tỉnh Vĩnh Phúc and UBND thành phố Vĩnh Yên),
its exchange worker stepped by the test. Deployment B (subprocesses): another province,
UBND tỉnh Phú Thọ, with its own web server and the real
``eoffice exchange worker``. RabbitMQ runs on 127.0.0.1:5672 (guest/guest).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.functional.exchange.deployment import (
    CITY,
    CODE,
    HUB,
    NAME,
    Deployment,
)

PROVINCE = CODE  # B


def wait_for(check: Callable[[], object], what: str, timeout: float = 180) -> object:
    """Poll until ``check`` returns something truthy (the other deployment works on its own
    schedule); a generous limit only so that a broken run ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def city_worker(app):
    from eoffice.exchange.worker import ExchangeWorker

    worker = ExchangeWorker(app)
    yield worker
    worker.hub.close()


def city_outbox(app) -> list[bytes]:
    from eoffice.db import db
    from eoffice.exchange.models import ExchangeOutbox

    with app.app_context():
        bodies = [row.body for row in db.session.scalars(
            sa.select(ExchangeOutbox).order_by(ExchangeOutbox.id))]
        db.session.remove()
    return bodies


def province_rows(deployment: Deployment, sql: str) -> list[tuple]:
    """Rows read straight from the province's own database."""
    config: dict = {}
    exec((deployment.instance / "config.py").read_text("utf-8"), config)  # noqa: S102
    engine = sa.create_engine(config["DATABASE_URL"])
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def province_outbox(deployment: Deployment) -> list[bytes]:
    return [r[0] for r in province_rows(deployment, "SELECT body FROM exchange_outbox ORDER BY id")]


def province_count(deployment: Deployment, sql: str) -> int:
    return int(province_rows(deployment, sql)[0][0])


def xmlsec_accepts(body: bytes, roots: list[Path], tmp_path: Path) -> bool:
    path = tmp_path / f"wire-{uuid.uuid4().hex[:8]}.edxml"
    path.write_bytes(body)
    args = ["xmlsec1", "--verify", "--enabled-reference-uris", "empty"]
    for root in roots:
        args += ["--trusted-pem", str(root)]
    for root in roots:
        args += ["--untrusted-pem", str(root.parent / "intermediate.pem")]
    result = subprocess.run([*args, str(path)], capture_output=True, text=True, check=False)
    return result.returncode == 0


def city_statuses(api, doc_id: int) -> list[str]:
    body = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()
    (delivery,) = body["deliveries"]
    return [h["status"] for h in delivery["history"]]


def pump_until(city_worker, api, doc_id: int, status: str) -> list[str]:
    """Step A's worker (publish its outbox, apply what B sent) until A sees ``status``."""

    def seen() -> list[str] | None:
        city_worker.step(seconds=0.5)
        history = city_statuses(api, doc_id)
        return history if history[-1] == status else None

    try:
        return wait_for(seen, f"status {status} at the sender")  # type: ignore[return-value]
    except AssertionError:
        from eoffice.db import db
        from eoffice.exchange.models import ExchangeApplied, ExchangeQuarantine

        with city_worker.app.app_context():
            quarantined = [q.reason for q in db.session.scalars(sa.select(ExchangeQuarantine))]
            applied = [a.outcome for a in db.session.scalars(sa.select(ExchangeApplied))]
            db.session.remove()
        raise AssertionError(f"no {status} at the sender; quarantined {quarantined}, "
                             f"applied {applied}, counts {city_worker.counts}") from None


def province_inbox(province: Deployment, status: str = "01") -> list[dict]:
    resp = province.call("GET", "/api/v1/exchange/inbox", "vanthutinh",
                         params={"status": status})
    assert resp.status_code == 200, resp.text
    return resp.json()["results"]


def test_send_accept_complete_recall_refused_then_accepted(
        app, api, issued, province_deployment, city_worker, tmp_path):
    province = province_deployment
    province.start_worker()
    doc_id = issued(urgency="khan")
    resp = api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": [PROVINCE]})
    assert resp.status_code == 200, resp.get_json()
    (delivery,) = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()["deliveries"]
    assert (delivery["status"], delivery["transport"]) == ("01", "hub")

    assert city_worker.relay() == 1
    (item,) = wait_for(lambda: [i for i in province_inbox(province)
                                if i["verdict"] != "pending"], "the checked package")
    assert item["sender_code"] == CITY and item["verdict"] == "valid", item
    assert item["urgent"] and item["signer_name"] == "Trần Văn Hùng"
    accepted = province.call("POST", f"/api/v1/exchange/inbox/{item['id']}/accept",
                             "vanthutinh")
    assert accepted.status_code == 200, accepted.text
    registered = accepted.json()["document_id"]
    assert pump_until(city_worker, api, doc_id, "03") == ["01", "03"]

    directed = province.call("POST", f"/api/v1/incoming/{registered}/direction", "chutichtinh",
                             json={"instruction": "Giao Sở Văn hóa chủ trì.",
                                   "lead": "chuyenvientinh"})
    assert directed.status_code == 200, directed.text
    (assignment,) = directed.json()["assignments"]
    base = f"/api/v1/incoming/assignments/{assignment['id']}"
    assert province.call("POST", f"{base}/start", "chuyenvientinh").status_code == 200
    assert province.call("POST", f"{base}/complete", "chuyenvientinh",
                         json={"result": "Xong"}).status_code == 200
    assert pump_until(city_worker, api, doc_id, "06") == ["01", "03", "04", "05", "06"]

    assert api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"reason": "Ban hành nhầm"}).status_code == 200
    city_worker.relay()
    (recall,) = wait_for(lambda: province_inbox(province, "13"), "the recall at the province")
    assert recall["recall_reason"] == "Ban hành nhầm"
    refused = province.call("POST", f"/api/v1/exchange/recalls/{recall['id']}/refuse",
                            "vanthutinh", json={"reason": "Đã thực hiện xong"})
    assert refused.status_code == 200, refused.text
    assert pump_until(city_worker, api, doc_id, "16")[-2:] == ["13", "16"]
    assert province.call("GET", f"/api/v1/documents/{registered}",
                         "chuyenvientinh").status_code == 200

    assert api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"reason": "Thay thế bằng văn bản khác"}).status_code == 200
    city_worker.relay()
    (recall,) = wait_for(lambda: province_inbox(province, "13"), "the second recall")
    assert province.call("POST", f"/api/v1/exchange/recalls/{recall['id']}/accept",
                         "vanthutinh").status_code == 200
    assert pump_until(city_worker, api, doc_id, "15")[-4:] == ["13", "16", "13", "15"]
    assert province.call("GET", f"/api/v1/documents/{registered}",
                         "chuyenvientinh").status_code == 404

    # every package that went over the wire, both ways, is accepted by xmlsec1
    roots = [Path(app.instance_path) / "pki" / "root.pem",
             province.instance / "pki" / "root.pem"]
    wire = city_outbox(app) + province_outbox(province)
    assert len(city_outbox(app)) == 3  # the document and two recalls
    assert len(wire) >= 3 + 6  # and 03, 04, 05, 06, 16, 15 back
    assert all(xmlsec_accepts(body, roots, tmp_path) for body in wire)
    assert province_count(province, "SELECT count(*) FROM documents WHERE "
                                    "direction = 'incoming'") == 1


def signed_documents(seal_p12: Path, sender: tuple[str, str], recipient: tuple[str, str],
                     count: int, notation: str) -> list[bytes]:
    """``count`` signed document packages, built as the sending deployment would."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signing import edxml
    from tests.functional.conftest import make_pdf

    key, cert, chain = pkcs12.load_key_and_certificates(seal_p12.read_bytes(), b"eoffice-demo")
    bodies = []
    for number in range(1, count + 1):
        message = edxml.DocumentMessage(
            sender=edxml.Organ(*sender), recipients=[edxml.Organ(*recipient)],
            code_number=str(number), code_notation=notation,
            promulgation_date=date(2026, 11, 20), subject=f"Văn bản thử số {number}",
            attachments=[edxml.Attachment("vb.pdf", "application/pdf",
                                          make_pdf(f"Văn bản {number}"))])
        bodies.append(edxml.sign_package(edxml.build_document(message), key, cert, chain))
    return bodies


def test_lost_connections_and_a_killed_worker_apply_every_message_once(
        app, province_deployment, city_worker, tmp_path):
    """A's consumer loses its connection after committing but before acknowledging
    (redelivery → recognised); B's worker is killed mid-stream and restarted."""
    from eoffice.db import db
    from eoffice.exchange import amqp, packages
    from eoffice.exchange.models import ExchangeApplied, ExchangeDelivery

    province = province_deployment
    count = 12
    hub = amqp.Hub(HUB, prefix=city_worker.hub.prefix)
    for body in signed_documents(province.instance / "pki" / "seal.p12",
                                 (PROVINCE, NAME),
                                 (CITY, "UBND thành phố Vĩnh Yên"), count, "UBND-VX"):
        hub.publish(CITY, packages.message_id(body), body)
    hub.close()

    applied = city_worker._apply_batch
    calls = {"batches": 0, "messages": 0}

    def flaky(messages: list[amqp.Delivery]) -> list[amqp.Delivery]:
        committed = applied(messages)  # committed…
        calls["batches"] += 1
        calls["messages"] += len(messages)
        if calls["batches"] % 2 == 1:  # …and the connection is closed before the acks
            city_worker.hub.connection.close()
        return committed

    city_worker.batch = 4  # several batches, every other one redelivered
    city_worker._apply_batch = flaky

    def drained() -> bool:
        city_worker.step(seconds=1.0)
        return city_worker.hub.depth(CITY) == 0

    wait_for(drained, "the city's queue to drain")
    with app.app_context():
        received = db.session.scalars(sa.select(ExchangeDelivery).where(
            ExchangeDelivery.side == "received")).all()
        outcomes = [r.outcome for r in db.session.scalars(sa.select(ExchangeApplied))]
        db.session.remove()
    assert len(received) == count
    assert len({d.exchange_id for d in received}) == count
    assert outcomes.count("applied") == count
    assert calls["messages"] > count  # some messages did come back, and were recognised
    assert city_worker.counts.outcomes.get("duplicate", 0) > 0  # recognised as applied

    # B: a stream of documents from A; its worker (two messages per transaction) is killed
    # half-way and restarted
    count = 40
    config = province.instance / "config.py"
    config.write_text(config.read_text("utf-8") + "EXCHANGE_BATCH = 2\n", "utf-8")
    bodies = signed_documents(Path(app.instance_path) / "pki" / "seal.p12",
                              (CITY, "UBND thành phố Vĩnh Yên"),
                              (PROVINCE, NAME), count, "UBND-VP")
    hub = amqp.Hub(HUB, prefix=city_worker.hub.prefix)
    for body in bodies:
        hub.publish(PROVINCE, packages.message_id(body), body)
    hub.close()
    sql = "SELECT count(*) FROM exchange_applied"
    province.start_worker()
    wait_for(lambda: province_count(province, sql) >= 3, "the province to start applying")
    province.kill_worker()
    assert province_count(province, sql) < count
    province.start_worker()
    wait_for(lambda: province_count(province, sql) == count, "every message applied")
    probe = amqp.Hub(HUB, prefix=city_worker.hub.prefix)
    wait_for(lambda: probe.depth(PROVINCE) == 0, "the province's queue to drain")
    probe.close()
    assert province_count(province, "SELECT count(*) FROM exchange_deliveries WHERE "
                                    "side = 'received'") == count
    assert province_count(province, "SELECT count(DISTINCT exchange_id) FROM "
                                    "exchange_deliveries") == count


def test_the_outbox_keeps_a_package_while_the_hub_is_away(app, api, issued, hub_prefix):
    """Hub unreachable: the package stays in the outbox with its error and a backoff; once
    the hub is back and the backoff has passed, it is published (confirmed) once."""
    from eoffice.db import db
    from eoffice.exchange import amqp
    from eoffice.exchange.models import ExchangeOutbox
    from eoffice.exchange.worker import ExchangeWorker

    app.config.update(EXCHANGE_HUB=HUB, EXCHANGE_QUEUE_PREFIX=hub_prefix)
    doc_id = issued()
    assert api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": [PROVINCE]}).status_code == 200

    def outbox() -> ExchangeOutbox:
        with app.app_context():
            (row,) = db.session.scalars(sa.select(ExchangeOutbox)).all()
            db.session.expunge(row)
            db.session.remove()
        return row

    app.config["EXCHANGE_HUB"] = "amqp://guest:guest@127.0.0.1:9/%2F"  # nobody listens
    away = ExchangeWorker(app)
    assert away.relay() == 0 and away.relay() == 0  # the second try waits for the backoff
    row = outbox()
    assert (row.sent_at, row.attempts) == (None, 1) and "refused" in row.last_error.lower()
    assert row.next_attempt_at > row.created_at

    app.config["EXCHANGE_HUB"] = HUB
    back = ExchangeWorker(app)
    assert back.relay() == 0  # still within the backoff
    with app.app_context():
        db.session.execute(sa.update(ExchangeOutbox).values(
            next_attempt_at=ExchangeOutbox.created_at))
        db.session.commit()
        db.session.remove()
    assert back.relay() == 1 and back.relay() == 0
    assert outbox().sent_at is not None
    probe = amqp.Hub(HUB, prefix=hub_prefix)
    assert probe.depth(PROVINCE) == 1
    probe.close()
    back.hub.close()
