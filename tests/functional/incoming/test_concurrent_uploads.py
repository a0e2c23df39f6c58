"""A busy machine never refuses a valid file (SPEC §9): 16 clients register signed PDFs at
once through the API while two processes keep both cores busy; all 16 are accepted, valid,
with arrival numbers 1..16. (PostgreSQL with EOFFICE_TEST_DATABASE_URL, else SQLite.)"""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

CLIENTS = 16


def test_16_concurrent_valid_uploads_all_accepted_on_a_loaded_machine(app, api, sign_as):
    from eoffice.search_app import hooks

    # The test app indexes inside each request ("sync"); a deployment's search worker
    # indexes in the background: do that here too (the outbox just waits), so that 16
    # requests do not queue for the one index writer while holding database connections.
    hooks.activate(app.extensions["eoffice.search"], "background", None)
    pdfs = [sign_as("chutich", pages=1 + i % 3) for i in range(CLIENTS)]
    token = api.token("vanthu")

    def register(i: int):
        client = app.test_client()
        return client.post("/api/v1/incoming", headers={"Authorization": f"Bearer {token}"},
                           content_type="multipart/form-data",
                           data={"issuer_name": f"Sở số {i}", "subject": f"Văn bản số {i}",
                                 "file": (io.BytesIO(pdfs[i]), f"van-ban-{i}.pdf")})

    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(2)]
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            responses = list(pool.map(register, range(CLIENTS)))
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
        hooks.activate(app.extensions["eoffice.search"], "sync", None)
    refused = [(r.status_code, r.get_json()) for r in responses if r.status_code != 201]
    assert not refused, refused
    bodies = [r.get_json() for r in responses]
    assert all(b["validation"]["verdict"] == "valid" for b in bodies), bodies
    assert sorted(b["arrival_number"] for b in bodies) == list(range(1, CLIENTS + 1))
