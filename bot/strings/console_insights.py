"""The words of the console's insights ("Số liệu"), for officers."""

from __future__ import annotations

from datetime import date

HEADING = "Số liệu"
INTRO = (
    "Các thước đo của Kế hoạch 57-KH/TU: người dân hỏi gì, qua kênh nào, bot trả lời ra "
    "sao, cán bộ xử lý yêu cầu nhanh chậm thế nào, mỗi đơn vị gửi bao nhiêu tin so với chỉ "
    "tiêu 10 tin, bài mỗi tháng."
)
UNANSWERED_LINK = "Câu hỏi văn bản chưa trả lời được"
YEAR_LINK = "Tổng kết năm"
PERIOD_LINK = "Theo ngày, tuần, tháng"
SUBNAV = "Các trang số liệu"

# ---- choosing what to see ---------------------------------------------------------------
FILTER = "Chọn kỳ và đơn vị"
KIND = "Kỳ"
KINDS = {"ngay": "Ngày", "tuan": "Tuần", "thang": "Tháng"}
DAY_FIELD = "Ngày trong kỳ"
UNIT = "Đơn vị"
ALL_UNITS = "Tất cả đơn vị"
SHOW = "Xem"
PREVIOUS = "Kỳ trước"
NEXT = "Kỳ sau"
YEAR_FIELD = "Năm"
OFFICER_SCOPE = "Số liệu về người dân chỉ tính những người đã chọn xã/phường thuộc đơn vị của bạn."
ADMIN_SCOPE = (
    "“Tất cả đơn vị”: mọi người dân. Một đơn vị: người dân đã chọn xã/phường của đơn vị đó."
)

# ---- sections -----------------------------------------------------------------------------
CHANNELS = "Câu hỏi theo kênh"
CHANNELS_DAILY = "Câu hỏi theo kênh, từng ngày"
CHANNELS_HOURLY = "Câu hỏi theo kênh, từng giờ"
PLATFORMS = {
    "zalo_oa": "Zalo OA",
    "zalo_bot": "Zalo Bot",
    "telegram": "Telegram",
    "web": "Trang web",
}
OUTCOMES = "Kết quả trả lời"
OUTCOME_NAMES = {
    "answer": "Trả lời, có trích dẫn",
    "suggest": "Gợi ý mục để chọn",
    "not_found": "Không tìm thấy trong văn bản",
    "tickets": "Chuyển cán bộ (yêu cầu mở)",
}
OUTCOMES_NOTE = (
    "Mỗi câu hỏi nhận một câu trả lời của bot; lời chào, cảm ơn, hướng dẫn không tính ở "
    "đây. “Chuyển cán bộ” là số yêu cầu mở trong kỳ."
)
SECTIONS = "Mục văn bản được hỏi nhiều nhất"
SECTIONS_NOTE = "Theo mục được trích đầu tiên trong câu trả lời."
VOTES = "Đánh giá của người dân theo mục"
UP, DOWN = "Hữu ích", "Chưa hữu ích"
TICKETS = "Thời gian xử lý yêu cầu gặp cán bộ"
BROADCASTS = "Tin, bài gửi người đăng ký theo đơn vị"
YEAR = "Tổng kết năm"

