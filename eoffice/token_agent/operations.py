"""Pairing with a local token agent, and signing outgoing documents through it.

Domain operations taking the actor; the caller owns the transaction (all or nothing).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

import signing
from eoffice import signing_services
from eoffice.audit import operations as audit
from eoffice.auth.models import Role, User
from eoffice.db import rows_changed, utcnow
from eoffice.documents.models import Document
from eoffice.errors import Invalid, NotFound
from eoffice.outgoing.common import ensure_allowed, get_outgoing
from eoffice.outgoing.signature import current_pdf, store_signed
from eoffice.signing_services import SigningSettings
from eoffice.storage import FileStore
from eoffice.token_agent.models import AgentPairing, PairingCode, PendingSignature
from signing.external import (
    PreparedSignature,
    authenticator,
    finish_external,
    prepare_external,
)
from signing.pades import run
from signing.revocation import check_signer

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_MINUTES = 10
PENDING_MINUTES = 5
MAX_BATCH = 50


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _normal_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def new_pairing_code(session: Session, user: User) -> str:
    """A one-time code (``ABCD-EFGH``) for this user, valid ten minutes; older ones end."""
    session.execute(sa.delete(PairingCode).where(PairingCode.user_id == user.id))
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    session.add(PairingCode(code_hash=_hash(raw), user_id=user.id,
                            expires_at=utcnow() + timedelta(minutes=CODE_MINUTES)))
    return f"{raw[:4]}-{raw[4:]}"


def pairing_of(session: Session, user: User) -> AgentPairing | None:
    return session.get(AgentPairing, user.id)


def _same_name(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(a) == norm(b)


def _common_name(cert: Any) -> str:
    value = cert.subject.native.get("common_name") or ""
    return str(value[0] if isinstance(value, list) else value)


def _check_owner(user: User, cert: Any) -> None:
    """The token's certificate must name the user (or, for a clerk, the agency's seal)."""
    name = _common_name(cert)
    allowed = [user.full_name]
    if user.has_role(Role.CLERK):
        allowed.append(user.agency.name)
    if not any(_same_name(name, who) for who in allowed):
        raise Invalid("Chứng thư số trên thiết bị (“%(name)s”) không phải của %(full_name)s. / "
                      "The token's certificate does not belong to %(full_name)s.",
                      code="wrong_certificate", values={"name": name, "full_name": user.full_name})


def _trusted(cert_der: bytes, chain: Sequence[bytes], settings: SigningSettings) -> Any:
    from asn1crypto import x509
    from pyhanko_certvalidator import CertificateValidator

    try:
        cert = x509.Certificate.load(cert_der)
        cert.subject.native  # noqa: B018 - parse now
        intermediates = [x509.Certificate.load(c) for c in chain]
    except (ValueError, TypeError) as exc:
        raise Invalid("Chứng thư số gửi từ phần mềm ký số không hợp lệ.",
                      code="bad_certificate") from exc
    context = signing_services.validation_context(settings)
    if context is not None:
        try:
            check_signer(context, cert, intermediates)
            validator = CertificateValidator(cert, intermediate_certs=intermediates,
                                             validation_context=context)
            run(validator.async_validate_usage(set()))
        except signing.SigningError as exc:
            raise signing_services.signing_failed(exc) from exc
        except Exception as exc:  # noqa: BLE001 - any path failure: not trusted
            raise Invalid("Chứng thư số trên thiết bị không được tin cậy (không thuộc chuỗi "
                          "chứng thư gốc đã cấu hình).", code="untrusted_certificate") from exc
    return cert


def pair(session: Session, code: str, certificate: bytes, chain: Sequence[bytes],
         agent_url: str, settings: SigningSettings) -> tuple[User, str]:
    """Redeem a pairing code: check the token's certificate, keep a new shared key."""
    row = session.get(PairingCode, _hash(_normal_code(code)))
    if row is None or row.expires_at < utcnow():
        raise Invalid("Mã ghép nối không đúng hoặc đã hết hạn; hãy lấy mã mới trên trang "
                      "tài khoản.", code="bad_pairing_code")
    session.delete(row)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Invalid("Mã ghép nối không đúng hoặc đã hết hạn.", code="bad_pairing_code")
    cert = _trusted(certificate, chain, settings)
    _check_owner(user, cert)
    if not agent_url.startswith(("http://127.0.0.1:", "http://localhost:")) \
            or len(agent_url) > 100:
        raise Invalid("Phần mềm ký số phải chạy trên máy người ký (127.0.0.1).",
                      code="bad_agent_url")
    key = secrets.token_hex(32)
    pairing = session.get(AgentPairing, user.id) or AgentPairing(user_id=user.id)
    pairing.key_hex, pairing.agent_url = key, agent_url
    pairing.cert_sha256 = hashlib.sha256(certificate).hexdigest()
    pairing.cert_subject = _common_name(cert)[:255]
    pairing.paired_at = utcnow()
    session.add(pairing)
    audit.append(session, "token_agent.pair", actor=user, object_type="user",
                 object_id=user.id, details={"certificate": pairing.cert_subject,
                                             "sha256": pairing.cert_sha256})
    return user, key


