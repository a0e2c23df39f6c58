"""Friendly error pages for the web, the JSON error shape for the API. Never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from eoffice.errors import AppError
from eoffice.extensions import gettext as _
from eoffice.i18n import N_
from eoffice.web.transaction import undo

MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    401: N_("Bạn cần đăng nhập."),
    403: N_("Bạn không có quyền thực hiện thao tác này."),
    404: N_("Không tìm thấy trang hoặc văn bản."),
    405: N_("Thao tác không được hỗ trợ."),
    409: N_("Xung đột dữ liệu, vui lòng tải lại trang."),
    413: N_("Tệp quá lớn."),
    422: N_("Dữ liệu không hợp lệ."),
    429: N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."),
    500: N_("Đã xảy ra lỗi. Vui lòng thử lại hoặc liên hệ quản trị."),
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "file_too_large",
         422: "invalid", 429: "too_many_requests", 500: "internal_error"}


def error_response(status: int, message: str | None = None, code: str | None = None,
                   values: dict[str, object] | None = None):
    """The API's JSON error (Vietnamese text) or the error page in the user's language;
    ``message`` is a msgid, its ``%(name)s`` placeholders filled from ``values``."""
    text = message or MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        body = {"error": {"code": code or CODES.get(status, "error"),
                          "message": text % values if values else text}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=_(text, **(values or {}))), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError):
        return error_response(400, N_("Phiên làm việc đã hết hạn, vui lòng thử lại."), "csrf")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        undo(exc)
        status = exc.code or 500
        if status == 413:
            limit_mb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
            return error_response(413, N_("Tệp quá lớn: giới hạn là %(limit)s MB."),
                                  values={"limit": limit_mb})
        message = exc.description if getattr(exc, "eoffice_message", False) else None
        return error_response(status, message)

    @app.errorhandler(AppError)
    def _domain(exc: AppError):
        undo(exc)
        return error_response(exc.status, exc.template, exc.code, exc.values)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        undo(exc)
        app.logger.exception("unexpected error", exc_info=exc)
        return error_response(500)

