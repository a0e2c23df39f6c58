"""Exchange delivery on Celery (issue 13, "exchange delivery"; SPEC §8): with a broker,
`eoffice worker` processes publish the outbox, consume the hub and check the PDFs of
received packages — no `eoffice exchange worker` anywhere.

Real parts: RabbitMQ (the hub, private queues), Redis (the broker, private Celery queues),
two deployments each with its own database and its own `eoffice worker`.
"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.functional.exchange.deployment import EOFFICE, HUB, REPO, write_config
from tests.functional.exchange.test_hub import (
    PROVINCE,
    city_statuses,
    province_count,
    province_inbox,
    wait_for,
)

REDIS_URL = os.environ.get("EOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def city_celery_worker(app, province_deployment, hub_prefix, storage_url):
    """A (this test's app) on the broker, and its `eoffice worker` sharing its database."""
    queue = f"eoffice-test-{uuid.uuid4().hex[:10]}"
    app.config.update(BROKER_URL=REDIS_URL, BROKER_QUEUE=queue)
    bg = app.extensions["eoffice.background"]
    bg.broker_url, bg.queue_name = REDIS_URL, queue
    instance = Path(app.instance_path)
    write_config(instance, DATABASE_URL=app.config["DATABASE_URL"],
                 TRUST_ROOTS=app.config["TRUST_ROOTS"], EXCHANGE_HUB=HUB,
                 EXCHANGE_QUEUE_PREFIX=hub_prefix, BROKER_URL=REDIS_URL, BROKER_QUEUE=queue,
                 STORAGE_URL=storage_url, SEARCH_WORKER="off", SECRET_KEY="city-test")
    output: list[str] = []
    worker = subprocess.Popen(
        [EOFFICE, "--instance", str(instance), "worker", "--concurrency", "2"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def drain() -> None:
        assert worker.stdout is not None
        output.extend(worker.stdout)

    threading.Thread(target=drain, daemon=True).start()
    yield output
    worker.kill()
    worker.wait(timeout=30)
    bg._celery = None


@pytest.mark.distributed
def test_send_and_accept_through_celery_workers(app, api, issued, province_deployment,
                                                city_celery_worker):
    from eoffice.db import db
    from eoffice.exchange.models import ExchangeOutbox

    province = province_deployment
    config = province.instance / "config.py"
    queue = f"eoffice-test-{uuid.uuid4().hex[:10]}"
    config.write_text(config.read_text("utf-8") + f"BROKER_URL = {REDIS_URL!r}\n"
                      f"BROKER_QUEUE = {queue!r}\n", "utf-8")
    province.start_worker("worker", "--concurrency", "2")  # the province's Celery worker
    doc_id = issued()
    assert api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": [PROVINCE]}).status_code == 200

    # A's worker publishes (asked after the commit), B's worker receives it and checks its
    # PDF afterwards: `pending`, then `valid`
    try:
        (item,) = wait_for(lambda: [i for i in province_inbox(province)
                                    if i["verdict"] != "pending"], "the checked package")
    except AssertionError:
        raise AssertionError("A's worker:\n" + "".join(city_celery_worker)[-3000:]
                             + "\nB's worker:\n" + "".join(province.worker_output)[-3000:]
                             ) from None
    assert item["verdict"] == "valid", item
    with app.app_context():
        (row,) = db.session.scalars(sa.select(ExchangeOutbox)).all()
        assert row.sent_at is not None and row.attempts == 0
        db.session.remove()

    # B's clerk accepts: B's web process asks B's worker to publish 03, A's worker applies it
    accepted = province.call("POST", f"/api/v1/exchange/inbox/{item['id']}/accept",
                             "vanthutinh")
    assert accepted.status_code == 200, accepted.text
    wait_for(lambda: city_statuses(api, doc_id) == ["01", "03"], "03 at the sender",
             timeout=120)
    assert province_count(province, "SELECT count(*) FROM exchange_applied") == 1
    assert province_count(province, "SELECT count(*) FROM exchange_outbox WHERE "
                                    "sent_at IS NOT NULL") == 1
    assert "Traceback" not in "".join(city_celery_worker), "".join(city_celery_worker)[-3000:]
