"""English texts of the administration pages (merged into ``eoffice.i18n.EN``)."""

from __future__ import annotations

EN: dict[str, str] = {
    "(không có)": "(none)", "(tất cả)": "(all)",
    "Bạn đang dùng mật khẩu dùng một lần do quản trị cấp. Hãy đặt mật khẩu của riêng bạn "
    "(ít nhất 10 ký tự) để tiếp tục.": "You are using a one-time password from your "
    "administrator. Choose your own password (at least 10 characters) to continue.",
    "Cho phép lưu khóa ký số của cán bộ trên máy chủ (PKCS#12)":
        "Allow staff signing keys kept on the server (PKCS#12)",
    "Chính sách": "Policy",
    "Chưa cài chứng thư nào (chỉ dùng chứng thư gốc của cả hệ thống).":
        "None installed (only the deployment's trust anchors are used).",
    "Chưa có ảnh chữ ký.": "No signature image yet.",
    "Chưa có ảnh con dấu.": "No seal image yet.",
    "Chưa đổi mật khẩu dùng một lần": "One-time password not yet changed",
    "Chỉ định quản trị": "Name administrator", "Chọn tệp khác": "Choose another file",
    "Chờ đăng nhập lần đầu": "Waiting for first login", "Chủ thể": "Subject",
    "Chức vụ": "Position", "Chứng thư CA (PEM hoặc DER)": "CA certificate (PEM or DER)",
    "Chứng thư gốc tin cậy": "Trust anchors",
    "Chứng thư gốc tin cậy đã cài": "Trust anchors installed",
    "Con dấu của cơ quan": "Agency seal", "Cài chứng thư": "Install certificate",
    "Cài chứng thư gốc của Bộ Thông tin và Truyền thông (Root CA quốc gia) và của Ban Cơ yếu "
    "Chính phủ để kiểm tra chữ ký trên văn bản đến.": "Install the root certificates of the "
    "Ministry of Information and Communications (national Root CA) and of the Government "
    "Cipher Committee to check the signatures of received documents.",
    "Các dòng lỗi sẽ bị bỏ qua; sửa tệp và nhập lại chúng sau.":
        "Rows with errors are skipped; fix the file and import them later.",
    "Có khóa lưu trên máy chủ": "Has a server-held key", "Cơ quan": "Agencies",
    "Cơ quan cấp trên": "Parent agency", "Cơ quan trong hệ thống": "Agencies of the deployment",
    "Cấp lại mật khẩu dùng một lần": "Issue a new one-time password",
    "Cột roles gồm các mã vai trò cách nhau bởi dấu ; (clerk, leader, head, specialist, "
    "secretary, admin); clearance: none, mat, toi_mat, tuyet_mat.": "The roles column holds "
    "role codes separated by ; (clerk, leader, head, specialist, secretary, admin); "
    "clearance: none, mat, toi_mat, tuyet_mat.",
    "Danh sách người dùng": "User list", "Dòng": "Line", "dòng": "rows",
    "Dấu vân tay SHA-256": "SHA-256 fingerprint",
    "Gán thiết bị cho con dấu": "Attach the seal's token", "Gán thiết bị ký số": "Attach token",
    "Gỡ": "Remove", "Gỡ chứng thư ký số": "Remove signing credentials",
    "Hoặc khóa con dấu dạng tệp PKCS#12": "Or the seal key as a PKCS#12 file",
    "Hết hạn": "Expires", "Họ và tên": "Full name", "Hợp lệ": "Valid",
    "Khóa con dấu": "Seal key",
    "Khóa ký số lưu trên máy chủ (tệp PKCS#12)": "Server-held signing key (PKCS#12 file)",
    "Khóa tài khoản": "Deactivate account",
    "Khóa tài khoản hoặc cấp lại mật khẩu sẽ kết thúc ngay mọi phiên làm việc và mã truy cập "
    "API của người dùng.": "Deactivating the account or resetting the password ends all of "
    "the user's sessions and API tokens at once.",
    "Kiểm tra thu hồi chứng thư": "Certificate revocation checking",
    "Kiểm tra tệp": "Check the file", "Ký số": "Digital signing",
    "Ký số của cơ quan": "Agency signing", "Kết quả kiểm tra": "Check result",
    "Lãnh đạo chưa có thiết bị ký số": "Leaders without a signing token",
    "Lý do": "Reason", "Lọc": "Filter", "Lỗi": "Errors", "Mã": "Code",
    "Mã phòng ban (ví dụ VHTT)": "Department code (e.g. VHTT)",
    "Mã định danh": "Agency code", "Mã định danh (13 ký tự)": "Agency code (13 characters)",
    "Mật khẩu chỉ hiện một lần. Hãy trao trực tiếp cho người dùng; khi đăng nhập lần đầu họ "
    "phải đặt mật khẩu của riêng mình.": "The password is shown only once. Hand it to the "
    "user in person; at first login they must choose their own.",
    "Mật khẩu dùng một lần": "One-time password",
    "Mật khẩu dùng một lần chỉ hiện một lần: hãy in hoặc sao chép và trao trực tiếp cho từng "
    "người.": "One-time passwords are shown only once: print or copy them and hand them to "
    "each person.",
    "Mở khóa tài khoản": "Reactivate account", "Mở lại": "Reactivate",
    "Người dùng đang hoạt động": "Active users", "Người thực hiện": "Actor",
    "Ngừng hoạt động": "Deactivate", "Nhãn khóa": "Key label",
    "Nhãn khóa (key label)": "Key label", "Nhãn thiết bị (HSM/token)": "Token label (HSM)",
    "Nhãn thiết bị (token label)": "Token label", "Nhập": "Import",
    "Nhập người dùng": "Import users", "Nhập người dùng từ tệp CSV": "Import users from CSV",
    "Nhật ký 7 ngày qua": "Audit entries, last 7 days",
    "Nhật ký của người dùng này": "This user's audit entries",
    "Quản trị của cơ quan": "Agency administrator",
    "Số hiệu văn bản (id)": "Document id", "Thao tác": "Action",
    "Thiết bị ký số (token)": "Signing token", "Thêm cơ quan": "Add an agency",
    "Thêm người dùng": "Add a user", "Thêm phòng ban": "Add a department",
    "Thông tin và phân quyền": "Details and permissions", "Thời gian": "Time",
    "Tiến độ nhập": "Import progress", "Tiếp tục": "Continue", "Trang": "Page",
    "Trang sau": "Next page", "Trang trước": "Previous page", "Trạng thái": "Status",
    "Tên cơ quan": "Agency name", "Tên phòng ban": "Department name",
    "Tạo cơ quan": "Create agency", "Tạo người dùng": "Create user",
    "Tạo phòng ban": "Create department", "Tải lên khóa": "Upload key",
    "Tải lên khóa con dấu": "Upload seal key", "Tải lên ảnh chữ ký": "Upload signature image",
    "Tải lên ảnh con dấu": "Upload seal image", "Tệp CSV": "CSV file",
    "Tệp CSV mã UTF-8, dòng đầu là tên cột": "A UTF-8 CSV file whose first row names the columns",
    "Tệp CSV mật khẩu dùng một lần": "One-time passwords (CSV)", "Từ ngày": "From",
    "Viết tắt": "Abbreviation", "Viết tắt (trong số, ký hiệu)": "Abbreviation (in reference codes)",
    "Văn bản của cơ quan": "Documents of the agency", "Xuất CSV": "Export CSV",
    "chưa gán": "not attached", "người dùng": "users", "người dùng hợp lệ": "valid users",
    "thiết bị": "token", "tệp PKCS#12 trên máy chủ": "PKCS#12 file on the server",
    "Đang hoạt động": "Active", "Đã khóa": "Deactivated", "Đã nhập": "Imported",
    "Đã nhập người dùng": "Users imported", "Đến ngày": "To", "Địa chỉ": "Address",
    "Đối tượng": "Object", "Đổi tên": "Rename", "Ảnh chữ ký": "Signature image",
    "Ảnh chữ ký (PNG nền trong suốt, mực xanh)":
        "Signature image (PNG, transparent background, blue ink)",
    "Ảnh con dấu": "Seal image",
    "Ảnh con dấu (PNG nền trong suốt, màu đỏ, kích thước thật)":
        "Seal image (PNG, transparent background, red, real size)",
    "Hãy chọn tệp để tải lên.": "Choose a file to upload.",
    "Thao tác không hợp lệ.": "Invalid action.", "Tệp quá lớn.": "The file is too large.",
    "Đã cài chứng thư gốc tin cậy.": "Trust anchor installed.",
    "Đã cấp mật khẩu dùng một lần mới.": "A new one-time password was issued.",
    "Đã cập nhật phòng ban.": "Department updated.", "Đã gán khóa con dấu.": "Seal key attached.",
    "Đã gán khóa ký số lưu trên máy chủ.": "Server-held key attached.",
    "Đã gán thiết bị ký số.": "Token attached.", "Đã gán ảnh chữ ký.": "Signature image attached.",
    "Đã gán ảnh con dấu.": "Seal image attached.",
    "Đã gỡ chứng thư gốc tin cậy.": "Trust anchor removed.",
    "Đã gỡ chứng thư ký số.": "Signing credentials removed.",
    "Đã khóa tài khoản; mọi phiên làm việc đã kết thúc.":
        "Account deactivated; all its sessions have ended.",
    "Đã lưu chính sách ký số.": "Signing policy saved.",
    "Đã lưu thông tin người dùng.": "User saved.", "Đã mở khóa tài khoản.": "Account reactivated.",
    "Đã nhập người dùng từ tệp CSV.": "Users imported from the CSV file.",
    "Đã tạo cơ quan.": "Agency created.", "Đã tạo người dùng.": "User created.",
    "Đã tạo phòng ban.": "Department created.",
    "Đã tạo tài khoản quản trị của cơ quan.": "The agency's administrator account was created.",
    "Quản trị hệ thống": "System administration",
    "Chỉ lưu danh sách thu hồi (CRL) đã cài": "Installed revocation lists (CRL) only",
    "Chỉ dùng danh sách thu hồi (CRL) đã cài": "Installed revocation lists (CRL) only",
    "Kiểm tra trực tuyến (OCSP/CRL) khi có mạng": "Online checking (OCSP/CRL) when reachable",
}
