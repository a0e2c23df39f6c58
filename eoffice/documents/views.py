"""Serving a document's file (audited in :mod:`eoffice.documents.serving`) and changing its
secrecy from its page."""

from __future__ import annotations

import io

from flask import Blueprint, send_file
from flask_login import current_user

from eoffice.auth.models import Role
from eoffice.db import db
from eoffice.documents import serving
from eoffice.documents.operations import get_visible
from eoffice.errors import NotFound
from eoffice.extensions import file_store
from eoffice.extensions import gettext as _
from eoffice.permissions import authenticated, roles
from eoffice.settings import classified_files
from eoffice.web.files import send
from eoffice.web.transaction import undo

bp = Blueprint("documents", __name__)


@bp.route("/documents/<int:document_id>/file")
@authenticated
def file(document_id: int):
    document = get_visible(db.session, current_user, document_id, for_file=True)
    return send(serving.current_file(db.session, file_store(), current_user, document))


@bp.route("/documents/<int:document_id>/download")
@authenticated
def download(document_id: int):
    document = get_visible(db.session, current_user, document_id, for_file=True)
    return send(serving.current_file(db.session, file_store(), current_user, document),
                as_attachment=True)


@bp.route("/documents/<int:document_id>/reclassify", methods=["POST"])
@roles(Role.CLERK, Role.LEADER)
def reclassify_page(document_id: int):
    """Change the secrecy level from a document page; back to that page (or the dashboard
    when the user can no longer see it). Removing stored files needs a confirmation page."""
    from flask import flash, redirect, render_template, request, url_for

    from eoffice.documents.classified import FILE_REMOVAL_NOTICE, FileRemovalNeedsConfirmation
    from eoffice.documents.operations import reclassify
    from eoffice.errors import AppError
    from eoffice.web.display import SECRECY_LABELS

    document = get_visible(db.session, current_user, document_id)
    back = request.form.get("next", "")
    secrecy = request.form.get("secrecy", "")
    try:
        reclassify(db.session, document, secrecy, current_user,
                   classified_files=classified_files(),
                   confirmed=request.form.get("confirm_remove_files") == "1", store=file_store())
    except FileRemovalNeedsConfirmation as exc:
        undo(exc)
        shas = sorted({f.sha256 for f in document.files})
        return render_template("reclassify_confirm.html", doc=document, secrecy=secrecy,
                               shas=shas, back=back, notice=FILE_REMOVAL_NOTICE), 409
    except (AppError, ValueError) as exc:
        undo(exc)
        flash(_("Độ mật không hợp lệ hoặc cao hơn độ mật bạn được xem."), "error")
    else:
        if document.is_classified:
            flash(_("Đã đặt độ mật “%(level)s”: văn bản không còn trong kết quả tìm kiếm và chỉ "
                    "người được xem văn bản mật mới mở được.",
                    level=_(SECRECY_LABELS[document.secrecy.value])), "success")
        else:
            flash(_("Đã bỏ độ mật: văn bản là văn bản thường và có trong kết quả tìm kiếm."),
                  "success")
    if document.can_view(current_user) and back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("web.dashboard"))



@bp.route("/documents/<int:document_id>/page-1.png")
@authenticated
def first_page(document_id: int):
    """Page 1 as an image, for screens where an embedded PDF stays blank (phones)."""
    from pathlib import Path

    from flask import current_app

    from eoffice.documents.page_image import PageImageFailed, cached_first_page

    document = get_visible(db.session, current_user, document_id)
    folder = Path(current_app.instance_path) / "cache" / "pages"
    try:
        png = serving.first_page(db.session, current_user, document, lambda sha: (
            cached_first_page(folder, sha, lambda: file_store().get(sha))))
    except PageImageFailed as exc:
        raise NotFound(str(exc)) from None
    return send_file(io.BytesIO(png), mimetype="image/png")
