"""edXML packages (QCVN 102:2016): built, signed, checked by xmlsec1, and attacks refused."""

from __future__ import annotations

import base64
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from signing import edxml
from signing.devpki import DevPki, init_dev_pki
from signing.validation import load_trust_roots

PASS = "eoffice-demo"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return init_dev_pki(tmp_path_factory.mktemp("pki"), agency_name="UBND thành phố Vĩnh Yên",
                        agency_abbr="UBND", passphrase=PASS)


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A PKI nobody configured as a trust anchor."""
    return init_dev_pki(tmp_path_factory.mktemp("other"), agency_name="Cơ quan lạ",
                        agency_abbr="CQL", passphrase=PASS)


def seal(p12: Path):
    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), PASS.encode())
    return key, cert, chain


def a_document(**changes) -> edxml.DocumentMessage:
    values = dict(
        sender=edxml.Organ("000.00.01.H62", "UBND thành phố Vĩnh Yên"),
        recipients=[edxml.Organ("000.00.00.H62", "UBND tỉnh Vĩnh Phúc")],
        code_number="123", code_notation="UBND-VP", promulgation_date=date(2026, 11, 20),
        subject="Về việc triển khai liên thông văn bản điện tử", place="Vĩnh Yên",
        type_code="CV", type_name="Công văn", signer_name="Nguyễn Văn Chủ",
        signer_position="Chủ tịch", competence="TM. Ủy ban nhân dân",
        due_date=date(2026, 12, 5), priority=2, to_places=["UBND tỉnh Vĩnh Phúc", "Lưu: VT"],
        page_amount=2, traces=[edxml.Trace("000.00.01.H62", datetime(2026, 11, 20, 8, tzinfo=UTC))],
        attachments=[edxml.Attachment("cong-van-123.pdf", "application/pdf", PDF)],
    )
    values.update(changes)
    return edxml.DocumentMessage(**values)


def signed(message, p12: Path) -> bytes:
    key, cert, chain = seal(p12)
    root = (edxml.build_document(message) if isinstance(message, edxml.DocumentMessage)
            else edxml.build_status(message))
    return edxml.sign_package(root, key, cert, chain)


def xmlsec_verify(data: bytes, pki: DevPki, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "package.edxml"
    path.write_bytes(data)
    return subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(pki.root_pem), "--untrusted-pem",
         str(pki.intermediate_pem), "--enabled-reference-uris", "empty", str(path)],
        capture_output=True, text=True, check=False,
    )


def read(data: bytes, pki: DevPki) -> edxml.ReceivedPackage:
    return edxml.read_package(data, load_trust_roots([pki.root_pem]), crls=pki.crls())


def test_document_package_round_trip_and_xmlsec1(pki, tmp_path):
    data = signed(a_document(), pki.seal_p12)
    assert b'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"' in data
    assert b"<edXML:DocumentId>000.00.01.H62,2026/11/20,123/UBND-VP</edXML:DocumentId>" in data
    checked = xmlsec_verify(data, pki, tmp_path)
    assert checked.returncode == 0 and "OK" in checked.stderr, checked.stderr

    received = read(data, pki)
    assert received.accepted, received.reason
    msg = received.message
    assert isinstance(msg, edxml.DocumentMessage)
    assert msg.document_id == "000.00.01.H62,2026/11/20,123/UBND-VP"
    assert (msg.code, msg.type_name, msg.subject) == (
        "123/UBND-VP", "Công văn", "Về việc triển khai liên thông văn bản điện tử")
    assert (msg.signer_name, msg.signer_position, msg.competence) == (
        "Nguyễn Văn Chủ", "Chủ tịch", "TM. Ủy ban nhân dân")
    assert (msg.due_date, msg.priority, msg.page_amount) == (date(2026, 12, 5), 2, 2)
    assert msg.to_places == ["UBND tỉnh Vĩnh Phúc", "Lưu: VT"]
    assert [o.organ_id for o in msg.recipients] == ["000.00.00.H62"]
    assert msg.attachments[0].data == PDF and msg.attachments[0].name == "cong-van-123.pdf"
    assert received.verification.signer == "UBND thành phố Vĩnh Yên"


@pytest.mark.parametrize("code", ["03", "06", "13", "15", "16"])
def test_status_and_recall_packages_are_signed_and_read(pki, tmp_path, code):
    message = edxml.StatusMessage(
        sender=edxml.Organ("000.00.00.H62", "UBND tỉnh Vĩnh Phúc"),
        recipient=edxml.Organ("000.00.01.H62", "UBND thành phố Vĩnh Yên"),
        document_id="000.00.01.H62,2026/11/20,123/UBND-VP", status_code=code,
        timestamp=datetime(2026, 11, 21, 9, 30, tzinfo=UTC), description="Lý do: sai thể thức",
        staff="Văn thư tỉnh",
    )
    data = signed(message, pki.seal_p12)
    assert xmlsec_verify(data, pki, tmp_path).returncode == 0
    received = read(data, pki)
    assert received.accepted, received.reason
    got = received.message
    assert isinstance(got, edxml.StatusMessage)
    assert (got.status_code, got.description, got.is_recall) == (
        code, "Lý do: sai thể thức", code == "13")
    assert got.timestamp == datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def test_recall_builder_carries_code_13_and_reason(pki):
    root = edxml.build_recall(edxml.Organ("000.00.01.H62"), edxml.Organ("000.00.00.H62"),
                              "000.00.01.H62,2026/11/20,123/UBND-VP", "Ban hành nhầm",
                              datetime(2026, 11, 22, tzinfo=UTC))
    key, cert, chain = seal(pki.seal_p12)
    received = read(edxml.sign_package(root, key, cert, chain), pki)
    assert received.message.is_recall and received.message.description == "Ban hành nhầm"


def _tamper_attachment(data: bytes) -> bytes:
    encoded = base64.b64encode(PDF)
    changed = bytearray(PDF)
    changed[100] ^= 0x01
    assert encoded in data
    return data.replace(encoded, base64.b64encode(bytes(changed)))


@pytest.mark.parametrize("tamper", [
    _tamper_attachment,
    lambda d: d.replace("triển khai".encode(), "hủy bỏ".encode()),
], ids=["attachment-byte", "subject"])
def test_tampered_package_is_refused_with_reason(pki, tmp_path, tamper):
    data = tamper(signed(a_document(), pki.seal_p12))
    received = read(data, pki)
    assert not received.accepted
    assert "không toàn vẹn" in received.reason
    assert xmlsec_verify(data, pki, tmp_path).returncode != 0


def test_untrusted_signer_is_refused(pki, other_pki, tmp_path):
    data = signed(a_document(), other_pki.seal_p12)
    received = read(data, pki)
    assert not received.accepted
    assert "không thuộc chuỗi tin cậy" in received.reason
    assert xmlsec_verify(data, pki, tmp_path).returncode != 0


def test_revoked_signer_is_refused(pki):
    received = read(signed(a_document(), pki.revoked_p12), pki)
    assert not received.accepted and "đã bị thu hồi" in received.reason


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol4;
</edXML:edXMLEnvelope>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLHeader><edXML:MessageHeader><edXML:Subject>&xxe;</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope>"""


