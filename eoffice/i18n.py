"""User-facing text: Vietnamese first, English available.

Messages are written in Vietnamese in the code and templates; ``gettext`` returns the English
text when the user has chosen English and a translation exists.
"""

from __future__ import annotations

from typing import Any

EN: dict[str, str] = {
    "Đăng nhập": "Log in",
    "Đăng xuất": "Log out",
    "Tên đăng nhập": "Username",
    "Mật khẩu": "Password",
    "Đổi mật khẩu": "Change password",
    "Mật khẩu hiện tại": "Current password",
    "Mật khẩu mới": "New password",
    "Nhập lại mật khẩu mới": "Repeat the new password",
    "Lưu": "Save",
    "Trang chủ": "Home",
    "Văn bản đến": "Incoming",
    "Văn bản đi": "Outgoing",
    "Họp không giấy": "Meetings",
    "Tìm kiếm": "Search",
    "Quản trị": "Administration",
    "Nhật ký": "Audit log",
    "Người dùng": "Users",
    "Phòng ban": "Departments",
    "Xin chào": "Hello",
    "Việc cần làm": "To do",
    "Chưa có mục nào.": "Nothing yet.",
    "Tên đăng nhập hoặc mật khẩu không đúng.": "Wrong username or password.",
    "Bạn đã đăng xuất.": "You have logged out.",
    "Đã đổi mật khẩu.": "Password changed.",
    "Hệ thống văn bản điện tử và chữ ký số": "Electronic documents and digital signatures",
    "Không tìm thấy trang hoặc văn bản.": "Page or document not found.",
    "Bạn không có quyền thực hiện thao tác này.": "You may not do this.",
    "Phiên làm việc đã hết hạn, vui lòng thử lại.": "Your session expired, please try again.",
    "Đã xảy ra lỗi. Vui lòng thử lại hoặc liên hệ quản trị.":
        "Something went wrong. Please try again or contact the administrator.",
    "Tệp quá lớn.": "File too large.",
    "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.":
        "Too many failed logins. Please try again in 15 minutes.",
    "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.":
        "Too many failed logins. Please try again in {minutes} minutes.",
    "Ngôn ngữ": "Language",
    "Vai trò": "Roles",
    "Phòng": "Department",
    "Độ mật được xem": "Clearance",
    "Văn bản chờ xử lý": "Documents waiting",
    "Văn bản chờ ký": "Documents to sign",
    "Văn bản chờ phát hành": "Documents to issue",
    "Dự thảo của tôi": "My drafts",
    "Cuộc họp sắp tới": "Upcoming meetings",
    "Dự thảo chờ duyệt": "Drafts to review",
    "Tài khoản": "Account",
}


def translate(message: str, language: str, **values: Any) -> str:
    text = EN.get(message, message) if language == "en" else message
    return text.format(**values) if values else text
