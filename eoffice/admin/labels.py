"""Names of audit actions and of the objects they act on (Vietnamese; web pages show them
through the message catalogue): the one table for the audit viewer, its CSV and the
``object_label`` filter."""

from __future__ import annotations

from collections.abc import Callable

from eoffice.i18n import N_

#: The first part of an action code (``outgoing.sign``) and an entry's object type.
AREAS = {
    "outgoing": N_("Văn bản đi"), "incoming": N_("Văn bản đến"),
    "document": N_("Văn bản"), "register": N_("Sổ văn bản"),
    "meeting": N_("Cuộc họp"), "material": N_("Tài liệu họp"),
    "minutes": N_("Biên bản"), "exchange": N_("Liên thông"),
    "delivery": N_("Liên thông"),
    "assignment": N_("Xử lý văn bản đến"), "user": N_("Người dùng"),
    "permission": N_("Phân quyền"), "department": N_("Phòng ban"),
    "agency": N_("Cơ quan"), "credential": N_("Chứng thư ký số"),
    "trust": N_("Chứng thư gốc tin cậy"),
    "token": N_("Mã truy cập API"),
}
VERBS = {
    "login": N_("Đăng nhập"), "login_failed": N_("Đăng nhập sai"),
    "login_throttled": N_("Đăng nhập bị tạm khóa"),
    "logout": N_("Đăng xuất"), "password_change": N_("Đổi mật khẩu"),
    "sessions_ended": N_("Kết thúc mọi phiên làm việc"),
    "token_revoke": N_("Thu hồi mã truy cập API"),
    "user_create": N_("Tạo người dùng"), "view": N_("Xem"),
    "download": N_("Tải xuống"), "print": N_("In"),
    "search": N_("Tìm kiếm"), "verify": N_("Kiểm tra chữ ký"),
    "reclassify": N_("Đổi độ mật"),
    "create": N_("Tạo mới"), "edit": N_("Sửa"), "update": N_("Cập nhật"),
    "submit": N_("Trình duyệt"), "approve": N_("Duyệt"),
    "reject": N_("Trả lại"), "sign": N_("Ký số"),
    "issue": N_("Phát hành (cấp số)"), "dispatch": N_("Gửi đi"),
    "recall": N_("Thu hồi"), "register": N_("Vào sổ"),
    "direct": N_("Bút phê"), "remind": N_("Đôn đốc"),
    "return": N_("Trả lại nơi gửi"), "assign": N_("Giao xử lý"),
    "reassign": N_("Giao lại"), "start": N_("Bắt đầu xử lý"),
    "progress": N_("Báo cáo tiến độ"), "note": N_("Ghi chú tiến độ"),
    "complete": N_("Hoàn thành"), "send": N_("Gửi liên thông"),
    "accept": N_("Tiếp nhận"), "refuse": N_("Từ chối"),
    "password_reset": N_("Cấp lại mật khẩu"),
    "roles": N_("Thay đổi vai trò"),
    "clearance": N_("Thay đổi độ mật được xem"),
    "active": N_("Khóa/mở khóa tài khoản"),
    "department": N_("Chuyển phòng ban"),
    "rename": N_("Đổi tên"), "activate": N_("Mở lại"),
    "deactivate": N_("Ngừng hoạt động"),
    "policy": N_("Thay đổi chính sách ký số"),
    "token": N_("Gán thiết bị ký số (token)"),
    "p12": N_("Gán khóa ký số trên máy chủ"),
    "signature_image": N_("Gán ảnh chữ ký"),
    "seal": N_("Gán khóa con dấu"),
    "seal_image": N_("Gán ảnh con dấu"),
    "clear": N_("Gỡ chứng thư ký số"),
    "add": N_("Thêm"), "remove": N_("Gỡ bỏ"),
    "agenda": N_("Lập chương trình họp"), "distribute": N_("Phát hành"),
    "minutes": N_("Biên bản họp"), "hold": N_("Tổ chức họp"),
    "cancel": N_("Hủy"),
}


def action_label(action: str, translate: Callable[[str], str] = str) -> str:
    """``outgoing.sign`` → ``Văn bản đi: Ký số`` (each part through ``translate``, e.g. the
    request's gettext); unknown codes are shown as they are."""
    area, _, verb = action.partition(".")
    if not verb:
        return translate(VERBS[area]) if area in VERBS else action
    head = translate(AREAS[area]) if area in AREAS else area
    if verb in VERBS:
        return f"{head}: {translate(VERBS[verb])}"
    base = verb.split("_", 1)[0]
    return f"{head}: {translate(VERBS[base])}" if base in VERBS else f"{head}: {verb}"


def object_label(object_type: str, translate: Callable[[str], str] = str) -> str:
    """``register`` → ``Sổ văn bản``; unknown types are shown as they are."""
    return translate(AREAS[object_type]) if object_type in AREAS else object_type


def known_actions() -> list[str]:
    """Codes offered in the viewer's filter (the common ones)."""
    return ["login", "login_failed", "logout", "password_change", "user_create", "user.update",
            "user.password_reset", "permission.roles", "permission.clearance",
            "permission.active", "permission.department", "department.create",
            "agency.create", "credential.token", "credential.signature_image", "trust.add",
            "view", "download", "search", "reclassify", "incoming.register", "outgoing.sign",
            "outgoing.issue", "outgoing.dispatch", "meeting.create"]
