"""edXML by hand: download a document's package, import a received one; refused packages
are quarantined with their reason and nothing is registered (SPEC §6, §9)."""

from __future__ import annotations

import base64
import io
import subprocess
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.serialization import pkcs12

from signing import edxml
from tests.functional.conftest import make_pdf

OUTSIDE = "000.00.00.H99"  # an agency outside this deployment
PDF = make_pdf("Công văn từ cơ quan ngoài")


def package(p12: Path, *, subject: str = "Về việc phối hợp liên thông", to: str = "000.00.00.H62",
            number: str = "7") -> bytes:
    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), b"eoffice-demo")
    message = edxml.DocumentMessage(
        sender=edxml.Organ(OUTSIDE, "Sở Nội vụ tỉnh Hà Giang"), recipients=[edxml.Organ(to)],
        code_number=number, code_notation="SNV-VP", promulgation_date=date(2026, 11, 18),
        subject=subject, type_code="CV", type_name="Công văn", signer_name="Phạm Văn Đức",
        signer_position="Giám đốc", priority=1, due_date=date(2026, 12, 1),
        attachments=[edxml.Attachment("cv-7.pdf", "application/pdf", PDF)])
    return edxml.sign_package(edxml.build_document(message), key, cert, chain)


def upload(api, data: bytes, username: str = "vanthutinh"):
    return api.post("/api/v1/exchange/import", username,
                    data={"file": (io.BytesIO(data), "goi-tin.edxml")},
                    content_type="multipart/form-data")


def counts(app) -> dict[str, int]:
    from eoffice.db import db
    from eoffice.documents.models import Document, StoredFile
    from eoffice.exchange.models import ExchangeDelivery

    with app.app_context():
        out = {"deliveries": db.session.scalar(sa.select(sa.func.count(ExchangeDelivery.id))),
               "documents": db.session.scalar(sa.select(sa.func.count(Document.id))),
               "files": db.session.scalar(sa.select(sa.func.count(StoredFile.sha256)))}
        db.session.remove()
    return out


def test_download_of_a_dispatched_document_verifies_with_xmlsec1(api, app, issued, tmp_path):
    doc_id = issued()
    assert api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": [OUTSIDE]}).status_code == 200
    (delivery,) = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()["deliveries"]
    assert (delivery["agency_code"], delivery["status"], delivery["transport"]) == (
        OUTSIDE, "01", "manual")
    resp = api.get(f"/api/v1/outgoing/{doc_id}/edxml?to={OUTSIDE}", "vanthu")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    assert ".edxml" in resp.headers["Content-Disposition"]
    path = tmp_path / "sent.edxml"
    path.write_bytes(resp.data)
    pki = Path(app.instance_path) / "pki"
    checked = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(pki / "root.pem"),
                              "--untrusted-pem", str(pki / "intermediate.pem"),
                              "--enabled-reference-uris", "empty", str(path)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    got = edxml.parse_message(edxml.etree.fromstring(resp.data))
    body = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()
    issued_on = body["issued_date"].replace("-", "/")
    assert got.document_id == f"000.00.10.H62,{issued_on},{body['code']}"
    assert got.attachments[0].data.startswith(b"%PDF-")

    assert api.get(f"/api/v1/outgoing/{doc_id}/edxml?to=bad", "vanthu").status_code == 422
    assert api.get(f"/api/v1/outgoing/{doc_id}/edxml?to=000.00.00.H11",
                   "vanthu").status_code == 404
    assert api.get(f"/api/v1/outgoing/{doc_id}/edxml?to={OUTSIDE}",
                   "chuyenvien").status_code == 403


def test_classified_document_package_is_refused_and_audited(api, app, issued):
    doc_id = issued()
    assert api.post(f"/api/v1/documents/{doc_id}/reclassify", "vanthu",
                    json={"secrecy": "mat", "confirm_remove_files": True}).status_code == 200
    resp = api.get(f"/api/v1/outgoing/{doc_id}/edxml?to={OUTSIDE}", "vanthu")
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "classified"
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        refused = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "exchange.refused")).all()
        assert [r.object_id for r in refused] == [str(doc_id)]
        db.session.remove()