def _paired_certificate(session: Session, actor: User, certificate: bytes) -> AgentPairing:
    pairing = pairing_of(session, actor)
    if pairing is None:
        raise Invalid("Phần mềm ký số chưa được ghép nối với tài khoản này: vào “Tài khoản "
                      "→ USB token” để lấy mã ghép nối.", code="not_paired")
    if hashlib.sha256(certificate).hexdigest() != pairing.cert_sha256:
        raise Invalid("Chứng thư số trên thiết bị đang cắm không phải chứng thư đã ghép nối của "
                      "%(full_name)s (người ký được chỉ định). Hãy cắm đúng thiết bị hoặc ghép "
                      "nối lại.", code="wrong_certificate", values={"full_name": actor.full_name})
    return pairing


def _work_item(session: Session, actor: User, pairing: AgentPairing, origin: str,
               prepared: PreparedSignature, subject: str, source_sha: str,
               field_name: str = "sig_official", **target: Any) -> dict[str, Any]:
    """Keep the prepared state; return the agent's work item with its authenticator."""
    request_id = secrets.token_hex(16)
    expires = int(time.time()) + PENDING_MINUTES * 60
    session.add(PendingSignature(
        id=request_id, user_id=actor.id, source_sha=source_sha,
        state={**prepared.to_json(), "field": field_name},
        pdf=prepared.pdf, expires_at=utcnow() + timedelta(minutes=PENDING_MINUTES), **target))
    subject = subject[:500]
    return {"request_id": request_id, "subject": subject,
            "data": prepared.to_json()["signed_attrs"], "expires": expires,
            "auth": authenticator(bytes.fromhex(pairing.key_hex), origin=origin,
                                  request_id=request_id, expires=expires, subject=subject,
                                  data=prepared.signed_attrs)}


def _prepare(pdf: bytes, actor: User, certificate: bytes, chain: Sequence[bytes], *,
             field_name: str, reason: str, settings: SigningSettings) -> PreparedSignature:
    level = signing_services.signing_options(settings)["level"]
    try:
        return prepare_external(pdf, certificate, list(chain),
                                image_png=actor.signature_image, field_name=field_name,
                                reason=reason, level=level)
    except signing.SigningError as exc:
        raise signing_services.signing_failed(exc) from exc


class SignerMaterial(TypedDict):
    """What every prepare call takes from the agent's request and the agency: the signer's
    certificate and chain (DER), the asking origin and the signing settings."""

    certificate: bytes
    chain: Sequence[bytes]
    origin: str
    settings: SigningSettings


