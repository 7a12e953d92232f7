"""What the bot says about a citizen's personal data: deleting it on request ("xóa dữ
liệu", Nghị định 13/2023/NĐ-CP), in Vietnamese, or English for an English request."""

from __future__ import annotations

from bot.core.commands import ERASE
from bot.core.messages import Button

# Kinds of the stored question, so a reloaded web page shows its buttons again and an
# answer to it is given in the question's language.
ASK_KIND = "erase_ask"
ASK_KIND_EN = "erase_ask_en"
ASK_KINDS = (ASK_KIND, ASK_KIND_EN)
ERASED_KIND = "erased"  # "Đã xóa…": a web page clears what it still shows


def erase_buttons(english: bool = False) -> tuple[Button, ...]:
    tail = ":en" if english else ""
    return (
        Button("Delete" if english else "Xóa", f"{ERASE}:yes{tail}"),
        Button("No" if english else "Không", f"{ERASE}:no{tail}"),
    )


def erase_question(minutes: int, english: bool = False) -> str:
    """Exactly what will go, and how to confirm, with buttons or without (Zalo)."""
    if english:
        return (
            "Do you want to delete your personal data on this channel? This will:\n"
            "• delete our whole conversation here: your questions, the bot's answers, "
            "your 👍/👎 ratings and officers' replies to you;\n"
            "• cancel your subscription to updates, if any;\n"
            "• close any request of yours still waiting for an officer;\n"
            "• clear the name shown for you.\n"
            "Messages already passed to the officers' Telegram group stay there.\n"
            "This cannot be undone. Press “Delete” (or type “yes”) to confirm, or “No” "
            f"(or type “no”) to keep everything. This question expires in {minutes} minutes."
        )
    return (
        "Bạn muốn xóa dữ liệu cá nhân của mình trên kênh này? Tôi sẽ:\n"
        "• xóa toàn bộ lịch sử trò chuyện ở đây: câu hỏi của bạn, câu trả lời của bot, "
        "đánh giá 👍/👎 và tin nhắn cán bộ gửi bạn;\n"
        "• hủy đăng ký nhận tin mới (nếu có);\n"
        "• đóng các yêu cầu đang chờ cán bộ trả lời;\n"
        "• xóa tên hiển thị của bạn.\n"
        "Tin đã chuyển tới nhóm cán bộ trên Telegram vẫn còn ở đó.\n"
        "Việc xóa không thể hoàn tác. Bấm “Xóa” (hoặc gõ “có”) để xác nhận, bấm “Không” "
        f"(hoặc gõ “không”) để giữ lại. Câu hỏi này hết hạn sau {minutes} phút."
    )


def erased(messages: int, english: bool = False) -> str:
    if english:
        return (
            f"Done: your data has been deleted ({messages} messages). "
            "You can keep asking about the documents at any time."
        )
    return (
        f"Đã xóa dữ liệu của bạn ({messages} tin nhắn). "
        "Bạn vẫn có thể hỏi về Nghị quyết và Kế hoạch bất cứ lúc nào."
    )


def erase_cancelled(english: bool = False) -> str:
    if english:
        return "Cancelled: nothing was deleted."
    return "Đã hủy, dữ liệu của bạn được giữ nguyên."


def nothing_to_confirm(minutes: int, english: bool = False) -> str:
    """A confirmation pressed late, twice, or with no question asked: polite, no error."""
    if english:
        return (
            "There is no deletion waiting for your confirmation (the question expires after "
            f"{minutes} minutes, or it was already answered). To delete your data, type "
            "“delete my data”."
        )
    return (
        "Hiện không có yêu cầu xóa dữ liệu nào đang chờ xác nhận (câu hỏi hết hạn sau "
        f"{minutes} phút, hoặc đã được trả lời). Nếu muốn xóa, bạn gõ “xóa dữ liệu”."
    )


def ticket_erased_note(ticket_id: int) -> str:
    """To the officers' chat: which ticket, and why; never anything the citizen said."""
    return (
        f"🗑 Yêu cầu #{ticket_id} đã đóng: người dân đã yêu cầu xóa dữ liệu cá nhân của mình. "
        "Tin nhắn trả lời yêu cầu này sẽ không được gửi tới người dân."
    )
