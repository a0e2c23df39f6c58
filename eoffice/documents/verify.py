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


def _check(user) -> dict:
    """The untrusted-file pipeline with validation; nothing is stored."""
    file = untrusted.check_upload(request.files.get("file"), validate=True)
    if file is None or file.report is None:
        raise Invalid("Vui lòng chọn tệp PDF cần kiểm tra.", code="missing_file")
    report = file.report.to_dict()
    audit.append(db.session, "verify", actor=user,
                 details={"verdict": report["verdict"], "size": len(file.data)})
    return report


@bp.route("/verify", methods=["GET", "POST"])
@authenticated
def page():
    report = _check(current_user) if request.method == "POST" else None
    return render_template("verify.html", report=report)


@api.route("/api/v1/verify", methods=["POST"])
@authenticated
def verify_api():
    report = _check(acting_user())
    keys = ("signer", "intact", "trusted", "coverage", "modification_level", "signing_time",
            "timestamp", "revocation", "chain", "field", "kind")
    return jsonify({"verdict": report["verdict"], "label": report.get("label"),
                    "signatures": [{k: s.get(k) for k in keys} for s in report["signatures"]],
                    "reasons": report.get("reasons", [])})
