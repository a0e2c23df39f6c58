"""Checking the signatures of any PDF (web page and POST /api/v1/verify). Nothing is stored."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from eoffice import untrusted
from eoffice.audit import operations as audit
from eoffice.db import db
from eoffice.errors import Invalid
from eoffice.extensions import acting_user
from eoffice.permissions import authenticated

bp = Blueprint("verify", __name__)
api = Blueprint("verify_api", __name__)


def _check(user) -> tuple[dict, bytes]:
    """The untrusted-file pipeline with validation; nothing is stored."""
    file = untrusted.check_upload(request.files.get("file"), validate=True)
    if file is None or file.report is None:
        raise Invalid("Vui lòng chọn tệp PDF cần kiểm tra.", code="missing_file")
    report = file.report.to_dict()
    audit.append(db.session, "verify", actor=user,
                 details={"verdict": report["verdict"], "size": len(file.data)})
    return report, file.data


def _first_page_uri(pdf: bytes) -> str | None:
    """Page 1 of the checked file as a data: URI (shown beside the verdict, on a phone too;
    nothing is stored), or None when it cannot be rendered."""
    import base64

    from eoffice.documents.page_image import PageImageFailed, render_first_page

    try:
        png = render_first_page(pdf)
    except PageImageFailed:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@bp.route("/verify", methods=["GET", "POST"])
@authenticated
def page():
    report, first_page = None, None
    if request.method == "POST":
        report, data = _check(current_user)
        first_page = _first_page_uri(data)
    return render_template("verify.html", report=report, first_page=first_page)


@api.route("/api/v1/verify", methods=["POST"])
@authenticated
def verify_api():
    report, _data = _check(acting_user())
    keys = ("signer", "intact", "trusted", "coverage", "modification_level", "signing_time",
            "timestamp", "revocation", "chain", "field", "kind")
    return jsonify({"verdict": report["verdict"], "label": report.get("label"),
                    "signatures": [{k: s.get(k) for k in keys} for s in report["signatures"]],
                    "reasons": report.get("reasons", [])})
