"""Bridging the app (config, file store, trust material, clock) to the exchange operations."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from eoffice.auth.models import User
from eoffice.documents.models import Document, Urgency
from eoffice.exchange import deliveries
from eoffice.exchange.models import ExchangeDelivery
from eoffice.extensions import file_store


def _pdf_verdict(data: bytes) -> dict[str, Any]:
    from eoffice.settings import trust_material
    from eoffice.untrusted import FileRefused, check_bytes

    trust = trust_material()
    try:  # the untrusted-file pipeline (structure check and signatures in the sandbox)
        report = check_bytes(data, validate=True, roots=trust.roots, crls=trust.crls,
                             online=trust.online,
                             revocation_cache=trust.revocation_cache).report.to_dict()
    except FileRefused as refused:
        return {"verdict": "invalid", "label": "không hợp lệ", "unreadable": True,
                "reasons": [refused.message]}
    return {"verdict": report["verdict"], "label": report["label"],
            "reasons": report["reasons"], "signatures": report["signatures"]}


def local_verdict(document: Document) -> dict[str, Any]:
    """The signatures of the issued file, validated with this deployment's trust anchors."""
    if document.current_file_sha is None:
        return {"verdict": "unsigned", "label": "không có chữ ký", "reasons": []}
    return _pdf_verdict(file_store().get(document.current_file_sha))


def send_context() -> deliveries.SendContext:
    remote = None
    if hub_url():
        from eoffice.exchange import hub

        remote = hub.enqueue_document
    return deliveries.SendContext(verdict=local_verdict, remote=remote)


def today() -> Any:
    from eoffice import settings

    return settings.today()


def registrar(session: Session, actor: User) -> deliveries.Register:
    """Registers an accepted delivery in the actor's incoming register (next arrival number)."""
    from eoffice.incoming.forms import IncomingInput
    from eoffice.incoming.registration import register_incoming
    from eoffice.rendering.types import DOCUMENT_TYPES
    from eoffice.settings import trust_material

    def register(delivery: ExchangeDelivery) -> Document:
        meta = delivery.meta or {}
        number = str(meta.get("code_number") or "")
        type_code = meta.get("type_code")
        data = IncomingInput(
            issuer_name=meta.get("issuer_name") or delivery.peer_name or delivery.peer_code,
            issuer_id=delivery.peer_code, subject=str(meta.get("subject") or "")[:500],
            type_code=type_code if isinstance(type_code, str) and type_code in DOCUMENT_TYPES
            else "CV",
            code_number=int(number) if number.isdigit() else None,
            code_notation=meta.get("code_notation") or None,
            issued_date=_date(meta.get("issued_date")), due_date=_date(meta.get("due_date")),
            urgency=Urgency(meta.get("urgency") or "thuong"),
            signer_name=meta.get("signer_name") or "",
            signer_position=meta.get("signer_position") or "",
            page_count=meta.get("page_count") if isinstance(meta.get("page_count"), int) else None,
        )
        pdf = next((f for f in delivery.files or [] if f.get("content_type") ==
                    "application/pdf"), None)
        content = file_store().get(pdf["sha256"]) if pdf else None
        result = register_incoming(session, file_store(), actor, data, file=content,
                                   filename=pdf["name"] if pdf else "", trust=trust_material(),
                                   classified_files=False, today=today())
        return result.document

    return register


def _date(value: Any) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# -- packages for agencies outside the deployment ---------------------------------------------

DEV_SEAL_PASSPHRASE = "eoffice-demo"  # noqa: S105 - the development PKI's passphrase


def hub_url() -> str:
    return str(current_app.config.get("EXCHANGE_HUB") or "")


def queue_prefix() -> str:
    from eoffice.exchange.amqp import QUEUE_PREFIX

    return str(current_app.config.get("EXCHANGE_QUEUE_PREFIX") or QUEUE_PREFIX)


def exchange_seal() -> Any:
    """The seal that signs packages: ``EXCHANGE_SEAL_P12`` (default the instance's
    ``pki/seal.p12``) opened with ``EXCHANGE_SEAL_PASSPHRASE`` (default: the development
    passphrase). Loaded once per app."""
    cached = current_app.extensions.get("eoffice.exchange.seal")
    if cached is not None:
        return cached
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    from eoffice.errors import Invalid
    from eoffice.exchange.packages import Seal

    path = Path(current_app.config.get("EXCHANGE_SEAL_P12")
                or Path(current_app.instance_path) / "pki" / "seal.p12")
    secret = str(current_app.config.get("EXCHANGE_SEAL_PASSPHRASE") or DEV_SEAL_PASSPHRASE)
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), secret.encode())
    except (OSError, ValueError):
        raise Invalid("Chưa cấu hình được con dấu điện tử dùng cho liên thông (EXCHANGE_SEAL_P12 "
                      "và mật khẩu): không ký được gói tin edXML.", code="no_exchange_seal"
                      ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
        raise Invalid("Con dấu liên thông phải là khóa RSA có chứng thư số.",
                      code="no_exchange_seal")
    seal = Seal(key, cert, tuple(chain or ()))
    current_app.extensions["eoffice.exchange.seal"] = seal
    return seal


def exchange_trust() -> Any:
    """The deployment's trust anchors and CRLs, for received packages (parsed once while
    the deployment's trust material stays the same)."""
    from cryptography import x509

    from eoffice.exchange.packages import Trust
    from eoffice.settings import trust_material

    material = trust_material()
    cached = current_app.extensions.get("eoffice.exchange.trust")
    if cached is not None and cached[0] is material:  # the deployment's, loaded once
        return cached[1]
    trust = Trust([x509.load_der_x509_certificate(r) for r in material.roots],
                  list(material.crls))
    current_app.extensions["eoffice.exchange.trust"] = (material, trust)
    return trust


def pdf_verdict(data: bytes) -> dict[str, Any]:
    """The Vietnamese verdict of a received PDF's signatures (checked in the sandbox)."""
    return _pdf_verdict(data)
