"""GET /api/v1/documents/{id} and its file."""

from __future__ import annotations

from flask import Blueprint, jsonify

from eoffice.api.helpers import json_body, required
from eoffice.auth.models import Clearance, Role
from eoffice.db import db
from eoffice.documents import serving
from eoffice.documents.operations import get_visible, reclassify
from eoffice.documents.serialize import document_json
from eoffice.errors import Invalid
from eoffice.extensions import acting_user, file_store
from eoffice.permissions import authenticated, roles
from eoffice.settings import classified_files
from eoffice.web.files import send

bp = Blueprint("documents_api", __name__)


@bp.route("/api/v1/documents/<int:document_id>")
@authenticated
def get_document(document_id: int):
    user = acting_user()
    document = get_visible(db.session, user, document_id)
    serving.viewed(db.session, user, document)
    body = document_json(db.session, document)
    return jsonify(body)


@bp.route("/api/v1/documents/<int:document_id>/file")
@authenticated
def get_document_file(document_id: int):
    user = acting_user()
    document = get_visible(db.session, user, document_id, for_file=True)
    return send(serving.current_file(db.session, file_store(), user, document))


@bp.route("/api/v1/documents/<int:document_id>/reclassify", methods=["POST"])
@roles(Role.CLERK, Role.LEADER)
def reclassify_document(document_id: int):
    """Change the secrecy level; a newly classified document leaves the index before we answer."""
    user = acting_user()
    document = get_visible(db.session, user, document_id)
    body = json_body()
    (secrecy,) = required(body, "secrecy")
    if secrecy not in {c.value for c in Clearance}:
        raise Invalid("Độ mật phải là một trong: none, mat, toi_mat, tuyet_mat.",
                      code="bad_secrecy")
    reclassify(db.session, document, secrecy, user, classified_files=classified_files(),
               confirmed=body.get("confirm_remove_files") is True, store=file_store())
    return jsonify({"id": document.id, "secrecy": document.secrecy.value})
