"""Signing credentials an agency admin attaches: a user's PKCS#11 token/key label or a
server-held PKCS#12 (when the agency allows it), the user's signature image, the agency seal
(image + credential), trust anchors and revocation settings.

The uploaded files are kept in the database (:mod:`eoffice.admin.stored`), written in the
admin action's transaction beside its audit entry, so that every app server of the
deployment signs with the same seal and trusts the same anchors at once. Every change is
audited; no route ever answers a key.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from eoffice.admin import stored
from eoffice.audit import operations as audit
from eoffice.auth.models import Actor, Agency, User
from eoffice.db import rows_changed
from eoffice.errors import Invalid, NotFound
from eoffice.i18n import N_
from eoffice.signing_services import SigningSettings

MAX_IMAGE_BYTES = 1_000_000
MAX_IMAGE_SIDE = 2000
MAX_KEY_BYTES = 64_000
MAX_CERT_BYTES = 64_000
LABEL_LIMIT = 128
REVOCATION_MODES = {"offline": N_("Chỉ dùng danh sách thu hồi (CRL) đã cài"),
                    "online": N_("Kiểm tra trực tuyến (OCSP/CRL) khi có mạng")}
DEFAULT_SEAL_AGENCY = "000.00.10.H62"  # the demo agency owns <instance>/pki/seal.*
NO_SEAL = Path("/nonexistent/seal.p12")


def check_transparent_png(data: bytes) -> tuple[int, int]:
    """A PNG with real transparency, within size limits; returns (width, height)."""
    from PIL import Image, UnidentifiedImageError
    from PIL.Image import DecompressionBombError

    if len(data) > MAX_IMAGE_BYTES:
        raise Invalid("Ảnh quá lớn (tối đa 1 MB).", code="image_too_large")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Invalid("Ảnh chữ ký phải là tệp PNG.", code="not_png")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width > MAX_IMAGE_SIDE or image.height > MAX_IMAGE_SIDE:
                raise Invalid("Ảnh quá lớn (tối đa %(MAX_IMAGE_SIDE)s×%(MAX_IMAGE_SIDE)s điểm).",
                              code="image_too_large", values={"MAX_IMAGE_SIDE": MAX_IMAGE_SIDE})
            image.load()
            rgba = image.convert("RGBA")
            low, _high = rgba.getchannel("A").getextrema()
            size = image.size
    except (UnidentifiedImageError, DecompressionBombError, OSError, SyntaxError,
            ValueError):
        raise Invalid("Không đọc được ảnh PNG (tệp hỏng).", code="bad_image") from None
    if low == 255:
        raise Invalid("Ảnh phải có nền trong suốt (PNG có kênh alpha); ảnh này có nền đặc.",
                      code="not_transparent")
    return size


def _user_in(actor: Actor, user: User) -> None:
    if user.agency_id != actor.agency_id:
        raise NotFound("Không tìm thấy người dùng.")


def set_signature_image(session: Session, actor: User, user: User, data: bytes) -> None:
    _user_in(actor, user)
    width, height = check_transparent_png(data)
    digest = hashlib.sha256(data).hexdigest()
    user.signature_image_path = stored.keep(session, user.agency_id, "signature_png", data,
                                            name=user.username,
                                            replaces=user.signature_image_path)
    audit.append(session, "credential.signature_image", actor=actor, object_type="user",
                 object_id=user.username, details={"sha256": digest, "size": [width, height]})


def _label(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise Invalid("Thiếu %(field)s.", code="missing_field", values={"field": field})
    if len(text) > LABEL_LIMIT or any(ord(c) < 32 for c in text):
        raise Invalid("%(field)s không hợp lệ.", code="invalid_field", values={"field": field})
    return text


def set_token(session: Session, actor: Actor, user: User, token_label: str,
              key_label: str) -> None:
    """The user signs with a PKCS#11 token (USB token/HSM): its token and key labels."""
    _user_in(actor, user)
    user.pkcs11_token_label = _label(token_label, "nhãn thiết bị (token label)")
    user.pkcs11_key_label = _label(key_label, "nhãn khóa (key label)")
    audit.append(session, "credential.token", actor=actor, object_type="user",
                 object_id=user.username, details={"token_label": user.pkcs11_token_label,
                                                   "key_label": user.pkcs11_key_label})


def clear_credentials(session: Session, actor: User, user: User) -> None:
    _user_in(actor, user)
    stored.forget(session, user.agency_id, user.p12_path)
    user.pkcs11_token_label = user.pkcs11_key_label = user.p12_path = None
    audit.append(session, "credential.clear", actor=actor, object_type="user",
                 object_id=user.username)


