"""What the bot says to officers about broadcasts, in Vietnamese."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

NOT_AN_OFFICER = "Xin lỗi, chức năng này chỉ dành cho cán bộ được phân công."
ADMIN_ONLY = "Xin lỗi, chỉ quản trị viên mới thêm hoặc bớt cán bộ."
ROSTER_USAGE = (
    "Cách dùng: /themcanbo telegram:123456789 Tên đơn vị — hoặc /xoacanbo telegram:123456789"
)
ASK_TEXT = (
    "📝 Soạn thông báo. Gửi nội dung (có thể kèm đường link), hoặc một ảnh kèm chú thích. "
    "Gõ /huy để thôi."
)
ASK_AUDIENCE = "👥 Gửi tới ai?"
ASK_AREA = "Gõ tên xã/phường (ví dụ: Ba Đình)."
ASK_TIME = "🕒 Gõ thời điểm gửi, giờ Hà Nội, ví dụ: 20:00 hoặc 20:00 26/11."
BAD_TIME = "Chưa hiểu thời điểm (hoặc đã qua). Ví dụ: 20:00 hoặc 20:00 26/11."
USE_BUTTONS = "Bạn hãy chọn bằng các nút ở trên, hoặc gõ /huy để thôi."
DIALOG_CANCELLED = "Đã hủy soạn thông báo."
PREVIEW_HEADER = "👀 Xem trước — người dân sẽ nhận đúng như sau:"
NOTHING_SCHEDULED = "Không có thông báo nào đang hẹn giờ hoặc đang gửi."
NO_SUCH_BROADCAST = "Không tìm thấy thông báo này."
STATE_NAMES = {
    "scheduled": "hẹn giờ",
    "sending": "đang gửi",
    "paused": "tạm dừng",
    "done": "đã xong",
    "cancelled": "đã hủy",
    "draft": "nháp",
}


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def audience_name(audience: dict) -> str:
    """Who a broadcast goes to, in words (the chat's dialogue and the web console)."""
    if audience.get("areas"):
        return "người đăng ký ở " + ", ".join(audience.get("area_names") or audience["areas"])
    if audience.get("topics"):
        return "người quan tâm chủ đề " + ", ".join(audience["topics"])
    return "tất cả người đăng ký"


def recipients(count: int, audience: dict) -> str:
    return f"Sẽ gửi tới {count} người ({audience_name(audience)}). Gửi khi nào?"


def confirm_question(count: int, at: datetime | None, zone: ZoneInfo) -> str:
    when = f"lúc {_local(at, zone)}" if at else "ngay bây giờ"
    return f"Gửi thông báo này tới {count} người {when}?"


def scheduled(broadcast_id: int, at: datetime, zone: ZoneInfo) -> str:
    return f"🕒 Đã hẹn gửi thông báo #{broadcast_id} lúc {_local(at, zone)}. Xem/hủy bằng /lichgui."


def progress(broadcast_id: int, counts: dict[str, int], eta_seconds: float | None = None) -> str:
    sent, failed, blocked = counts.get("sent", 0), counts.get("failed", 0), counts.get("blocked", 0)
    skipped = counts.get("skipped", 0)
    left = counts.get("queued", 0) + counts.get("sending", 0)
    total = sent + failed + blocked + skipped + left
    text = (
        f"📤 Thông báo #{broadcast_id}: đã gửi {sent}/{total} · lỗi {failed} · "
        f"chặn bot {blocked} · bỏ qua {skipped} · còn lại {left}"
    )
    if eta_seconds is not None and left:
        text += f" · dự kiến xong sau {max(1, round(eta_seconds / 60))} phút"
    return text


def final_report(broadcast_id: int, counts: dict[str, int], state: str) -> str:
    head = "✅ Đã gửi xong" if state == "done" else f"⏹ Thông báo {STATE_NAMES.get(state, state)}"
    return f"{head} #{broadcast_id}.\n" + progress(broadcast_id, counts)


def listing(broadcast_id: int, state: str, text: str, at: datetime | None, zone: ZoneInfo) -> str:
    when = f", lúc {_local(at, zone)}" if at and state == "scheduled" else ""
    short = " ".join(text.split())
    short = short if len(short) <= 80 else short[:79] + "…"
    return f"#{broadcast_id} ({STATE_NAMES.get(state, state)}{when}): {short}"


def cannot(verb: str, state: str) -> str:
    return f"Không thể thực hiện: thông báo đang ở trạng thái “{STATE_NAMES.get(state, state)}”."


def controlled(broadcast_id: int, state: str) -> str:
    return f"Thông báo #{broadcast_id}: {STATE_NAMES.get(state, state)}."


def roster_changed(command: str, who: str, unit: str) -> str:
    if command == "themcanbo":
        return f"Đã thêm cán bộ {who}" + (f" ({unit})." if unit else ".")
    return f"Đã bỏ quyền cán bộ của {who}."


def month_report(label: str, units: list[dict]) -> str:
    if not units:
        return f"📊 Tháng {label}: chưa có thông báo nào được gửi."
    lines = [f"📊 Tháng {label} — số tin/chỉ tiêu 10 tin (KH 57-KH/TU, mục IV.1.5):"]
    for unit in units:
        mark = "✅" if unit["met"] else "⚠️"
        lines.append(
            f"{mark} {unit['unit']}: {unit['broadcasts']}/{unit['target']} tin · tới {unit['delivered']} "
            f"người · phản hồi {unit['replies']} (hỏi {unit['questions']}) · 👍 {unit['thumbs_up']} "
            f"· 👎 {unit['thumbs_down']}"
        )
    return "\n".join(lines)


def photo_not_kept(reason: str) -> str:
    """The photo of a draft could not be fetched from Telegram: what that means for sending."""
    return (
        f"⚠️ Chưa lưu được ảnh này ({reason}). Nếu vẫn gửi, người nhận trên Telegram thấy ảnh, "
        "còn trên Zalo và trang web chỉ nhận phần chữ. Muốn mọi kênh đều có ảnh, gõ /huy "
        "rồi soạn lại với ảnh."
    )


# ---- Telegram's command menu for officers and admins ---------------------------------------
OFFICER_COMMANDS = (
    ("thongbao", "Soạn thông báo gửi người đăng ký"),
    ("lichgui", "Thông báo hẹn giờ và đang gửi"),
    ("baocao", "Báo cáo tháng theo đơn vị"),
    ("huy", "Bỏ thông báo đang soạn"),
    ("dangnhap", "Liên kết đăng nhập trang cán bộ"),
)
ADMIN_COMMANDS = (("themcanbo", "Thêm cán bộ"), ("xoacanbo", "Bỏ quyền cán bộ"))

# ---- buttons of the compose dialogue and of a broadcast being sent ----------------------
SEND_NOW = "Gửi ngay"
SEND_LATER = "Hẹn giờ"
CONFIRM = "✅ Xác nhận gửi"
CANCEL = "✖ Hủy"
EVERYONE = "Tất cả người đăng ký"
BY_AREA = "Theo xã/phường"
PAUSE = "⏸ Tạm dừng"
RESUME = "▶ Tiếp tục"

# ---- why a draft's photo could not be kept ------------------------------------------------
PHOTO_NOT_IMAGE = "tệp không phải ảnh JPEG, PNG, GIF hay WebP"
PHOTO_TOO_BIG = "ảnh lớn hơn 10 MB"
PHOTO_STORE_FAILED = "lỗi cơ sở dữ liệu"
PHOTO_NO_CONNECTION = "không kết nối được Telegram"


def photo_refused(message: str) -> str:
    return f"Telegram từ chối: {message}"
