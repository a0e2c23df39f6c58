"""Serving a document's file (web and API share this)."""

from __future__ import annotations

import io
import unicodedata

from flask import Blueprint, send_file
from flask_login import current_user

from eoffice.audit import operations as audit
from eoffice.db import db
from eoffice.documents.models import Document
from eoffice.documents.operations import get_visible
from eoffice.errors import NotFound
from eoffice.extensions import file_store
from eoffice.permissions import authenticated

bp = Blueprint("documents", __name__)


def download_name(document: Document) -> str:
    """A readable file name: the code (or id) and the subject, without path characters."""
    base = document.code or f"van-ban-{document.id}"
    text = unicodedata.normalize("NFC", f"{base} {document.subject}")[:80]
    safe = "".join(ch if ch.isalnum() or ch in " -_." else "-" for ch in text).strip()
    return f"{safe}.pdf"


def send_current_file(document: Document, user, *, as_attachment: bool = False):
    """Send the document's current file and audit the download."""
    if document.current_file_sha is None:
        raise NotFound("Văn bản này không có tệp.")
    data = file_store().get(document.current_file_sha)
    audit.append(db.session, "download", actor=user, object_type="document",
                 object_id=document.id, details={"sha256": document.current_file_sha})
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype="application/pdf",
                     as_attachment=as_attachment, download_name=download_name(document))


@bp.route("/documents/<int:document_id>/file")
@authenticated
def file(document_id: int):
    document = get_visible(db.session, current_user, document_id)
    return send_current_file(document, current_user)


@bp.route("/documents/<int:document_id>/download")
@authenticated
def download(document_id: int):
    document = get_visible(db.session, current_user, document_id)
    return send_current_file(document, current_user, as_attachment=True)
