"""The words of the console's broadcasts section ("Thông báo"), for officers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# ---- the list -----------------------------------------------------------------------------
HEADING = "Thông báo gửi người đăng ký"
NEW = "Soạn thông báo mới"
SCOPE = "Bạn thấy các thông báo của đơn vị mình; quản trị thấy của mọi đơn vị."
EMPTY = "Chưa có thông báo nào."
OLDER = "Xem các thông báo cũ hơn"
COLUMNS = (
    "Số",
    "Thời gian",
    "Nội dung",
    "Trạng thái",
    "Người nhận",
    "Đã nhận",
    "Chặn bot",
    "Bỏ qua",
    "Lỗi",
    "Phản hồi trong 24 giờ",
)
UNIT_COLUMN = "Đơn vị"
REPLIES_NOTE = (
    "“Phản hồi trong 24 giờ”: số tin người nhận gửi cho bot trong 24 giờ kể từ lúc bắt đầu "
    "gửi, cách tính như báo cáo tháng (/baocao)."
)

# ---- composing ----------------------------------------------------------------------------
COMPOSE = "Soạn thông báo"
TEXT = "Nội dung"
TEXT_HINT = (
    "Tối đa 4096 ký tự; nếu kèm ảnh, tối đa 1024 ký tự (giới hạn của Telegram). "
    "Người dân nhận đúng nguyên văn."
)
PHOTO = "Ảnh kèm theo (không bắt buộc)"
PHOTO_HINT = "Ảnh JPEG, PNG, GIF hoặc WebP, tối đa 10 MB."
KEEP_PHOTO = "Giữ ảnh đã chọn trước đó"
AUDIENCE = "Gửi tới"
EVERYONE = "Tất cả người đăng ký"
BY_AREA = "Người đăng ký ở một xã/phường"
AREA = "Tên xã/phường (ví dụ: Ba Đình)"
WHEN = "Thời điểm gửi"
NOW = "Gửi ngay khi xác nhận"
LATER = "Hẹn giờ"
AT = "Ngày giờ gửi (giờ Hà Nội)"
TO_PREVIEW = "Xem trước"
CANCEL_COMPOSE = "Thôi, về danh sách"

# ---- the preview --------------------------------------------------------------------------
PREVIEW = "Xem trước — người dân sẽ nhận đúng như sau"
CONFIRM = "Xác nhận gửi"
EDIT = "Sửa lại"
ZALO_OA_PHOTO = (
    "Lưu ý: Zalo OA chỉ nhận ảnh JPEG hoặc PNG dưới 1 MB; người nhận qua Zalo OA sẽ chỉ "
    "nhận phần chữ của thông báo này."
)

# ---- one broadcast ------------------------------------------------------------------------
BACK = "← Danh sách thông báo"
PROGRESS = "Tiến độ gửi"
COUNTS = {
    "sent": "Đã gửi",
    "blocked": "Chặn bot",
    "skipped": "Bỏ qua",
    "failed": "Lỗi",
    "waiting": "Đang chờ gửi",
    "total": "Tổng số người nhận",
}
REPLIES = "Phản hồi trong 24 giờ"
PAUSE = "Tạm dừng"
RESUME = "Tiếp tục gửi"
CANCEL = "Hủy thông báo"
VERBS = {"tam-dung": "pause", "tiep-tuc": "resume", "huy": "cancel"}
SENDER = "Người gửi"
AUDIENCE_OF = "Người nhận"
NO_PHOTO_KEPT = "Ảnh của thông báo này chỉ có trên Telegram (chưa lưu được bản sao)."

# ---- refusals (polite 4xx pages) ----------------------------------------------------------
EMPTY_TEXT = "Bạn chưa viết nội dung thông báo."
NOT_IMAGE = "Tệp đã chọn không phải ảnh JPEG, PNG, GIF hay WebP. Hãy chọn một ảnh."
TOO_BIG = "Ảnh lớn hơn 10 MB. Hãy chọn ảnh nhỏ hơn."
BAD_TIME = "Chưa hiểu ngày giờ gửi. Hãy chọn ngày giờ, ví dụ 20:00 26/11."
PAST_TIME = "Thời điểm hẹn gửi đã qua. Hãy chọn một thời điểm sau bây giờ."
NO_AREA = "Bạn chọn gửi theo xã/phường nhưng chưa gõ tên xã/phường."
BAD_AUDIENCE = "Hãy chọn người nhận thông báo."
BAD_FORM = "Không đọc được biểu mẫu vừa gửi. Hãy tải lại trang rồi thử lại."
NOT_FOUND = "Không có thông báo này, hoặc thông báo không thuộc đơn vị của bạn."
NO_DRAFT = "Không tìm thấy bản nháp này. Hãy soạn lại thông báo."
PHOTO_GONE = "Ảnh của bản nháp không còn được lưu. Hãy soạn lại thông báo với ảnh."
BEING_SENT = "Thông báo này đã được xác nhận; đang chuyển tới trang theo dõi."
TRY_AGAIN = "Quay lại"


def too_long(length: int, limit: int, photo: bool) -> str:
    why = "chú thích ảnh trên Telegram" if photo else "một tin Telegram"
    return (
        f"Nội dung dài {length} ký tự, quá giới hạn {limit} ký tự của {why}. "
        "Hãy rút gọn (hoặc bỏ ảnh, nếu nội dung dài)."
    )


def topic(name: str) -> str:
    return f"Người quan tâm chủ đề “{name}”"


def count(number: int, audience_name: str) -> str:
    return f"Sẽ gửi tới {number} người ({audience_name})."


def local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def when(state: str, scheduled: datetime | None, started: datetime | None, zone: ZoneInfo) -> str:
    if state == "scheduled" and scheduled is not None:
        return f"Hẹn gửi lúc {local(scheduled, zone)}"
    if started is not None:
        return f"Bắt đầu gửi lúc {local(started, zone)}"
    return ""


def title(broadcast_id: int) -> str:
    return f"Thông báo #{broadcast_id}"


def progress_line(counts: dict[str, int]) -> str:
    """The counts in one line (the page's text, read again by screen readers when done)."""
    return (
        f"Đã gửi {counts['sent']}/{counts['total']} · chặn bot {counts['blocked']} · "
        f"bỏ qua {counts['skipped']} · lỗi {counts['failed']} · còn chờ {counts['waiting']}"
    )