COLUMNS = {
    "channel": ("Kênh", "Số câu hỏi", "Tỉ lệ"),
    "outcome": ("Kết quả", "Số lượt", "Tỉ lệ so với câu hỏi"),
    "section": ("Mục", "Tiêu đề", "Số câu trả lời"),
    "votes": ("Mục", "Tiêu đề", "Hữu ích", "Chưa hữu ích", "Tỉ lệ hữu ích"),
    "tickets": ("Chỉ số", "Giá trị"),
    "broadcasts": (
        "Đơn vị",
        "Tin đã gửi",
        "Chỉ tiêu",
        "Đạt",
        "Lượt nhận",
        "Phản hồi trong 24 giờ",
        "Hữu ích",
        "Chưa hữu ích",
    ),
    "ticket_lines": (
        "Số",
        "Kênh",
        "Trạng thái",
        "Mở lúc",
        "Trả lời lúc",
        "Chờ (phút)",
        "Chờ trong giờ hành chính (phút)",
    ),
    "personal": ("Tên người dân", "Mã người dùng", "Lý do"),
    "broadcast_lines": (
        "Số",
        "Đơn vị",
        "Bắt đầu gửi",
        "Lượt nhận",
        "Phản hồi",
        "Hữu ích",
        "Chưa hữu ích",
    ),
    "officer": ("Cán bộ gửi",),
    "year": (
        "Tháng",
        "Câu hỏi",
        "Phản hồi tin, bài",
        "Hữu ích",
        "Chưa hữu ích",
        "Yêu cầu gặp cán bộ",
    ),
}
DAY_COLUMN, HOUR_COLUMN, TOTAL = "Ngày", "Giờ", "Tổng"
QUESTIONS = "Câu hỏi"
TICKET_ROWS = {
    "opened": "Yêu cầu mở trong kỳ",
    "answered": "Đã được cán bộ trả lời",
    "median": "Thời gian chờ trả lời, trung vị",
    "p90": "Thời gian chờ trả lời, 90% yêu cầu không quá",
    "within": "Trả lời trong chỉ tiêu {target} (giờ hành chính)",
    "waiting": "Đang chờ, chưa trả lời",
    "closed_unanswered": "Đã đóng mà chưa trả lời (hết hạn hoặc người dân rời)",
}
MET, NOT_MET = "Đạt", "Chưa đạt"
NO_UNIT = "(chưa ghi đơn vị)"
EMPTY = "Chưa có số liệu trong kỳ này."
PENDING = "Đang tính số liệu này (dữ liệu lớn); trang sẽ tự tải lại sau ít giây."
COMPUTED = "Số liệu tính lúc {at}; được tính lại sau vài phút."
YEAR_TOTALS = "Cả năm"
YEAR_ROWS = {
    "reached": "Tiếp cận: số người đã nhận tin của bot (trả lời hoặc tin, bài)",
    "subscribers": "Người đăng ký nhận tin, hiện nay",
    "questions": "Quan tâm: số câu hỏi",
    "replies": "Tương tác: phản hồi trong 24 giờ sau tin, bài",
    "up": "Đánh giá hữu ích",
    "down": "Đánh giá chưa hữu ích",
    "tickets": "Yêu cầu gặp cán bộ",
}
YEAR_NOTE = (
    "Theo mục IV.2 của Kế hoạch: đánh giá theo mức độ tiếp cận, quan tâm và tương tác. "
    "Số người đăng ký là con số hiện tại, không phải của từng tháng."
)

# ---- downloads ------------------------------------------------------------------------------
CSV = "Tải bảng (CSV)"
SVG = "Tải biểu đồ (SVG)"
TICKET_LIST = "Tải danh sách yêu cầu trong kỳ (CSV)"
BROADCAST_LIST = "Tải danh sách tin, bài trong tháng (CSV)"
PERSONAL = "Kèm thông tin cá nhân (tên, mã người dùng, nội dung): việc tải được ghi nhật ký"
PERSONAL_NOTE = "Các tệp tải về không có tên, mã người dùng hay nội dung tin nhắn của người dân."

# ---- refusals ---------------------------------------------------------------------------------
BAD_KIND = "Kỳ không hợp lệ: chọn ngày, tuần hoặc tháng."
BAD_DATE = "Ngày không hợp lệ (cần dạng năm-tháng-ngày, ví dụ 2026-12-01)."
BAD_YEAR = "Năm không hợp lệ."
BAD_UNIT = "Không có đơn vị này trong danh sách."
OTHER_UNIT = "Bạn chỉ xem được số liệu của đơn vị mình."
NO_PERSONAL = "Chỉ quản trị mới tải được thông tin cá nhân."
UNKNOWN_TABLE = "Không có bảng hay biểu đồ này."
BROKEN = "Chưa lấy được số liệu lúc này (cơ sở dữ liệu bận). Hãy thử lại sau ít phút."
BACK = "← Về trang số liệu"


def day_label(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def period_label(kind: str, start: date, last: date) -> str:
    if kind == "ngay":
        return f"Ngày {start:%d/%m/%Y}"
    if kind == "tuan":
        return f"Tuần {start:%d/%m} – {last:%d/%m/%Y}"
    return f"Tháng {start:%m/%Y}"


def month_label(month: date) -> str:
    return f"Tháng {month:%m/%Y}"


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} phút"
    if minutes < 48 * 60:
        return f"{minutes // 60} giờ {minutes % 60} phút"
    return f"{minutes // (24 * 60)} ngày {minutes % (24 * 60) // 60} giờ"


def share(part: int, whole: int) -> str:
    return "—" if not whole else f"{part * 100 / whole:.0f}%".replace(".", ",")


def target_label(target: int) -> str:
    return f"Chỉ tiêu {target} tin, bài/tháng"


def broadcasts_heading(month: date) -> str:
    return f"{BROADCASTS} — {month_label(month)}"