def _check_p12(data: bytes) -> None:
    if not data or len(data) > MAX_KEY_BYTES or data[:1] != b"\x30":
        raise Invalid("Tệp khóa phải là PKCS#12 (.p12/.pfx), tối đa 64 KB.", code="bad_p12")


def set_p12(session: Session, actor: User, user: User, data: bytes) -> None:
    """A server-held PKCS#12 for the user, only where the agency allows server-held keys."""
    _user_in(actor, user)
    if not user.agency.settings.get("allow_server_keys"):
        raise Invalid("Cơ quan không cho phép lưu khóa ký số trên máy chủ; hãy dùng thiết bị "
                      "ký số (token).", code="server_keys_not_allowed")
    _check_p12(data)
    user.p12_path = stored.keep(session, user.agency_id, "user_p12", data, name=user.username,
                                replaces=user.p12_path)
    audit.append(session, "credential.p12", actor=actor, object_type="user",
                 object_id=user.username, details={"sha256": hashlib.sha256(data).hexdigest()})


# --- the agency: seal, server keys, trust anchors, revocation -------------------------------
def _settings(agency: Agency) -> dict[str, Any]:
    return dict(agency.settings or {})


def _save(agency: Agency, values: dict[str, Any]) -> None:
    agency.settings = {**_settings(agency), **values}  # a new dict: the JSON column sees it


def update_policy(session: Session, actor: User, *, allow_server_keys: bool | None = None,
                  revocation: str | None = None) -> None:
    agency = actor.agency
    changes: dict[str, Any] = {}
    if allow_server_keys is not None:
        changes["allow_server_keys"] = bool(allow_server_keys)
    if revocation is not None:
        if revocation not in REVOCATION_MODES:
            raise Invalid("Chế độ kiểm tra thu hồi không hợp lệ.", code="invalid_field")
        changes["revocation"] = revocation
    before = {k: _settings(agency).get(k) for k in changes}
    _save(agency, changes)
    audit.append(session, "agency.policy", actor=actor, object_type="agency",
                 object_id=agency.agency_code, details={"from": before, "to": changes})


def set_seal_image(session: Session, actor: User, data: bytes) -> None:
    check_transparent_png(data)
    agency = actor.agency
    _save(agency, {"seal_png": stored.keep(session, agency.id, "seal_png", data,
                                           replaces=_settings(agency).get("seal_png"))})
    audit.append(session, "credential.seal_image", actor=actor, object_type="agency",
                 object_id=agency.agency_code,
                 details={"sha256": hashlib.sha256(data).hexdigest()})


def set_seal_credential(session: Session, actor: User, *,
                        p12: bytes | None = None, token_label: str | None = None,
                        key_label: str | None = None) -> None:
    """The seal's key: a PKCS#12 kept on the server or a PKCS#11 token (HSM) label."""
    agency = actor.agency
    if p12:
        _check_p12(p12)
        ref = stored.keep(session, agency.id, "seal_p12", p12,
                          replaces=_settings(agency).get("seal_p12"))
        _save(agency, {"seal_p12": ref, "seal_token": None, "seal_key": None})
        details: dict[str, Any] = {"p12_sha256": hashlib.sha256(p12).hexdigest()}
    else:
        token = _label(token_label, "nhãn thiết bị (token label)")
        key = _label(key_label, "nhãn khóa (key label)")
        _save(agency, {"seal_token": token, "seal_key": key})
        details = {"token_label": token, "key_label": key}
    audit.append(session, "credential.seal", actor=actor, object_type="agency",
                 object_id=agency.agency_code, details=details)


def _certificate(data: bytes) -> Any:
    from cryptography import x509

    if not data or len(data) > MAX_CERT_BYTES:
        raise Invalid("Tệp chứng thư số không hợp lệ (tối đa 64 KB).", code="bad_certificate")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise Invalid("Không đọc được chứng thư số (cần tệp PEM hoặc DER).",
                      code="bad_certificate") from None