def test_import_fills_the_inbox_once(api, app, province):
    pki = Path(app.instance_path) / "pki"
    data = package(pki / "seal.p12")
    resp = upload(api, data)
    assert resp.status_code == 201, resp.get_json()
    items = api.get("/api/v1/exchange/inbox", "vanthutinh").get_json()["results"]
    (item,) = items
    assert (item["sender_code"], item["code"], item["subject"]) == (
        OUTSIDE, "7/SNV-VP", "Về việc phối hợp liên thông")
    assert item["urgency"] == "khan" and item["due_date"] == "2026-12-01"
    assert item["signer_name"] == "Phạm Văn Đức"
    assert upload(api, data).get_json()["outcome"] == "duplicate"
    assert len(api.get("/api/v1/exchange/inbox", "vanthutinh").get_json()["results"]) == 1
    accepted = api.post(f"/api/v1/exchange/inbox/{item['id']}/accept", "vanthutinh")
    assert accepted.status_code == 200 and accepted.get_json()["arrival_number"] == 1
    # the package was for the province: Vĩnh Yên's clerk cannot import it for itself
    other = upload(api, package(pki / "seal.p12", number="8"), "vanthu")
    assert other.status_code == 422 and "không gửi cho cơ quan nào" in other.get_json()[
        "error"]["message"]


def _tamper_attachment(data: bytes) -> bytes:
    changed = bytearray(PDF)
    changed[len(PDF) // 2] ^= 0x01
    return data.replace(base64.b64encode(PDF), base64.b64encode(bytes(changed)))


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXMLEnvelope>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXMLEnvelope>')


@pytest.mark.parametrize("attack,reason", [
    ("attachment", "không toàn vẹn"),
    ("subject", "không toàn vẹn"),
    ("untrusted", "không thuộc chuỗi tin cậy"),
    ("bomb", "bom XML"),
    ("xxe", "thực thể ngoài"),
    ("garbage", "không phải XML hợp lệ"),
])
def test_refused_packages_are_quarantined_with_reason(api, app, auth, client, province,
                                                       tmp_path, attack, reason):
    pki = Path(app.instance_path) / "pki"
    good = package(pki / "seal.p12")
    if attack == "attachment":
        data = _tamper_attachment(good)
        assert data != good
    elif attack == "subject":
        data = good.replace("phối hợp".encode(), "hủy bỏ".encode())
    elif attack == "untrusted":
        import signing

        signing.init_dev_pki(tmp_path / "rogue", agency_name="Cơ quan giả mạo",
                             agency_abbr="GM", passphrase="eoffice-demo")
        data = package(tmp_path / "rogue" / "seal.p12")
    elif attack == "bomb":
        data = BOMB
    elif attack == "xxe":
        data = XXE
    else:
        data = b"\x89PNG\r\n\x1a\n not a package"
    before = counts(app)
    resp = upload(api, data)
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "quarantined" and reason in error["message"]
    assert counts(app) == before  # nothing registered, no file kept
    assert api.get("/api/v1/exchange/inbox", "vanthutinh").get_json()["results"] == []
    (row,) = api.get("/api/v1/exchange/quarantine", "vanthutinh").get_json()["results"]
    assert reason in row["reason"] and row["source"] == "import" and row["by"] == "vanthutinh"
    assert row["reason_en"]
    auth.login("vanthutinh")
    page = client.get("/exchange/quarantine").get_data(as_text=True)
    assert reason in page
    # another agency's clerk does not see it
    assert api.get("/api/v1/exchange/quarantine", "vanthu").get_json()["results"] == []


def test_import_needs_a_file_and_a_clerk(api, province):
    resp = api.post("/api/v1/exchange/import", "vanthutinh", data={},
                    content_type="multipart/form-data")
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "missing_file"
    assert upload(api, b"<x/>", "chuyenvientinh").status_code == 403
