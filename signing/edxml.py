"""edXML packages of QCVN 102:2016: documents, status messages and recalls.

A package is one XML document in the namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016``::

    edXMLEnvelope
      edXMLHeader
        MessageHeader (a document)  |  Status (a status message, a recall, a recall answer)
        TraceHeaderList
      edXMLBody / edXMLManifest / Reference*        (documents only)
      AttachmentEncoded / Attachment* (base64)      (documents only)
      ds:Signature                                  (enveloped, RSA-SHA256, whole package)

The attachments travel inside the signed envelope, so that the seal covers every byte that
is registered at the receiver. A recall is a status message with code ``13``; its answers
carry ``15`` (recall accepted) or ``16`` (recall refused).

A library: it imports neither Flask nor a database.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from signing.xmldsig import (
    INVALID,
    MAX_PACKAGE_BYTES,
    XmlVerification,
    sign_enveloped,
    verify_enveloped,
)
from workflow.definitions import DELIVERY_STATES

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"

STATUS_LABELS = DELIVERY_STATES
"""The national status codes (QĐ 28/2018/QĐ-TTg) with their Vietnamese labels."""
STATUS_LABELS_EN = {
    "01": "Sent",
    "02": "Refused",
    "03": "Accepted",
    "04": "Assigned",
    "05": "In progress",
    "06": "Completed",
    "13": "Recall requested",
    "15": "Recall accepted",
    "16": "Recall refused",
}
PRIORITIES = {0: "Thường", 1: "Khẩn", 2: "Thượng khẩn", 3: "Hỏa tốc", 4: "Hỏa tốc hẹn giờ"}

MAX_TEXT = 4000
MAX_ATTACHMENTS = 50
_ORGAN_ID = re.compile(r"^[0-9A-Za-z.\-]{1,32}$")


class PackageError(ValueError):
    """A package that cannot be built or read; ``str(err)`` is Vietnamese."""

    def __init__(self, reason: str, reason_en: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_en = reason_en or reason


@dataclass(frozen=True)
class Organ:
    """An agency as edXML names it (``OrganId`` is the 13-character agency code)."""

    organ_id: str
    organ_name: str = ""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class Trace:
    organ_id: str
    timestamp: datetime


@dataclass
class DocumentMessage:
    """A document sent from one agency to others (``MessageHeader``)."""

    sender: Organ
    recipients: list[Organ]
    code_number: str
    code_notation: str
    promulgation_date: date
    subject: str
    place: str = ""
    type_code: str = ""
    type_name: str = ""
    signer_name: str = ""
    signer_position: str = ""
    competence: str = ""
    due_date: date | None = None
    priority: int = 0
    to_places: list[str] = field(default_factory=list)
    page_amount: int = 0
    traces: list[Trace] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def code(self) -> str:
        """Số/Ký hiệu, e.g. ``12/UBND-VP``."""
        return f"{self.code_number}/{self.code_notation}" if self.code_notation else (
            self.code_number)

    @property
    def document_id(self) -> str:
        return document_id(self.sender.organ_id, self.promulgation_date, self.code)


@dataclass
class StatusMessage:
    """A status (01-06), a recall (13) or a recall answer (15/16) about a document."""

    sender: Organ
    recipient: Organ
    document_id: str
    status_code: str
    timestamp: datetime
    description: str = ""
    staff: str = ""
    department: str = ""
    traces: list[Trace] = field(default_factory=list)

    @property
    def is_recall(self) -> bool:
        return self.status_code == "13"


Message = DocumentMessage | StatusMessage


def _clean(text: str | None, limit: int = MAX_TEXT) -> str:
    value = unicodedata.normalize("NFC", (text or "").strip())
    if len(value) > limit:
        raise PackageError(f"Một trường của gói tin dài quá {limit} ký tự.",
                           f"A package field is longer than {limit} characters.")
    return value


def document_id(organ_id: str, promulgated: date, code: str) -> str:
    """``OrganId,YYYY/MM/DD,Số/Ký hiệu`` (QCVN 102:2016)."""
    return f"{organ_id},{promulgated:%Y/%m/%d},{code}"


def split_document_id(value: str) -> tuple[str, date, str]:
    """The parts of a DocumentId, or :class:`PackageError`."""
    parts = (value or "").split(",", 2)
    if len(parts) != 3 or not _ORGAN_ID.match(parts[0]):
        raise PackageError("Mã định danh văn bản (DocumentId) không đúng định dạng.",
                           "Malformed DocumentId.")
    try:
        promulgated = datetime.strptime(parts[1], "%Y/%m/%d").date()
    except ValueError:
        raise PackageError("Ngày trong mã định danh văn bản không hợp lệ.",
                           "Invalid date in DocumentId.") from None
    return parts[0], promulgated, parts[2]


# -- building -------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, _q(tag))
    if text is not None:
        node.text = text
    return node


def _organ(parent: etree._Element, tag: str, organ: Organ) -> None:
    if not _ORGAN_ID.match(organ.organ_id or ""):
        raise PackageError(f"Mã định danh cơ quan không hợp lệ: {organ.organ_id!r}.",
                           f"Invalid OrganId {organ.organ_id!r}.")
    node = _sub(parent, tag)
    _sub(node, "OrganId", organ.organ_id)
    _sub(node, "OrganName", _clean(organ.organ_name))


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={PREFIX: NS})
    return root, _sub(root, "edXMLHeader")


def _traces(header: etree._Element, traces: Sequence[Trace]) -> None:
    node = _sub(header, "TraceHeaderList")
    for trace in traces:
        item = _sub(node, "TraceHeader")
        _sub(item, "OrganId", trace.organ_id)
        _sub(item, "Timestamp", _iso(trace.timestamp))


def build_document(msg: DocumentMessage) -> etree._Element:
    """The unsigned envelope of a document package."""
    if not msg.recipients:
        raise PackageError("Gói tin văn bản cần ít nhất một nơi nhận.", "No recipient.")
    root, header = _envelope()
    head = _sub(header, "MessageHeader")
    _organ(head, "From", msg.sender)
    for organ in msg.recipients:
        _organ(head, "To", organ)
    _sub(head, "DocumentId", msg.document_id)
    code = _sub(head, "Code")
    _sub(code, "CodeNumber", _clean(msg.code_number, 64))
    _sub(code, "CodeNotation", _clean(msg.code_notation, 128))
    prom = _sub(head, "PromulgationInfo")
    _sub(prom, "Place", _clean(msg.place, 256))
    _sub(prom, "PromulgationDate", msg.promulgation_date.isoformat())
    dtype = _sub(head, "DocumentType")
    _sub(dtype, "Type", _clean(msg.type_code, 32))
    _sub(dtype, "TypeName", _clean(msg.type_name, 256))
    _sub(head, "Subject", _clean(msg.subject))
    signer = _sub(head, "SignerInfo")
    _sub(signer, "Competence", _clean(msg.competence, 256))
    _sub(signer, "Position", _clean(msg.signer_position, 256))
    _sub(signer, "FullName", _clean(msg.signer_name, 256))
    _sub(head, "DueDate", msg.due_date.isoformat() if msg.due_date else "")
    places = _sub(head, "ToPlaces")
    for place in msg.to_places:
        _sub(places, "Place", _clean(place, 512))
    other = _sub(head, "OtherInfo")
    _sub(other, "Priority", str(int(msg.priority)))
    _sub(other, "PageAmount", str(int(msg.page_amount)))
    _sub(other, "PromulgationAmount", str(len(msg.recipients)))
    _traces(header, msg.traces)
    body = _sub(root, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    encoded = _sub(root, "AttachmentEncoded")
    for index, att in enumerate(msg.attachments, start=1):
        cid = f"cid:{index}"
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", cid)
        _sub(ref, "ContentType", _clean(att.content_type, 128))
        _sub(ref, "AttachmentName", _clean(att.name, 256))
        _sub(ref, "Description", _clean(att.description, 512))
        item = _sub(encoded, "Attachment")
        _sub(item, "ContentId", cid)
        _sub(item, "AttachmentName", _clean(att.name, 256))
        _sub(item, "ContentType", _clean(att.content_type, 128))
        _sub(item, "ContentTransferEncoded", base64.b64encode(att.data).decode("ascii"))
    return root


def build_status(msg: StatusMessage) -> etree._Element:
    """The unsigned envelope of a status message (a recall when the code is ``13``)."""
    if msg.status_code not in STATUS_LABELS:
        raise PackageError(f"Mã trạng thái không hợp lệ: {msg.status_code!r}.",
                           f"Unknown status code {msg.status_code!r}.")
    split_document_id(msg.document_id)
    root, header = _envelope()
    status = _sub(header, "Status")
    _organ(status, "From", msg.sender)
    _organ(status, "To", msg.recipient)
    response = _sub(status, "ResponseFor")
    _sub(response, "DocumentId", msg.document_id)
    _sub(status, "StatusCode", msg.status_code)
    _sub(status, "Description", _clean(msg.description))
    _sub(status, "Timestamp", _iso(msg.timestamp))
    staff = _sub(status, "StaffInfo")
    _sub(staff, "Department", _clean(msg.department, 256))
    _sub(staff, "Staff", _clean(msg.staff, 256))
    _traces(header, msg.traces)
    return root


def build_recall(sender: Organ, recipient: Organ, doc_id: str, reason: str,
                 timestamp: datetime, staff: str = "") -> etree._Element:
    """A recall request (status ``13``) with its reason."""
    return build_status(StatusMessage(sender, recipient, doc_id, "13", timestamp,
                                      description=reason, staff=staff))


def sign_package(root: etree._Element, key: rsa.RSAPrivateKey, certificate: x509.Certificate,
                 chain: Sequence[x509.Certificate] = ()) -> bytes:
    """The signed package bytes (enveloped XML-DSig by the agency seal)."""
    return sign_enveloped(root, key, certificate, chain)


# -- reading --------------------------------------------------------------------------------


def _one(parent: etree._Element, path: str, *, required: bool = True) -> etree._Element | None:
    found = parent.findall(path, namespaces={PREFIX: NS})
    if len(found) > 1:
        raise PackageError(f"Gói tin có nhiều hơn một phần tử {path}.",
                           f"More than one {path} element.")
    if not found:
        if required:
            raise PackageError(f"Gói tin thiếu phần tử {path}.", f"Missing {path}.")
        return None
    return found[0]


def _text(parent: etree._Element, path: str, *, required: bool = False,
          limit: int = MAX_TEXT) -> str:
    node = _one(parent, path, required=required)
    if node is None:
        return ""
    if len(node):
        raise PackageError(f"Phần tử {path} không đúng cấu trúc.", f"{path} has children.")
    value = _clean(node.text, limit)
    if required and not value:
        raise PackageError(f"Gói tin thiếu {path}.", f"Empty {path}.")
    return value


def _read_organ(node: etree._Element) -> Organ:
    organ_id = _text(node, "edXML:OrganId", required=True, limit=32)
    if not _ORGAN_ID.match(organ_id):
        raise PackageError("Mã định danh cơ quan không hợp lệ.", "Invalid OrganId.")
    return Organ(organ_id, _text(node, "edXML:OrganName", limit=512))


def _date(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise PackageError(f"Ngày không hợp lệ trong {what}.", f"Invalid date in {what}.") from None


def _moment(value: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PackageError(f"Thời điểm không hợp lệ trong {what}.",
                           f"Invalid time in {what}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        raise PackageError("Một trường số của gói tin không hợp lệ.",
                           "Invalid number field.") from None


def _read_traces(header: etree._Element) -> list[Trace]:
    node = _one(header, "edXML:TraceHeaderList", required=False)
    traces: list[Trace] = []
    if node is not None:
        for item in node.findall("edXML:TraceHeader", namespaces={PREFIX: NS})[:100]:
            traces.append(Trace(_text(item, "edXML:OrganId", limit=32),
                                _moment(_text(item, "edXML:Timestamp"), "TraceHeader")))
    return traces


def _read_attachments(root: etree._Element) -> list[Attachment]:
    names: dict[str, str] = {}
    manifest = root.findall("edXML:edXMLBody/edXML:edXMLManifest/edXML:Reference",
                            namespaces={PREFIX: NS})
    for ref in manifest:
        names[_text(ref, "edXML:ContentId", limit=64)] = _text(ref, "edXML:AttachmentName")
    items = root.findall("edXML:AttachmentEncoded/edXML:Attachment", namespaces={PREFIX: NS})
    if len(items) > MAX_ATTACHMENTS:
        raise PackageError(f"Gói tin có quá {MAX_ATTACHMENTS} tệp đính kèm.",
                           "Too many attachments.")
    attachments = []
    for item in items:
        cid = _text(item, "edXML:ContentId", limit=64)
        name = _text(item, "edXML:AttachmentName", limit=256) or names.get(cid, "") or cid
        if cid not in names:
            raise PackageError("Tệp đính kèm không có trong danh mục (edXMLManifest).",
                               "Attachment missing from the manifest.")
        payload = _one(item, "edXML:ContentTransferEncoded")
        assert payload is not None
        try:
            data = base64.b64decode("".join((payload.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise PackageError("Nội dung tệp đính kèm không phải base64 hợp lệ.",
                               "Attachment is not valid base64.") from None
        attachments.append(Attachment(name, _text(item, "edXML:ContentType", limit=128), data))
    return attachments


def parse_message(root: etree._Element) -> Message:
    """Read a package's content (call it on :attr:`XmlVerification.signed_root`)."""
    if root.tag != _q("edXMLEnvelope"):
        raise PackageError("Không phải gói tin edXML (QCVN 102:2016).",
                           "Not an edXML (QCVN 102:2016) envelope.")
    header = _one(root, "edXML:edXMLHeader")
    assert header is not None
    head = _one(header, "edXML:MessageHeader", required=False)
    status = _one(header, "edXML:Status", required=False)
    if (head is None) == (status is None):
        raise PackageError("Gói tin phải có đúng một MessageHeader hoặc Status.",
                           "Exactly one MessageHeader or Status is required.")
    traces = _read_traces(header)
    if status is not None:
        code = _text(status, "edXML:StatusCode", required=True, limit=2)
        if code not in STATUS_LABELS:
            raise PackageError(f"Mã trạng thái không hợp lệ: {code!r}.", "Unknown status code.")
        doc_id = _text(status, "edXML:ResponseFor/edXML:DocumentId", required=True, limit=600)
        split_document_id(doc_id)
        return StatusMessage(
            sender=_read_organ(_one(status, "edXML:From")),
            recipient=_read_organ(_one(status, "edXML:To")),
            document_id=doc_id, status_code=code,
            timestamp=_moment(_text(status, "edXML:Timestamp", required=True), "Status"),
            description=_text(status, "edXML:Description"),
            staff=_text(status, "edXML:StaffInfo/edXML:Staff", limit=256),
            department=_text(status, "edXML:StaffInfo/edXML:Department", limit=256),
            traces=traces,
        )
    assert head is not None
    sender = _read_organ(_one(head, "edXML:From"))
    recipients = [_read_organ(n) for n in head.findall("edXML:To", namespaces={PREFIX: NS})]
    if not recipients:
        raise PackageError("Gói tin không có nơi nhận.", "No recipient.")
    promulgated = _date(_text(head, "edXML:PromulgationInfo/edXML:PromulgationDate",
                              required=True), "PromulgationDate")
    assert promulgated is not None
    msg = DocumentMessage(
        sender=sender, recipients=recipients,
        code_number=_text(head, "edXML:Code/edXML:CodeNumber", required=True, limit=64),
        code_notation=_text(head, "edXML:Code/edXML:CodeNotation", limit=128),
        promulgation_date=promulgated,
        subject=_text(head, "edXML:Subject", required=True),
        place=_text(head, "edXML:PromulgationInfo/edXML:Place", limit=256),
        type_code=_text(head, "edXML:DocumentType/edXML:Type", limit=32),
        type_name=_text(head, "edXML:DocumentType/edXML:TypeName", limit=256),
        signer_name=_text(head, "edXML:SignerInfo/edXML:FullName", limit=256),
        signer_position=_text(head, "edXML:SignerInfo/edXML:Position", limit=256),
        competence=_text(head, "edXML:SignerInfo/edXML:Competence", limit=256),
        due_date=_date(_text(head, "edXML:DueDate"), "DueDate"),
        priority=_int(_text(head, "edXML:OtherInfo/edXML:Priority", limit=4)),
        to_places=[_clean(p.text, 512) for p in head.findall(
            "edXML:ToPlaces/edXML:Place", namespaces={PREFIX: NS})[:200]],
        page_amount=_int(_text(head, "edXML:OtherInfo/edXML:PageAmount", limit=8)),
        traces=traces,
        attachments=_read_attachments(root),
    )
    declared = _text(head, "edXML:DocumentId", required=True, limit=600)
    if declared != msg.document_id:
        raise PackageError("Mã định danh văn bản (DocumentId) không khớp số, ký hiệu và ngày.",
                           "DocumentId does not match the code and date.")
    return msg


@dataclass
class ReceivedPackage:
    """A package read from untrusted bytes: ``message`` is set only when ``accepted``."""

    verification: XmlVerification
    message: Message | None = None

    @property
    def accepted(self) -> bool:
        return self.verification.valid and self.message is not None

    @property
    def reason(self) -> str:
        return "; ".join(self.verification.reasons)

    @property
    def reason_en(self) -> str:
        return "; ".join(self.verification.reasons_en)


def read_package(
    data: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    crls: Sequence[bytes] = (),
    max_bytes: int = MAX_PACKAGE_BYTES,
) -> ReceivedPackage:
    """Verify and read an untrusted package. Never raises for bad input: a refused package
    has ``accepted == False`` and its reasons (Vietnamese and English)."""
    verification = verify_enveloped(data, trust_roots, crls=crls, max_bytes=max_bytes)
    received = ReceivedPackage(verification)
    if verification.signed_root is None:
        return received
    try:
        received.message = parse_message(verification.signed_root)
    except PackageError as err:
        verification.refuse(INVALID, err.reason, err.reason_en)
    return received
