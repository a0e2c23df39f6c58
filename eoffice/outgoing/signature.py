"""Stage 1: the named signer signs the draft PDF with their own key (PKCS#12 or token);
batch signing of several documents with one passphrase/PIN entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

import signing
from eoffice import signing_services
from eoffice.auth.models import User
from eoffice.documents.models import Document
from eoffice.documents.operations import attach_file, fire
from eoffice.errors import Invalid
from eoffice.outgoing.common import MACHINE, ensure_allowed, get_outgoing, subject_of
from eoffice.signing_services import SigningSettings
from eoffice.storage import PDF, FileStore


def current_pdf(store: FileStore, document: Document) -> bytes:
    if document.current_file_sha is None:
        raise Invalid("Văn bản chưa có tệp PDF để ký.", code="no_file")
    return store.get(document.current_file_sha)


def record_validation(document: Document, pdf: bytes, settings: SigningSettings) -> None:
    """Keep the validation summary with the document (``GET /documents/{id}``)."""
    summary = signing_services.validation_summary(pdf, settings)
    extra = dict(document.extra or {})
    extra["signatures"] = summary["signatures"]
    extra["validation"] = {k: summary[k] for k in ("verdict", "label", "reasons")}
    document.extra = extra


def _sign_one(session: Session, store: FileStore, document: Document, actor: User,
              signer: Any, options: dict[str, Any], settings: SigningSettings) -> None:
    pdf = current_pdf(store, document)
    try:
        signed = signing.sign_official(pdf, signer, image_png=actor.signature_image,
                                       **options)
    except signing_services.SIGNING_FAILURES as exc:
        raise signing_services.signing_failed(exc) from exc
    store_signed(session, store, document, actor, signed, settings)


def store_signed(session: Session, store: FileStore, document: Document, actor: User,
                 signed: bytes, settings: SigningSettings) -> None:
    """Keep the signed PDF, its validation summary, and move the document to ``signed``."""
    attach_file(session, store, document, "signed", signed, actor, accepted={PDF})
    record_validation(document, signed, settings)
    fire(session, MACHINE, document, actor, "sign", subject=subject_of(document),
         details={"sha256": document.current_file_sha})


def sign(session: Session, store: FileStore, document: Document, actor: User, *,
         settings: SigningSettings, passphrase: str | None = None,
         pin: str | None = None) -> str:
    """Sign ``document`` as ``actor`` (must be its named signer). A wrong passphrase/PIN
    raises Invalid (422) and leaves the document unchanged."""
    ensure_allowed(session, document, actor, "sign")
    signer = signing_services.user_signer(actor, settings, passphrase=passphrase, pin=pin)
    _sign_one(session, store, document, actor, signer, signing_services.signing_options(settings),
              settings)
    return document.state


def sign_batch(session: Session, store: FileStore, ids: Sequence[Any], actor: User, *,
               settings: SigningSettings, passphrase: str | None = None,
               pin: str | None = None) -> list[Document]:
    """Sign several documents with one secret entry: all are checked first, then all are
    signed; any failure leaves every one of them unchanged (the caller rolls back)."""
    if not ids:
        raise Invalid("Hãy chọn ít nhất một văn bản để ký.", code="missing_field")
    documents = [get_outgoing(session, actor, i) for i in dict.fromkeys(ids)]
    for document in documents:
        ensure_allowed(session, document, actor, "sign")
    signer = signing_services.user_signer(actor, settings, passphrase=passphrase, pin=pin)
    options = signing_services.signing_options(settings)
    for document in documents:
        _sign_one(session, store, document, actor, signer, options, settings)
    return documents