@pytest.mark.parametrize("data,expected", [
    (BOMB, "bom XML"),
    (XXE, "thực thể ngoài"),
    (b"<edXML:edXMLEnvelope xmlns:edXML='x'>", "không phải XML hợp lệ"),
    (b"\x00\x01binary", "không phải XML hợp lệ"),
], ids=["billion-laughs", "external-entity", "truncated", "binary"])
def test_hostile_xml_is_refused_without_crash(pki, data, expected):
    received = read(data, pki)
    assert not received.accepted and received.message is None
    assert expected in received.reason
    assert b"root:" not in received.reason.encode()


def test_unsigned_and_oversized_packages_are_refused(pki):
    unsigned = edxml.etree.tostring(edxml.build_document(a_document()))
    assert "không có chữ ký" in read(unsigned, pki).reason
    data = signed(a_document(), pki.seal_p12)
    small = edxml.read_package(data, load_trust_roots([pki.root_pem]), max_bytes=1000)
    assert not small.accepted and "quá lớn" in small.reason


def test_signed_but_malformed_content_is_refused(pki):
    bad = a_document(recipients=[edxml.Organ("000.00.00.H62")])
    root = edxml.build_document(bad)
    # a DocumentId that does not match the code and date, signed by a trusted seal
    root.find(f".//{{{edxml.NS}}}DocumentId").text = "000.00.01.H62,2026/11/20,999/XX"
    key, cert, chain = seal(pki.seal_p12)
    received = read(edxml.sign_package(root, key, cert, chain), pki)
    assert not received.accepted and "DocumentId" in received.reason


def test_document_id_format():
    assert edxml.document_id("000.00.00.H62", date(2026, 1, 2), "5/QĐ-UBND") == (
        "000.00.00.H62,2026/01/02,5/QĐ-UBND")
    assert edxml.split_document_id("000.00.00.H62,2026/01/02,5/QĐ-UBND")[2] == "5/QĐ-UBND"
    with pytest.raises(edxml.PackageError):
        edxml.split_document_id("000.00.00.H62;2026-01-02;5")


def test_a_seal_revoked_by_a_new_crl_is_refused_at_once(tmp_path):
    """The chain verdict of a seal is reused for the next packages (every package of an
    agency carries the same certificate), but new CRLs are a new question: a package from a
    seal revoked since is refused at once."""
    from signing.devpki import _load_cert, _load_key, _write_crl

    pki = init_dev_pki(tmp_path / "pki", agency_name="UBND thành phố Vĩnh Yên",
                       agency_abbr="UBND", passphrase=PASS)
    roots = load_trust_roots([pki.root_pem])
    first = signed(a_document(subject="Văn bản thứ nhất"), pki.seal_p12)
    second = signed(a_document(subject="Văn bản thứ hai"), pki.seal_p12)
    assert edxml.read_package(first, roots, crls=pki.crls()).accepted
    assert edxml.read_package(second, roots, crls=pki.crls()).accepted
    revoked = [seal(p12)[1].serial_number for p12 in (pki.revoked_p12, pki.seal_p12)]
    _write_crl(pki.crl_paths[0], _load_cert(pki.intermediate_pem),
               _load_key(pki.out / "private" / "intermediate.key.pem", PASS), revoked)
    received = edxml.read_package(second, roots, crls=pki.crls())
    assert not received.accepted and "đã bị thu hồi" in received.reason
