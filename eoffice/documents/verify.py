"""Checking the signatures of any PDF (web page and POST /api/v1/verify). Nothing is stored."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from eoffice.audit import operations as audit
from eoffice.db import db
from eoffice.errors import Invalid
from eoffice.extensions import acting_user
from eoffice.permissions import authenticated
from eoffice.settings import trust_material
from eoffice.signing_services import validate_untrusted
from eoffice.storage import PDF, sniff_type

bp = Blueprint("verify", __name__)
api = Blueprint("verify_api", __name__)


def _uploaded_pdf() -> bytes:
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    if not data:
        raise Invalid("Vui lòng chọn tệp PDF cần kiểm tra.", code="missing_file")
    if sniff_type(data) != PDF:
        raise Invalid("Tệp không đúng định dạng: nội dung tệp không phải PDF "
                      "(hệ thống kiểm tra nội dung, không dựa vào đuôi tên tệp).",
                      code="unsupported_type")
    return data


def _check(user) -> dict:
    data = _uploaded_pdf()
    report = validate_untrusted(data, trust_material()).to_dict()
    audit.append(db.session, "verify", actor=user,
                 details={"verdict": report["verdict"], "size": len(data)})
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
