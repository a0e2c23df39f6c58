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
    "Thống kê": "Statistics",
    "Thống kê văn bản đến": "Incoming statistics",
    "Thống kê liên thông": "Exchange statistics",
    "Quản trị": "Administration",
    "Nhật ký": "Audit log",
    "Người dùng": "Users",
    "Phòng ban": "Departments",
    "Xin chào": "Hello",
    "Việc cần làm": "To do",
    "Chưa có mục nào.": "Nothing yet.",
    "Mới": "New",
    "08:00 - 08:15 | Khai mạc, giới thiệu đại biểu | Văn phòng":
        "08:00 - 08:15 | Opening, introduction of delegates | Office",
    "08:15 - 09:30 | Báo cáo tình hình thực hiện nhiệm vụ | Chủ tịch UBND":
        "08:15 - 09:30 | Report on the tasks | Chairman",
    "Thành phần tham dự: cá nhân": "Participants: people",
    "Chưa vào sổ được, hãy sửa:": "Not registered yet, please fix:",
    "Chưa nhập {field}.": "{field} is missing.",
    "{field}: ngày không hợp lệ (dạng ngày/tháng/năm, ví dụ 28/03/2022).":
        "{field}: not a valid date (day/month/year, e.g. 28/03/2022).",
    "{field}: phải là số nguyên.": "{field}: must be a whole number.",
    "Trang 1 của tệp đã kiểm tra": "Page 1 of the checked file",
    "mới": "new",
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
    "Xác nhận xóa tệp văn bản mật": "Confirm removing the classified document's files",
    "Các tệp sẽ bị xóa (mã băm SHA-256, ghi vào nhật ký):":
        "Files to be removed (SHA-256 hashes, recorded in the audit log):",
    "Tôi đã giữ bản gốc ngoại tuyến — xóa tệp và đổi độ mật":
        "I keep the original offline — remove the files and change the secrecy",
    "Hủy": "Cancel",
    "Độ mật không hợp lệ hoặc cao hơn độ mật bạn được xem.":
        "Invalid secrecy level, or above your clearance.",
    "Đã cập nhật độ mật. Văn bản mật không còn trong kết quả tìm kiếm.":
        "Secrecy updated. Classified documents no longer appear in search results.",
    ("Hệ thống không lưu tệp của văn bản mật: khi xác nhận, tệp của văn bản này sẽ bị xóa khỏi "
     "kho lưu trữ. Hãy giữ bản gốc ngoại tuyến (bản giấy hoặc thiết bị lưu trữ không kết nối "
     "mạng) theo quy định bảo vệ bí mật nhà nước trước khi xác nhận."):
        ("This system does not store files of classified documents: once you confirm, this "
         "document's files are removed from the store. Keep the original offline (on paper or "
         "on a storage device never connected to a network), as the rules on state secrets "
         "require, before you confirm."),
    "Văn bản mật": "Classified document",
    "Văn bản đã vào sổ; chữ ký số của tệp đang được kiểm tra. Tải lại trang sau ít giây để xem "
    "kết quả.": "The document is registered; the signatures of its file are being checked. "
    "Reload the page in a few seconds to see the result.",
    "Nhắc hạn xử lý": "Deadline reminders",
}


def translate(message: str, language: str, **values: Any) -> str:
    text = EN.get(message, message) if language == "en" else message
    return text.format(**values) if values else text