def add_trust_anchor(session: Session, actor: User, data: bytes) -> dict[str, str]:
    """Install a CA certificate (PEM or DER) as a trust anchor of the agency."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = _certificate(data)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise Invalid("Chứng thư này không phải của tổ chức cung cấp dịch vụ chứng thực (CA): "
                      "chỉ cài chứng thư gốc hoặc trung gian.", code="not_a_ca")
    pem = cert.public_bytes(Encoding.PEM)
    fingerprint = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    if fingerprint not in dict(stored.anchors(session, actor.agency_id)):
        stored.keep(session, actor.agency_id, stored.TRUST_ANCHOR, pem, name=fingerprint)
    info = anchor_info(cert, fingerprint)
    audit.append(session, "trust.add", actor=actor, object_type="agency",
                 object_id=actor.agency.agency_code, details=info)
    return info


def anchor_info(cert: Any, fingerprint: str) -> dict[str, str]:
    return {"fingerprint": fingerprint, "subject": cert.subject.rfc4514_string(),
            "not_after": cert.not_valid_after_utc.date().isoformat()}


def trust_anchors(session: Session, agency_id: int) -> list[dict[str, str]]:
    from cryptography import x509

    out = [anchor_info(x509.load_pem_x509_certificate(pem), fingerprint)
           for fingerprint, pem in stored.anchors(session, agency_id)]
    return sorted(out, key=lambda a: a["subject"])


def remove_trust_anchor(session: Session, actor: User, fingerprint: str) -> None:
    removed = rows_changed(session, sa.delete(stored.AgencyFile).where(
        stored.AgencyFile.agency_id == actor.agency_id,
        stored.AgencyFile.kind == stored.TRUST_ANCHOR, stored.AgencyFile.name == fingerprint))
    if not removed:
        raise NotFound("Không tìm thấy chứng thư.")
    audit.append(session, "trust.remove", actor=actor, object_type="agency",
                 object_id=actor.agency.agency_code, details={"fingerprint": fingerprint})


def anchor_pems(session: Session, agency_id: int) -> list[bytes]:
    return [pem for _fingerprint, pem in stored.anchors(session, agency_id)]


def for_agency(settings: SigningSettings, agency: Agency,
               default_seal_agency: str = DEFAULT_SEAL_AGENCY) -> SigningSettings:
    """The deployment's signing settings as one agency uses them: its own seal (image and
    key) and its trust anchors on top of the deployment's. The deployment's default seal
    (``<instance>/pki/seal.*``) belongs to one agency only; another agency without its own
    seal cannot issue (a clear error) instead of sealing with someone else's."""
    own = _settings(agency)
    session = object_session(agency)
    pems = anchor_pems(session, agency.id) if session is not None else []
    common: dict[str, Any] = {"trust_pems": settings.trust_pems + tuple(pems)}
    image = stored.of(agency, own.get("seal_png"))
    if own.get("revocation") in REVOCATION_MODES:  # the agency's choice wins when made
        common["revocation_online"] = own["revocation"] == "online"
    if own.get("seal_p12") or own.get("seal_token"):
        return replace(settings, **common,
                       seal_p12=stored.of(agency, own.get("seal_p12")) or NO_SEAL,
                       seal_png=image,
                       seal_token_label=own.get("seal_token"),
                       seal_key_label=own.get("seal_key"))
    if agency.agency_code != default_seal_agency:
        return replace(settings, **common, seal_p12=NO_SEAL, seal_png=image,
                       seal_token_label=None, seal_key_label=None)
    return replace(settings, **common)


def import_instance_files(session: Session, instance: str | Path) -> int:
    """Take into the database what the admin pages wrote under ``<instance>/agencies/<id>/``
    before they kept it there (trust anchors, the seal's key and image, users' keys and
    signature images): run by ``eoffice db upgrade`` on the machine that holds them. The
    files stay (remove them once every server runs this version). Returns how many were
    taken; a second run takes none."""
    from eoffice.auth.models import User

    root = (Path(instance) / "agencies").resolve()
    if not root.is_dir():
        return 0
    taken = 0

    def take(agency_id: int, kind: str, ref: str | None, name: str = "") -> str | None:
        nonlocal taken
        if not ref or ref.startswith(stored.SCHEME):
            return ref
        try:
            path = Path(ref).resolve()
            if not path.is_relative_to(root):
                return ref  # installed by an operator (e.g. the demo PKI): stays a path
            data = path.read_bytes()
        except OSError:
            return ref
        taken += 1
        return stored.keep(session, agency_id, kind, data, name=name)

    for agency in session.scalars(sa.select(Agency).order_by(Agency.id)):
        own = _settings(agency)
        moved = {key: take(agency.id, key, own.get(key)) for key in ("seal_png", "seal_p12")
                 if own.get(key)}
        if any(moved[key] != own.get(key) for key in moved):
            _save(agency, moved)
        known = dict(stored.anchors(session, agency.id))
        folder = root / str(agency.id) / "trust"
        for pem in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
            if pem.stem not in known:
                stored.keep(session, agency.id, stored.TRUST_ANCHOR, pem.read_bytes(),
                            name=pem.stem)
                taken += 1
    for user in session.scalars(sa.select(User).where(sa.or_(
            User.p12_path.is_not(None), User.signature_image_path.is_not(None)))):
        user.p12_path = take(user.agency_id, "user_p12", user.p12_path, user.username)
        user.signature_image_path = take(user.agency_id, "signature_png",
                                         user.signature_image_path, user.username)
    return taken