def prepare_sign(session: Session, store: FileStore, actor: User, ids: Sequence[Any], *,
                 certificate: bytes, chain: Sequence[bytes], origin: str,
                 settings: SigningSettings) -> list[dict[str, Any]]:
    """Prepare the official's signature on each document; return the agent's work items."""
    if not ids:
        raise Invalid("Hãy chọn ít nhất một văn bản để ký.", code="missing_field")
    if len(ids) > MAX_BATCH:
        raise Invalid("Mỗi lần ký tối đa %(MAX_BATCH)s văn bản.", code="too_many",
                      values={"MAX_BATCH": MAX_BATCH})
    pairing = _paired_certificate(session, actor, certificate)
    _trusted(certificate, chain, settings)
    documents = [get_outgoing(session, actor, i) for i in dict.fromkeys(ids)]
    items = []
    for document in documents:
        ensure_allowed(session, document, actor, "sign")
        prepared = _prepare(current_pdf(store, document), actor, certificate, chain,
                            field_name="sig_official",
                            reason="Phê duyệt, ký ban hành văn bản", settings=settings)
        items.append(_work_item(session, actor, pairing, origin, prepared,
                                f"{document.type_name}: {document.subject}",
                                document.current_file_sha or "", document_id=document.id))
    return items


def prepare_issue(session: Session, store: FileStore, actor: User, document_id: Any, *,
                  certificate: bytes, chain: Sequence[bytes], origin: str,
                  settings: SigningSettings, today: date) -> list[dict[str, Any]]:
    """The clerk's seal on a token: number and date filled (the number is only taken at
    finish, so a cancelled signature leaves no gap), the seal signature reserved."""
    from eoffice.outgoing.issuance import next_code
    from eoffice.rendering import vn_date_text
    from signing.issuance import prepare_issuance

    pairing = _paired_certificate(session, actor, certificate)
    _trusted(certificate, chain, settings)
    document = get_outgoing(session, actor, document_id)
    ensure_allowed(session, document, actor, "issue")
    number, code = next_code(session, document, today)
    level = signing_services.signing_options(settings)["level"]
    try:
        prepared = prepare_issuance(current_pdf(store, document), number_text=code,
                                    date_text=vn_date_text(today), certificate=certificate,
                                    chain=list(chain), seal_png=settings.seal_png, level=level)
    except signing.SigningError as exc:
        raise signing_services.signing_failed(exc) from exc
    item = _work_item(session, actor, pairing, origin, prepared,
                      f"Phát hành {code}: {document.subject}", document.current_file_sha or "",
                      field_name="sig_seal", kind="outgoing-issue", document_id=document.id)
    pending = session.get(PendingSignature, item["request_id"])
    assert pending is not None
    pending.state = {**pending.state, "number": number, "code": code,
                     "today": today.isoformat()}
    return [item]


MEETING_KINDS = {"meeting-agenda": "Chương trình cuộc họp",
                 "meeting-minutes": "Biên bản cuộc họp"}


def _meeting_operation(kind: str, session: Session, store: FileStore, meeting: Any,
                       actor: User, settings: SigningSettings, token: Any) -> Any:
    from eoffice.meetings import distribution
    from eoffice.meetings import minutes as minutes_ops

    operation = distribution.sign_agenda if kind == "meeting-agenda" \
        else minutes_ops.sign_minutes
    return operation(session, store, meeting, actor, settings=settings, token=token)


def prepare_meeting(session: Session, store: FileStore, actor: User, kind: str,
                    meeting_id: Any, *, certificate: bytes, chain: Sequence[bytes],
                    origin: str, settings: SigningSettings) -> list[dict[str, Any]]:
    """The chair's agenda, or the secretary's / chair's minutes signature, with the token:
    the meeting operation runs its checks and stops where it would sign."""
    from eoffice.meetings.access import get_meeting
    from eoffice.meetings.signatures import PreparedForToken, TokenSignature

    pairing = _paired_certificate(session, actor, certificate)
    _trusted(certificate, chain, settings)
    meeting = get_meeting(session, actor, meeting_id)
    try:
        _meeting_operation(kind, session, store, meeting, actor, settings, TokenSignature())
    except PreparedForToken as what:
        prepared = _prepare(what.pdf, actor, certificate, chain, field_name=what.field_name,
                            reason=what.reason, settings=settings)
        return [_work_item(session, actor, pairing, origin, prepared,
                           f"{MEETING_KINDS[kind]}: {meeting.title}",
                           hashlib.sha256(what.pdf).hexdigest(), kind=kind,
                           target_id=meeting.id, field_name=what.field_name)]
    raise Invalid("Không có gì để ký.", code="bad_request")


