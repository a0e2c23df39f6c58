"""Two `eoffice serve` processes (two machines: each its own instance folder) and two
`eoffice worker` processes on one PostgreSQL, one S3 store (SeaweedFS) and one Redis (issue
13, acceptance 2): documents registered through one server are found and downloaded through
the other, a reclassified document is gone from both before the reclassify request returns,
the registration form's check step on one server is registered by the other with the file
it kept and the verdict it computed, and the seal and trust anchor an admin sets through one
server are used by the other once the first machine is gone."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from eoffice.devcluster import Cluster

PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("EOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "eoffice-demo"


@pytest.fixture
def cluster(tmp_path, s3_server) -> Iterator[tuple[list[str], Cluster]]:
    with Cluster(tmp_path, pg_url=PG_URL, redis_url=REDIS_URL, s3=s3_server) as c:
        c.prepare()
        servers = [c.serve(workers=1, threads=4, instance=c.machine("a")),
                   c.serve(workers=1, threads=4, instance=c.machine("b"))]
        c.worker(concurrency=2)
        c.worker(concurrency=2)
        yield servers, c


class Api:
    def __init__(self, base: str, username: str) -> None:
        self.base = base
        resp = requests.post(f"{base}/api/v1/auth/token",
                             json={"username": username, "password": PASSWORD}, timeout=60)
        assert resp.status_code == 200, resp.text
        self.headers = {"Authorization": f"Bearer {resp.json()['token']}"}

    def get(self, path: str, **kw) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, timeout=60, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return requests.post(self.base + path, headers=self.headers, timeout=60, **kw)

    def total(self, q: str) -> int:
        resp = self.get("/api/v1/search", params={"q": q})
        assert resp.status_code == 200, resp.text
        return int(resp.json()["total"])


def _wait_found(api: Api, word: str) -> None:
    deadline = time.monotonic() + 300
    while api.total(word) == 0:
        assert time.monotonic() < deadline, f"{word} never indexed"
        time.sleep(0.1)


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def _csrf(web: requests.Session, url: str) -> str:
    match = CSRF_RE.search(web.get(url, timeout=60).text)
    assert match, url
    return match.group(1)


def _form_check_on_a_register_on_b(a_url: str, b_url: str, pdf: bytes) -> None:
    """Behind a load balancer "Kiểm tra chữ ký" may reach one server and "Vào sổ" the
    other: the file kept by the first step and its verdict are found by the second."""
    web = requests.Session()  # one browser: its session cookie goes to both servers
    resp = web.post(f"{a_url}/login", timeout=60, data={
        "username": "vanthu", "password": PASSWORD, "csrf_token": _csrf(web, f"{a_url}/login")})
    assert resp.status_code == 200 and "/login" not in resp.url, resp.text
    page = web.post(f"{a_url}/incoming/new", timeout=120,
                    data={"action": "analyse", "csrf_token": _csrf(web, f"{a_url}/dashboard")},
                    files={"file": ("vb.pdf", io.BytesIO(pdf))}).text
    checked = re.search(r'data-verdict="([a-z_]+)"', page)
    sha = re.search(r'name="file_sha" value="([0-9a-f]{64})"', page)
    assert checked and sha, page
    subject = f"Giữ tệp giữa hai máy {uuid.uuid4().hex[:8]}"
    resp = web.post(f"{b_url}/incoming/new", timeout=120, allow_redirects=False, data={
        "file_sha": sha.group(1), "issuer_name": "Sở Nội vụ", "subject": subject,
        "type_code": "CV", "urgency": "thuong", "secrecy": "none",
        "csrf_token": _csrf(web, f"{b_url}/dashboard")})
    assert resp.status_code == 302, resp.text  # registered (not "choose the file again")
    doc_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    leader = Api(a_url, "chutich")
    assert leader.get(f"/api/v1/documents/{doc_id}/file").content == pdf  # the kept file
    # B registered the verdict A computed (a new validation would have registered "pending"
    # for the workers: signature checks run in the background on this deployment).
    entries = Api(b_url, "admin").get("/api/v1/audit", params={"document_id": doc_id})
    registered = [e for e in entries.json()["entries"]
                  if "arrival_number" in (e["details"] or {})]
    assert [e["details"]["verdict"] for e in registered] == [checked.group(1)], registered


def _login(base: str, username: str) -> requests.Session:
    web = requests.Session()
    resp = web.post(f"{base}/login", timeout=60, data={
        "username": username, "password": PASSWORD, "csrf_token": _csrf(web, f"{base}/login")})
    assert resp.status_code == 200 and "/login" not in resp.url, resp.text
    return web


def _fingerprint(pem: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(pem.read_bytes()).public_bytes(Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def _admin_on_a_issue_on_b(cluster: Cluster, a_url: str, b_url: str) -> None:
    """The agency admin sets a new seal (key and image) and a trust anchor through server A;
    A's machine then leaves the deployment (its instance folder gone); server B issues with
    the new seal and lists the anchor."""
    import signing

    pki = cluster.instance / "pki"
    seal = signing.issue_user(pki, "seal-moi", "UBND thành phố Vĩnh Yên (con dấu mới)",
                              passphrase=PASSWORD)
    other = signing.init_dev_pki(cluster.root / "other-ca", agency_name="Sở Tài chính",
                                 agency_abbr="STC", passphrase=PASSWORD)
    web = _login(a_url, "admin")
    for action, field, data in [("seal_p12", "p12", seal.p12_path.read_bytes()),
                                ("seal_image", "image", other.seal_png.read_bytes()),
                                ("anchor_add", "certificate", other.root_pem.read_bytes())]:
        page = web.post(f"{a_url}/admin/agency", timeout=60, files={field: ("f", data)},
                        data={"action": action,
                              "csrf_token": _csrf(web, f"{a_url}/admin/agency")}).text
        assert "flash-success" in page and "flash-error" not in page, (action, page)
    cluster.stop(a_url)
    shutil.rmtree(Path(cluster.root / "instance-a"))
    anchors = _login(b_url, "admin").get(f"{b_url}/admin/agency", timeout=60).text
    assert f'name="fingerprint" value="{_fingerprint(other.root_pem)}"' in anchors, anchors
    api = {name: Api(b_url, name) for name in ("chuyenvien", "truongphong", "vanthu",
                                               "chutich")}
    resp = api["chuyenvien"].post("/api/v1/outgoing", json={
        "type_code": "KH", "subject": "Kế hoạch phát hành bằng con dấu mới",
        "body": ["Thực hiện chỉ đạo của UBND tỉnh."], "signer": "chutich",
        "recipients": ["Các phòng, ban thuộc UBND thành phố"],
        "authority": "TM. ỦY BAN NHÂN DÂN"})
    assert resp.status_code == 201, resp.text
    doc_id = resp.json()["id"]
    for route, actor, body in [("submit", "chuyenvien", None), ("approve", "truongphong", None),
                               ("approve", "vanthu", None),
                               ("sign", "chutich", {"passphrase": PASSWORD}),
                               ("issue", "vanthu", {"passphrase": PASSWORD})]:
        resp = api[actor].post(f"/api/v1/outgoing/{doc_id}/{route}", json=body or {})
        assert resp.status_code == 200, (route, resp.text)
    meta = api["vanthu"].get(f"/api/v1/documents/{doc_id}").json()
    assert "con dấu mới" in meta["signatures"][-1]["signer"], meta["signatures"]


@pytest.mark.slow
@pytest.mark.distributed
def test_two_servers_and_two_workers_share_one_deployment(cluster, pdf_with_text):
    (a_url, b_url), _ = cluster
    _form_check_on_a_register_on_b(a_url, b_url, pdf_with_text("Công văn kiểm tra trên máy A"))
    clerk_a, clerk_b = Api(a_url, "vanthu"), Api(b_url, "vanthu")
    leader_a, leader_b = Api(a_url, "chutich"), Api(b_url, "chutich")
    registered: dict[str, tuple[int, bytes]] = {}
    for n in range(6):  # alternate servers for the writes
        word = f"cumtu{uuid.uuid4().hex[:10]}"
        pdf = pdf_with_text(f"Kế hoạch triển khai {word} năm 2026")
        clerk = (clerk_a, clerk_b)[n % 2]
        resp = clerk.post("/api/v1/incoming", files={"file": ("x.pdf", io.BytesIO(pdf))},
                          data={"subject": f"Kế hoạch {word}", "issuer_name": "Sở Nội vụ",
                                "type_code": "KH", "secrecy": "none"})
        assert resp.status_code == 201, resp.text
        registered[word] = (resp.json()["id"], pdf)
    for word, (doc_id, pdf) in registered.items():
        _wait_found(leader_a, word)  # indexed by one of the workers …
        assert leader_b.total(word) == 1  # … and the other server finds it at once
        for api in (leader_a, leader_b):  # the file is in the shared S3 store
            resp = api.get(f"/api/v1/documents/{doc_id}/file")
            assert resp.status_code == 200 and resp.content == pdf
    # Reclassify through B: gone from both servers before the request returns.
    word, (doc_id, _) = next(iter(registered.items()))
    resp = leader_b.post(f"/api/v1/documents/{doc_id}/reclassify", json={"secrecy": "mat"})
    assert resp.status_code == 409  # classified files are not kept: confirm the removal first
    resp = leader_b.post(f"/api/v1/documents/{doc_id}/reclassify",
                         json={"secrecy": "mat", "confirm_remove_files": True})
    assert resp.status_code == 200, resp.text
    assert leader_a.total(word) == 0 and leader_b.total(word) == 0
    assert clerk_a.total(word) == 0
    assert leader_a.get(f"/api/v1/documents/{doc_id}/file").status_code == 404  # left S3 too
    # and back
    resp = leader_a.post(f"/api/v1/documents/{doc_id}/reclassify", json={"secrecy": "none"})
    assert resp.status_code == 200, resp.text
    _wait_found(leader_b, word)
    assert leader_a.total(word) == 1
    _admin_on_a_issue_on_b(cluster[1], a_url, b_url)
