"""The officers' console's words (Vietnamese: officers are Vietnamese civil servants)."""

from __future__ import annotations

TITLE = "Trang cán bộ"
SIGNED_IN_AS = "Đang đăng nhập"
ROLES = {"admin": "quản trị", "officer": "cán bộ"}
SIGN_OUT = "Đăng xuất"
SIGNED_OUT = "Bạn đã đăng xuất. Muốn vào lại, gửi /dangnhap cho bot trong tin nhắn riêng."
NOT_SIGNED_IN = (
    "Bạn chưa đăng nhập, hoặc phiên đã hết hạn vì lâu không dùng. Gửi /dangnhap cho bot "
    "trong tin nhắn riêng (Telegram) để nhận liên kết đăng nhập mới."
)
LINK_REFUSED = {
    "unknown": "Liên kết đăng nhập không đúng.",
    "used": "Liên kết này đã được dùng. Mỗi liên kết chỉ dùng được một lần.",
    "expired": "Liên kết này đã hết hạn (10 phút).",
    "not_officer": "Tài khoản này không còn là cán bộ của hệ thống.",
}
ASK_AGAIN = "Gửi /dangnhap cho bot trong tin nhắn riêng để nhận liên kết mới."
SIGNING_IN = "Đang vào trang cán bộ…"
CONTINUE = "Vào trang cán bộ"
FORGED = "Yêu cầu không hợp lệ (thiếu mã chống giả mạo). Hãy tải lại trang rồi thử lại."
NAV = "Mục của trang cán bộ"
NAV_INBOX = "Hộp thư"
NAV_BROADCASTS = "Thông báo"
NAV_INSIGHTS = "Số liệu"


def link_message(url: str, minutes: int) -> str:
    return (
        f"Liên kết đăng nhập trang cán bộ (dùng một lần, hết hạn sau {minutes} phút):\n{url}\n"
        "Đừng chuyển liên kết này cho người khác."
    )


NO_PUBLIC_URL = (
    "Chưa cấu hình địa chỉ công khai của bot (PUBLIC_BASE_URL) nên chưa tạo được liên kết "
    "đăng nhập. Hãy báo quản trị hệ thống."
)
PRIVATE_ONLY = "Vì an toàn, hãy gửi /dangnhap trong tin nhắn riêng với bot, không gửi trong nhóm."

# ---- the inbox ------------------------------------------------------------------------
INBOX = "Yêu cầu đang chờ"
INBOX_ALL = "Yêu cầu gần đây (cả đã đóng)"
INBOX_EMPTY = "Không có yêu cầu nào đang chờ."
INBOX_NONE_FOUND = "Không có yêu cầu nào khớp với từ tìm."
COLUMNS = ("Số", "Kênh", "Người hỏi", "Đã chờ", "Trạng thái", "Lý do")
SEARCH_LABEL = "Tìm trong yêu cầu (tên, nội dung, số yêu cầu; gõ có dấu hay không dấu đều được)"
SEARCH = "Tìm"
INCLUDE_CLOSED = "Cả yêu cầu đã đóng"
LATE = "quá hạn"
LIVE = "Danh sách tự cập nhật, không cần tải lại trang."
LAST_ANSWER = "Câu trả lời cuối của bot trước khi chuyển cán bộ"
PLATFORMS = {"telegram": "Telegram", "zalo_oa": "Zalo OA", "zalo_bot": "Zalo Bot", "web": "Web"}


def late_rule(minutes: int) -> str:
    return f"Tô đỏ: yêu cầu chưa được trả lời sau {waited(minutes)} trong giờ làm việc."


STATES = {"open": "mới", "assigned": "đang xử lý", "answered": "đã trả lời", "closed": "đã đóng"}
TAKE = "Nhận xử lý"
REPLY = "Gửi trả lời"
REPLY_LABEL = "Trả lời người dân (gửi trên kênh của họ, ghi rõ là lời cán bộ)"
CLOSE = "Đóng yêu cầu"
BACK = "← Hộp yêu cầu"
CONVERSATION = "Cuộc trò chuyện"
NOT_YOURS = "Không có yêu cầu này, hoặc yêu cầu không thuộc đơn vị của bạn."
ALREADY_CLOSED = "Yêu cầu đã đóng; không gửi được nữa."
EMPTY_REPLY = "Bạn chưa viết nội dung trả lời."
WHO = {"in": "Người dân", "out": "Bot", "operator": "Cán bộ"}
OFFICER_SCOPE = (
    "Bạn thấy các yêu cầu của người dân đã chọn xã/phường thuộc đơn vị mình; quản trị thấy tất cả."
)


def waited(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} phút"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} giờ {rest} phút" if rest else f"{hours} giờ"
    return f"{minutes // (24 * 60)} ngày"


def ticket_title(ticket_id: int, platform: str, name: str) -> str:
    return f"Yêu cầu #{ticket_id} — {name or 'người dân'} ({platform})"


def taken(by: str | None) -> str:
    who = f" ({by})" if by else ""
    return f"Yêu cầu này đã có cán bộ khác nhận hoặc đã được trả lời{who}; bạn vẫn có thể trả lời."


# ---- officers (admins only) -----------------------------------------------------------
NAV_OFFICERS = "Cán bộ"
ADMINS_ONLY = "Chỉ quản trị mới quản lý được danh sách cán bộ."
OFFICERS = "Cán bộ dùng được bot và trang này"
OFFICERS_HELP = (
    "Cán bộ trong cấu hình (OFFICERS, ADMINS) chỉ đổi được ở cấu hình. Cán bộ thêm ở đây "
    "(hoặc bằng /themcanbo) dùng được ngay; cán bộ bị xóa bị đăng xuất ở lần bấm kế tiếp. "
    "Cán bộ thấy yêu cầu của người dân thuộc các xã/phường có tên nằm trong tên đơn vị."
)
OFFICER_COLUMNS = ("Tài khoản", "Đơn vị", "Nguồn", "")
FROM_SETTINGS = "cấu hình"
ADMIN_FROM_SETTINGS = "quản trị (cấu hình)"
ADDED = "thêm bởi quản trị"
REMOVE = "Xóa"
ADD_OFFICER = "Thêm cán bộ"
ACCOUNT_LABEL = "Tài khoản (nền tảng:mã số; nền tảng là một trong {platforms})"
UNIT_LABEL = "Đơn vị (ví dụ UBND phường Ba Đình)"
ADD = "Thêm"
BAD_OFFICER = "Tài khoản phải có dạng nền tảng:mã số (ví dụ telegram:123456789) và cần ghi đơn vị."
IN_SETTINGS = "Tài khoản này nằm trong cấu hình (OFFICERS/ADMINS); chỉ đổi được ở đó."
AUDIT = "Nhật ký thao tác gần đây"
AUDIT_COLUMNS = ("Lúc", "Ai", "Việc", "Chi tiết")
BAD_FORM = "Dữ liệu gửi lên không đọc được. Hãy tải lại trang rồi thử lại."
