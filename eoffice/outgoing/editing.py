"""Editing a draft by its drafter (before the first submit, or after a reviewer's rejection).

The PDF/DOCX are re-rendered (or a new upload is prepared with the reserved fields); the
earlier files stay in the document's file history (``document.files``).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

import workflow
from eoffice.audit import operations as audit
from eoffice.auth.models import User
from eoffice.documents.models import Document, DocumentFile, Urgency
from eoffice.documents.operations import attach_file, mark_changed
from eoffice.errors import Conflict, Forbidden
from eoffice.outgoing.common import MACHINE, history
from eoffice.outgoing.drafting import (
    DraftInput,
    PreparedUpload,
    _check,
    attach_upload,
    draft_layout,
    prepare_upload,
)
from eoffice.rendering import DOCUMENT_TYPES, render_docx, render_pdf
from eoffice.storage import DOCX, PDF, FileStore
from eoffice.untrusted import AcceptedFile

EDITABLE_STATE = "draft"


def may_edit(document: Document, actor: User) -> bool:
    """Whether ``actor`` may edit the draft now (the "Sửa dự thảo" button)."""
    return document.state == EDITABLE_STATE and document.created_by_id == actor.id


def ensure_editable(document: Document, actor: User) -> None:
    """403 for anyone but the drafter; 409 when the document is no longer a draft."""
    if document.created_by_id != actor.id:
        raise Forbidden("Chỉ người soạn thảo được sửa dự thảo này.", code="not_allowed")
    if document.state != EDITABLE_STATE:
        raise Conflict("Chỉ sửa được văn bản khi còn là dự thảo; văn bản đang ở trạng thái "
                       "“%(value)s”.", code="not_draft",
                       values={"value": MACHINE.label(document.state)})


def last_rejection(session: Session, document: Document) -> workflow.Event | None:
    """The reviewer's last "trả lại" event while the document is back in draft."""
    if document.state != EDITABLE_STATE:
        return None
    rejections = [e for e in history(session, document) if e.transition == "reject"]
    return rejections[-1] if rejections else None


def form_values(document: Document) -> dict[str, str]:
    """The draft's current values as the draft form expects them (lists as lines)."""
    extra = document.extra or {}
    return {"type_code": document.type_code or "CV", "subject": document.subject or "",
            "body": "\n".join(extra.get("body") or []),
            "recipients": "\n".join(document.recipients or []),
            "signer": document.signer.username if document.signer else "",
            "authority": extra.get("authority") or "",
            "urgency": document.urgency.value, "secrecy": document.secrecy.value}


def edit_draft(session: Session, store: FileStore, document: Document, actor: User,
               data: DraftInput, *,
               upload: bytes | AcceptedFile | PreparedUpload | None = None,
               filename: str = "") -> Document:
    """Replace the draft's content; the secrecy level is kept (not editable here).

    With ``upload`` the new PDF/DOCX becomes the draft. Without it the draft is rendered
    from the fields, except for a draft that came from an upload and is edited with an
    empty body: then only the record changes and the uploaded PDF stays current.
    """
    ensure_editable(document, actor)
    data = replace(data, secrecy=document.secrecy.value)
    signer = _check(session, actor, data)
    extra = dict(document.extra or {})
    before = {"type_code": document.type_code, "subject": document.subject,
              "signer": document.signer.username if document.signer else None,
              "urgency": document.urgency.value,
              "authority": extra.get("authority"), "body": extra.get("body") or [],
              "recipients": list(document.recipients or [])}
    keep_upload = upload is None and extra.get("source") == "upload" and not data.body

    document.type_code = data.type_code
    document.type_name = DOCUMENT_TYPES[data.type_code]
    document.subject = data.subject
    document.signer_name = signer.full_name
    document.signer_position = signer.position_title or ""
    document.recipients = data.recipients
    document.urgency = Urgency(data.urgency)
    document.signer = signer
    extra.update(authority=data.authority, body=data.body,
                 source="upload" if upload is not None or keep_upload else "template")
    document.extra = extra
    document.grant(f"user:{signer.username}")

    if upload is not None:
        attach_upload(session, store, document, actor, prepare_upload(upload, filename))
    elif not keep_upload:
        layout = draft_layout(actor, signer, data)
        attach_file(session, store, document, "draft_docx", render_docx(layout), actor,
                    accepted={DOCX}, current=False)
        attach_file(session, store, document, "draft_pdf", render_pdf(layout), actor,
                    accepted={PDF})
    after = {"type_code": data.type_code, "subject": data.subject, "signer": signer.username,
             "urgency": data.urgency, "authority": data.authority, "body": data.body,
             "recipients": data.recipients}
    audit.append(session, "outgoing.edit", actor=actor, object_type="document",
                 object_id=document.id,
                 details={"changed": sorted(k for k in after if after[k] != before[k]),
                          "signer": signer.username, "sha256": document.current_file_sha,
                          "upload": upload is not None})
    mark_changed(session, document)
    return document


def current_docx(document: Document) -> DocumentFile | None:
    """The DOCX stored with the latest draft PDF (rendered, or the uploaded original)."""
    files = sorted(document.files, key=lambda f: f.id or 0)
    pdfs = [i for i, f in enumerate(files) if f.kind == "draft_pdf"]
    if not pdfs or pdfs[-1] == 0:
        return None
    before = files[pdfs[-1] - 1]
    return before if before.kind in ("draft_docx", "upload_docx") else None
