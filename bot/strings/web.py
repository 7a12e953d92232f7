"""The web chat page's own words: its title and subtitle (from the documents loaded), the
greeting a new visitor reads, and the privacy notice and page."""

from __future__ import annotations

from collections.abc import Sequence

from bot.strings.privacy import ERASED_KIND

PRIVACY_PATH = "/rieng-tu"
MAX_NAMES_IN_TITLE = 2


def _names(names: Sequence[str]) -> str:
    if not names:
        return "văn bản"
    if len(names) <= MAX_NAMES_IN_TITLE:
        return " và ".join(names)
    return f"{names[0]} và {len(names) - 1} văn bản khác"


def title(names: Sequence[str]) -> str:
    """ "Hỏi đáp Kế hoạch 57-KH/TU" — what is actually loaded, not what was planned."""
    return f"Hỏi đáp {_names(names)}"


def subtitle(names: Sequence[str]) -> str:
    return f"Trích nguyên văn {_names(names)}, kèm số mục"


def greeting(names: Sequence[str]) -> str:
    """What the bot can and cannot do, shown (not stored) to a visitor with no history."""
    return (
        f"Xin chào! Tôi trả lời câu hỏi về {_names(names)} bằng cách trích nguyên văn, "
        "ghi rõ mục của văn bản. Bạn gõ có dấu hay không dấu đều được.\n"
        "Tôi không trả lời những điều văn bản không nói (thủ tục, giá cả, việc riêng), "
        "và không phải là cán bộ: khi cần, bạn bấm “Gặp cán bộ” hoặc gõ “gặp cán bộ”."
    )


TYPING = "Trợ lý đang soạn câu trả lời…"
PRIVACY_LINE = "Cuộc trò chuyện được lưu để trả lời bạn."
PRIVACY_LINK = "Quyền riêng tư"


def privacy_page(retention_days: int, help_phone: str) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs for the short privacy page (Nghị định 13/2023/NĐ-CP)."""
    kept = (
        f"Nội dung trò chuyện được lưu {retention_days} ngày rồi tự động xóa."
        if retention_days > 0
        else "Nội dung trò chuyện được lưu cho đến khi bạn yêu cầu xóa."
    )
    contact = f" Bạn cũng có thể gọi {help_phone} để yêu cầu xóa." if help_phone else ""
    return [
        (
            "Những gì được lưu",
            "Câu hỏi bạn gửi, câu trả lời của trợ lý, trả lời của cán bộ, đánh giá 👍/👎 và "
            "việc bạn đăng ký nhận thông báo. Trang lưu một mã ngẫu nhiên trên trình duyệt để "
            "nhận ra cuộc trò chuyện của bạn; không cần tên, số điện thoại hay tài khoản.",
        ),
        (
            "Dùng để làm gì",
            "Để trả lời bạn, để cán bộ tiếp nhận khi bạn yêu cầu mà bạn không phải nhắc lại, "
            "và để cán bộ biết người dân còn băn khoăn điều gì về văn bản.",
        ),
        ("Lưu bao lâu", kept),
        (
            "Xóa dữ liệu",
            "Gõ “xóa dữ liệu” trong khung trò chuyện; sau khi bạn xác nhận, toàn bộ cuộc "
            "trò chuyện của bạn bị xóa khỏi hệ thống. Tin đã chuyển tới nhóm cán bộ trên "
            f"Telegram (khi bạn yêu cầu gặp cán bộ) không tự xóa được ở đó.{contact}",
        ),
        (
            "Căn cứ",
            "Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.",
        ),
    ]


BACK_TO_CHAT = "← Quay lại trò chuyện"

# The words chat.js shows, handed to the page as JSON (one place for every word).
PAGE = {
    "who": {
        "bot": "Trợ lý",
        "notice": "Trợ lý",
        "user": "Bạn",
        "broadcast": "Thông báo",
        "officer": "Cán bộ",
        "handoff": "Đã chuyển tới cán bộ",
    },
    "open": "Xem nguyên văn",
    "close_passage": "Thu gọn nguyên văn",
    "loading": "Đang tải nguyên văn…",
    "more": "Xem thêm",
    "less": "Thu gọn",
    "typing": TYPING,
    "retry": "Mất kết nối, đang thử lại…",
    "reconnecting": "Đang kết nối lại…",
    "no_server": "Không kết nối được máy chủ, đang thử lại…",
    "empty": "Bạn hãy nhập câu hỏi.",
    "fb_up": "Câu trả lời hữu ích",
    "fb_down": "Câu trả lời chưa đúng ý",
    "photo_alt": "Ảnh kèm thông báo",
    "suggest": "Chọn một mục",
    "erased_kind": ERASED_KIND,  # the reply after "xóa dữ liệu": the page clears itself
}

# The page's fixed controls (index.html).
CLOSE_LABEL = "Đóng khung trò chuyện"
QUESTION_LABEL = "Câu hỏi của bạn"
PLACEHOLDER = "Nhập câu hỏi…"
SEND = "Gửi"
SEND_LABEL = "Gửi câu hỏi"
NO_SCRIPT = "Trang cần JavaScript để trò chuyện."
MESSAGES_LABEL = "Cuộc trò chuyện"
STARTERS_LABEL = "Câu hỏi gợi ý"

# The widget's launcher on a portal's page (widget.js): its default title and the badge's word.
WIDGET = {"launcher": "Hỏi đáp", "unread": "tin mới"}
