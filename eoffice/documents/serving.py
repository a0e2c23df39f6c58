"""Reading a document, audited in one place whether a web page or the API asks (so the two
cannot drift):

* ``view``: its page or its JSON (:func:`viewed`), its first page as an image
  (:func:`first_page`, details ``page: 1``);
* ``download``: its current file (:func:`current_file`) or its DOCX draft
  (:func:`docx_file`), details naming the SHA-256 served.

The caller has already checked that the user may see the document (``get_visible`` or the
flow's own getter). Operations add the audit entry and never commit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from eoffice.audit import operations as audit
from eoffice.auth.models import User
from eoffice.documents.models import Document, DocumentFile
from eoffice.errors import NotFound
from eoffice.storage import DOCX, PDF, FileStore, FileToSend


def download_name(document: Document) -> str:
    """A readable file name: the code (or id) and the subject, without path characters."""
    base = document.code or f"van-ban-{document.id}"
    text = unicodedata.normalize("NFC", f"{base} {document.subject}")[:80]
    safe = "".join(ch if ch.isalnum() or ch in " -_." else "-" for ch in text).strip()
    return f"{safe}.pdf"


def viewed(session: Session, user: User, document: Document, **details: Any) -> None:
    """The user opened the document's page (web) or its details (API)."""
    audit.append(session, "view", actor=user, object_type="document", object_id=document.id,
                 details=details or None)


def current_file(session: Session, store: FileStore, user: User,
                 document: Document) -> FileToSend:
    """The document's current PDF (404 when it has none), audited as a download."""
    sha = document.current_file_sha
    if sha is None:
        raise NotFound("Văn bản này không có tệp.")
    data = store.get(sha)
    audit.append(session, "download", actor=user, object_type="document",
                 object_id=document.id, details={"sha256": sha})
    return FileToSend(data, PDF, download_name(document))


def docx_file(session: Session, store: FileStore, user: User, document: Document,
              docx: DocumentFile | None) -> FileToSend:
    """An outgoing draft's DOCX (404 when it has none), audited as a download."""
    if docx is None:
        raise NotFound("Văn bản này không có bản DOCX.")
    data = store.get(docx.sha256)
    audit.append(session, "download", actor=user, object_type="document",
                 object_id=document.id, details={"sha256": docx.sha256, "kind": "docx"})
    return FileToSend(data, DOCX, f"du-thao-{document.id}.docx")


def first_page(session: Session, user: User, document: Document,
               render: Callable[[str], bytes]) -> bytes:
    """Page 1 of the current file as a PNG (``render(sha)``), audited as a view of page 1."""
    sha = document.current_file_sha
    if sha is None:
        raise NotFound("Văn bản này không có tệp.")
    png = render(sha)
    viewed(session, user, document, sha256=sha, page=1)
    return png