def _finish_issue(session: Session, store: FileStore, actor: User, pending: PendingSignature,
                  issued: bytes, settings: SigningSettings) -> None:
    from eoffice.outgoing.issuance import record_issue, take_number

    document = get_outgoing(session, actor, pending.document_id)
    ensure_allowed(session, document, actor, "issue")
    if document.current_file_sha != pending.source_sha:
        raise Invalid("Văn bản đã thay đổi sau khi chuẩn bị ký; hãy ký lại.", code="changed")
    today = date.fromisoformat(str(pending.state["today"]))
    number = int(pending.state["number"])
    take_number(session, document, today, number)
    record_issue(session, store, document, actor, issued, number, str(pending.state["code"]),
                 today, settings)


def _finished(prepared: PreparedSignature, value: bytes, options: dict[str, Any]) -> bytes:
    try:
        return finish_external(prepared, value, **options)
    except signing_services.SIGNING_FAILURES as exc:
        raise signing_services.signing_failed(exc) from exc


def finish_sign(session: Session, store: FileStore, actor: User,
                signatures: Sequence[dict[str, Any]], *,
                settings: SigningSettings) -> list[tuple[str, int]]:
    """Embed the token's signature values; any failure leaves everything unchanged.
    Returns ``(kind, id)`` of what was signed."""
    import base64
    import binascii

    if not signatures or len(signatures) > MAX_BATCH:
        raise Invalid("Không có chữ ký nào để hoàn tất.", code="missing_field")
    options = signing_services.signing_options(settings)
    done: list[tuple[str, int]] = []
    for item in signatures:
        pending = session.get(PendingSignature, str(item.get("request_id", ""))[:32])
        if pending is None or pending.user_id != actor.id:
            raise NotFound("Không tìm thấy yêu cầu ký.")
        if pending.expires_at < utcnow():
            raise Invalid("Yêu cầu ký đã hết hạn; hãy ký lại.", code="expired")
        try:
            value = base64.b64decode(str(item.get("signature", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid("Chữ ký trả về không hợp lệ.", code="bad_signature") from exc
        prepared = PreparedSignature.from_json(pending.pdf, pending.state)
        if pending.kind == "outgoing-issue":
            _finish_issue(session, store, actor, pending, _finished(prepared, value, options),
                          settings)
            done.append((pending.kind, pending.document_id or 0))
        elif pending.kind in MEETING_KINDS:
            from eoffice.meetings.access import get_meeting
            from eoffice.meetings.signatures import TokenSignature

            meeting = get_meeting(session, actor, pending.target_id)
            token = TokenSignature(_finished(prepared, value, options), pending.source_sha,
                                   str(pending.state.get("field", "")))
            _meeting_operation(pending.kind, session, store, meeting, actor, settings, token)
            done.append((pending.kind, meeting.id))
        else:
            document = get_outgoing(session, actor, pending.document_id)
            ensure_allowed(session, document, actor, "sign")
            if document.current_file_sha != pending.source_sha:
                raise Invalid("Văn bản đã thay đổi sau khi chuẩn bị ký; hãy ký lại.",
                              code="changed")
            store_signed(session, store, document, actor, _finished(prepared, value, options),
                         settings)
            done.append((pending.kind, document.id))
        session.delete(pending)
    return done


def purge_expired(session: Session) -> int:
    """Remove prepared signatures nobody finished (called on every prepare)."""
    return rows_changed(session, sa.delete(PendingSignature)
                        .where(PendingSignature.expires_at < utcnow()))


def get_document(session: Session, actor: User, document_id: Any) -> Document:
    return get_outgoing(session, actor, document_id)


__all__ = ["finish_sign", "new_pairing_code", "pair", "pairing_of", "prepare_sign",
           "purge_expired"]
