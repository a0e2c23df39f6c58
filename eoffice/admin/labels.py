"""Names of audit actions and of the objects they act on (Vietnamese and English): the one
table for the audit viewer, its CSV and the ``object_label`` filter."""

from __future__ import annotations

#: The first part of an action code (``outgoing.sign``) and an entry's object type.
AREAS = {
    "outgoing": ("Văn bản đi", "Outgoing"), "incoming": ("Văn bản đến", "Incoming"),
    "document": ("Văn bản", "Document"), "register": ("Sổ văn bản", "Register"),
    "meeting": ("Cuộc họp", "Meeting"), "material": ("Tài liệu họp", "Meeting material"),
    "minutes": ("Biên bản", "Minutes"), "exchange": ("Liên thông", "Exchange"),
    "delivery": ("Liên thông", "Exchange"),
    "assignment": ("Xử lý văn bản đến", "Handling"), "user": ("Người dùng", "User"),
    "permission": ("Phân quyền", "Permission"), "department": ("Phòng ban", "Department"),
    "agency": ("Cơ quan", "Agency"), "credential": ("Chứng thư ký số", "Signing credential"),
    "trust": ("Chứng thư gốc tin cậy", "Trust anchor"),
    "token": ("Mã truy cập API", "API token"),
}
VERBS = {
    "login": ("Đăng nhập", "Log in"), "login_failed": ("Đăng nhập sai", "Failed login"),
    "login_throttled": ("Đăng nhập bị tạm khóa", "Login throttled"),
    "logout": ("Đăng xuất", "Log out"), "password_change": ("Đổi mật khẩu", "Password change"),
    "sessions_ended": ("Kết thúc mọi phiên làm việc", "All sessions ended"),
    "token_revoke": ("Thu hồi mã truy cập API", "API token revoked"),
    "user_create": ("Tạo người dùng", "User created"), "view": ("Xem", "View"),
    "download": ("Tải xuống", "Download"), "print": ("In", "Print"),
    "search": ("Tìm kiếm", "Search"), "verify": ("Kiểm tra chữ ký", "Signature check"),
    "reclassify": ("Đổi độ mật", "Secrecy changed"),
    "create": ("Tạo mới", "Created"), "edit": ("Sửa", "Edited"), "update": ("Cập nhật", "Updated"),
    "submit": ("Trình duyệt", "Submitted"), "approve": ("Duyệt", "Approved"),
    "reject": ("Trả lại", "Rejected"), "sign": ("Ký số", "Signed"),
    "issue": ("Phát hành (cấp số)", "Issued"), "dispatch": ("Gửi đi", "Dispatched"),
    "recall": ("Thu hồi", "Recalled"), "register": ("Vào sổ", "Registered"),
    "direct": ("Bút phê", "Directed"), "remind": ("Đôn đốc", "Reminder"),
    "return": ("Trả lại nơi gửi", "Returned"), "assign": ("Giao xử lý", "Assigned"),
    "reassign": ("Giao lại", "Reassigned"), "start": ("Bắt đầu xử lý", "Started"),
    "progress": ("Báo cáo tiến độ", "Progress"), "note": ("Ghi chú tiến độ", "Note"),
    "complete": ("Hoàn thành", "Completed"), "send": ("Gửi liên thông", "Sent"),
    "accept": ("Tiếp nhận", "Accepted"), "refuse": ("Từ chối", "Refused"),
    "password_reset": ("Cấp lại mật khẩu", "Password reset"),
    "roles": ("Thay đổi vai trò", "Roles changed"),
    "clearance": ("Thay đổi độ mật được xem", "Clearance changed"),
    "active": ("Khóa/mở khóa tài khoản", "Account (de)activated"),
    "department": ("Chuyển phòng ban", "Department changed"),
    "rename": ("Đổi tên", "Renamed"), "activate": ("Mở lại", "Reactivated"),
    "deactivate": ("Ngừng hoạt động", "Deactivated"),
    "policy": ("Thay đổi chính sách ký số", "Signing policy changed"),
    "token": ("Gán thiết bị ký số (token)", "Token attached"),
    "p12": ("Gán khóa ký số trên máy chủ", "Server key attached"),
    "signature_image": ("Gán ảnh chữ ký", "Signature image attached"),
    "seal": ("Gán khóa con dấu", "Seal key attached"),
    "seal_image": ("Gán ảnh con dấu", "Seal image attached"),
    "clear": ("Gỡ chứng thư ký số", "Credentials removed"),
    "add": ("Thêm", "Added"), "remove": ("Gỡ bỏ", "Removed"),
    "agenda": ("Lập chương trình họp", "Agenda"), "distribute": ("Phát hành", "Distributed"),
    "minutes": ("Biên bản họp", "Minutes"), "hold": ("Tổ chức họp", "Held"),
    "cancel": ("Hủy", "Cancelled"),
}


def action_label(action: str, language: str = "vi") -> str:
    """``outgoing.sign`` → ``Văn bản đi: Ký số``; unknown codes are shown as they are."""
    index = 1 if language == "en" else 0
    area, _, verb = action.partition(".")
    if not verb:
        return VERBS[area][index] if area in VERBS else action
    head = AREAS[area][index] if area in AREAS else area
    if verb in VERBS:
        return f"{head}: {VERBS[verb][index]}"
    base = verb.split("_", 1)[0]
    return f"{head}: {VERBS[base][index]}" if base in VERBS else f"{head}: {verb}"


def object_label(object_type: str, language: str = "vi") -> str:
    """``register`` → ``Sổ văn bản``; unknown types are shown as they are."""
    names = AREAS.get(object_type)
    return names[1 if language == "en" else 0] if names else object_type


def known_actions() -> list[str]:
    """Codes offered in the viewer's filter (the common ones)."""
    return ["login", "login_failed", "logout", "password_change", "user_create", "user.update",
            "user.password_reset", "permission.roles", "permission.clearance",
            "permission.active", "permission.department", "department.create",
            "agency.create", "credential.token", "credential.signature_image", "trust.add",
            "view", "download", "search", "reclassify", "incoming.register", "outgoing.sign",
            "outgoing.issue", "outgoing.dispatch", "meeting.create"]
