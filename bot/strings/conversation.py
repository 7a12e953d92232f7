"""What the conversation says to citizens and operators, in Vietnamese."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.answer import Suggestion
from bot.core.messages import Button
from bot.core.records import MessageRecord
from bot.strings import answers as replies
from bot.strings import privacy

FEEDBACK_UP = "👍"
FEEDBACK_DOWN = "👎"
FULL_TEXT = "Xem nguyên văn"
TALK_TO_OFFICER = "Gặp cán bộ"
SUGGESTION_LABEL = 60  # a suggestion button: "2. mục II.2.2 — Thông tin, tuyên truyền về…"

UNSUPPORTED = "Xin lỗi, hiện tôi chỉ hỗ trợ câu hỏi bằng chữ. Bạn vui lòng gõ câu hỏi (có dấu hoặc không dấu đều được)."
FLOODED = "Bạn đang gửi tin nhắn quá nhanh. Vui lòng đợi khoảng một phút rồi hỏi tiếp nhé."
FEEDBACK_THANKS = "Cảm ơn bạn đã góp ý!"
FEEDBACK_SORRY = "Cảm ơn bạn. Nếu câu trả lời chưa đúng ý, bạn có thể bấm “Gặp cán bộ”."
TICKET_ALREADY_OPEN = "Yêu cầu của bạn đã được chuyển tới cán bộ. Bạn cứ nhắn thêm ở đây, cán bộ sẽ đọc được và trả lời. Muốn hỏi lại bot, bạn gõ “hỏi tiếp”."
LEAVE = "↩️ Hỏi tiếp bot"
LEFT_TICKET = "Đã kết thúc trao đổi với cán bộ. Bạn cứ hỏi tiếp về Nghị quyết và Kế hoạch, tôi sẽ trả lời từ văn bản."
NOTHING_TO_LEAVE = "Bạn đang trò chuyện với bot. Bạn cứ gõ câu hỏi về Nghị quyết hoặc Kế hoạch nhé."
RELAYED = "Đã chuyển tin nhắn của bạn tới cán bộ."
TICKET_CLOSED_FOR_CITIZEN = "Cán bộ đã kết thúc cuộc trao đổi. Cảm ơn bạn! Bạn có thể tiếp tục hỏi về Nghị quyết và Kế hoạch bất cứ lúc nào."
NO_SUCH_PASSAGE = "Không tìm thấy nguyên văn cho câu trả lời này."
NO_CHOICE_PENDING = "Bạn đang chọn số nào ạ? Hiện không có danh sách để chọn. Bạn cứ gõ câu hỏi về Nghị quyết hoặc Kế hoạch nhé."
NOTHING_TO_RATE = "Chưa có câu trả lời nào để đánh giá. Bạn hãy đặt câu hỏi trước nhé."
SUBSCRIBE = "🔔 Nhận tin mới"
SUBSCRIBED = "🔔 Bạn đã đăng ký nhận tin mới về Nghị quyết và Kế hoạch. Gõ “hủy đăng ký” bất cứ lúc nào để ngừng."
UNSUBSCRIBED = "Bạn đã hủy đăng ký, sẽ không nhận tin mới nữa. Gõ “đăng ký” nếu muốn nhận lại."


TOPICS = ("quy hoạch", "kinh tế", "văn hóa – xã hội", "cuộc thi")
PICK_TOPICS = (
    "Bạn có thể chọn chủ đề muốn nhận (mặc định: tất cả), và gõ “đăng ký phường <tên>” "
    "(hoặc “đăng ký xã <tên>”) để nhận tin của địa phương mình."
)
AREA_HOW = "Gõ “đăng ký phường <tên>”, ví dụ: đăng ký phường Ba Đình."


def topic_buttons(chosen: Sequence[str] | None) -> tuple[Button, ...]:
    marks = set(chosen or ())
    return tuple(
        Button(("✅ " if topic in marks else "") + topic.capitalize(), f"topic:{n}")
        for n, topic in enumerate(TOPICS)
    )


def topics_chosen(chosen: Sequence[str]) -> str:
    if not chosen:
        return "Bạn sẽ nhận tin về mọi chủ đề."
    return "Bạn sẽ nhận tin về: " + ", ".join(chosen) + "."


def area_chosen(name: str) -> str:
    return f"Đã ghi nhận địa phương của bạn: {name}. Bạn sẽ nhận cả tin riêng của địa phương."


def _reception(phone: str, address: str) -> str:
    """Where to get help from people, as configured (HELP_PHONE, HELP_ADDRESS)."""
    parts = [f"điện thoại {phone}" if phone else "", f"địa chỉ {address}" if address else ""]
    known = "; ".join(p for p in parts if p)
    if known:
        return f"Bạn có thể liên hệ bộ phận tiếp công dân: {known}."
    return "Bạn có thể liên hệ bộ phận tiếp công dân của UBND phường, xã nơi bạn cư trú."


def no_officer_here(phone: str, address: str) -> str:
    return (
        "Hiện chưa có cán bộ trực trên kênh này nên tôi chưa thể chuyển câu hỏi của bạn. "
        f"{_reception(phone, address)} "
        "Bạn vẫn có thể tiếp tục hỏi tôi về nội dung Nghị quyết và Kế hoạch."
    )


def ticket_expired(ticket_id: int, hours: int, phone: str, address: str) -> str:
    return (
        f"Xin lỗi bạn: yêu cầu #{ticket_id} chưa được cán bộ trả lời sau {hours} giờ nên đã "
        f"được đóng lại. {_reception(phone, address)} Tôi trả lời tin nhắn mới của bạn "
        "từ văn bản; nếu vẫn cần cán bộ, bạn gõ “gặp cán bộ” để gửi lại."
    )


def ticket_expired_note(ticket_id: int, hours: int) -> str:
    return f"⏰ Yêu cầu #{ticket_id} đã tự đóng: không có cán bộ trả lời sau {hours} giờ."


def citizen_left_note(ticket_id: int) -> str:
    return f"↩️ Người dân đã kết thúc yêu cầu #{ticket_id} để hỏi tiếp bot."


def event_given_up(platform: str, person: str, why: str) -> str:
    where = PLATFORM_NAMES.get(platform, platform)
    return (
        f"⚠️ Một tin nhắn {where} của người dùng {person} không xử lý được sau nhiều lần "
        f"thử nên đã bỏ qua ({why}). Người gửi chưa nhận được trả lời; đề nghị cán bộ "
        "liên hệ lại nếu cần."
    )


def leave_buttons() -> tuple[Button, ...]:
    return (Button(LEAVE, "leave"),)


def handoff_notice(ticket_id: int, after_hours_until: str | None) -> str:
    text = (
        f"Đã chuyển yêu cầu #{ticket_id} của bạn tới cán bộ phụ trách. "
        "Cán bộ sẽ trả lời ngay trong cuộc trò chuyện này, bạn không cần nhắc lại nội dung."
    )
    if after_hours_until:
        text += f" Hiện đã ngoài giờ làm việc; cán bộ sẽ phản hồi từ {after_hours_until}."
    return text


def operator_reply(text: str, unit: str | None = None) -> str:
    """An officer's words, labelled as such (never mistaken for the documents' text)."""
    who = f"Cán bộ {unit}" if unit else "Cán bộ"
    return f"💬 {who} trả lời:\n{text}"


def operator_words(said: str) -> str:
    """The officer's own words of a relayed reply: ``operator_reply`` undone."""
    head, newline, rest = said.partition("\n")
    return rest if newline and head.startswith("💬 ") and head.endswith(" trả lời:") else said


def answer_buttons(message_id: int, has_citations: bool) -> tuple[Button, ...]:
    buttons = [
        Button(FEEDBACK_UP, f"fb:up:{message_id}"),
        Button(FEEDBACK_DOWN, f"fb:dn:{message_id}"),
    ]
    if has_citations:
        buttons.append(Button(FULL_TEXT, f"full:{message_id}:0"))
    buttons.append(Button(TALK_TO_OFFICER, "handoff"))
    return tuple(buttons)


def suggestion_buttons(message_id: int, suggestions: Sequence[Suggestion]) -> tuple[Button, ...]:
    """One button per suggested section ("2. mục II.2.2 — Mục tiêu, chỉ tiêu"), then an officer."""
    choices = []
    for n, s in enumerate(suggestions, 1):
        where = s.label.rsplit(", ", 1)[-1]
        choices.append(
            Button(clip(f"{n}. {where} — {s.title}", SUGGESTION_LABEL), f"sg:{message_id}:{n}")
        )
    return (*choices, Button(TALK_TO_OFFICER, "handoff"))


def buttons_for(record: MessageRecord) -> tuple[Button, ...]:
    """The buttons a stored message had when it was sent (the web shows them again)."""
    if record.direction != "out":
        return ()
    if record.kind == "answer":
        return answer_buttons(record.id, any(c.kind == "document" for c in record.citations))
    if record.kind == "suggest":
        return suggestion_buttons(record.id, record.suggestions)
    if record.kind == "not_found":
        return (Button(TALK_TO_OFFICER, "handoff"),)
    if record.kind == "handoff":
        return leave_buttons()
    if record.kind in privacy.ASK_KINDS:
        return privacy.erase_buttons(english=record.kind == privacy.ASK_KIND_EN)
    return ()


def no_such_choice(count: int) -> str:
    return (
        f"Chỉ có lựa chọn {replies.numbers(count)}. "
        "Bạn gõ lại số của mục muốn xem, hoặc hỏi câu khác nhé."
    )


def start_buttons(examples: Sequence[str]) -> tuple[Button, ...]:
    return (
        *(Button(q[:40], f"ex:{i}") for i, q in enumerate(examples)),
        Button(TALK_TO_OFFICER, "handoff"),
        Button(SUBSCRIBE, "sub"),
    )


# ---- operators' group -------------------------------------------------------------------
PLATFORM_NAMES = {
    "telegram": "Telegram",
    "zalo_oa": "Zalo OA",
    "zalo_bot": "Zalo Bot",
    "web": "Web",
}


def ticket_post(
    ticket_id: int,
    platform: str,
    name: str,
    reason: str,
    history: Sequence[tuple[str, str]],
) -> str:
    """The post that opens a ticket in the operators' group: who, why, and the recent exchange."""
    lines = [
        f"🆘 Yêu cầu #{ticket_id} · {PLATFORM_NAMES.get(platform, platform)} · {name or 'Người dân'}"
    ]
    lines.append(f"Lý do: {reason}")
    if history:
        lines.append("— Trao đổi gần đây —")
        for direction, text in history:
            who = "👤" if direction == "in" else "🤖"
            lines.append(f"{who} {clip(text, 600)}")
    lines.append(
        "↩️ Trả lời (Reply) tin này để gửi tới người dân; trả lời bằng /dong để đóng yêu cầu."
    )
    return "\n".join(lines)


def relay_post(ticket_id: int, platform: str, name: str, text: str) -> str:
    return f"💬 #{ticket_id} · {PLATFORM_NAMES.get(platform, platform)} · {name or 'Người dân'}:\n{text}"


def ticket_closed_note(ticket_id: int) -> str:
    return f"✅ Đã đóng yêu cầu #{ticket_id} và báo cho người dân."


def ticket_already_closed(ticket_id: int) -> str:
    return f"⚠️ Yêu cầu #{ticket_id} đã đóng, tin nhắn này không được gửi tới người dân."


def delivery_failed(ticket_id: int, reason: str) -> str:
    return f"⚠️ Không gửi được tới người dân của yêu cầu #{ticket_id}: {reason}"


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, "…" where it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- why a ticket was opened (the officers read it in the ticket's post) ------------
REASON_ACCEPTED_OFFER = "văn bản chưa có câu trả lời, người dân đồng ý gặp cán bộ"
REASON_TWO_DOWNVOTES = "người dân không hài lòng với hai câu trả lời liên tiếp"


def reason_asked_for_person(text: str) -> str:
    return f"yêu cầu người thật / khiếu nại / kiến nghị: “{clip(text, 120)}”"


def reason_button(typed: bool) -> str:
    return "người dân gõ “gặp cán bộ”" if typed else "người dân bấm “Gặp cán bộ”"


# ---- the full text of a section ("Xem nguyên văn") -------------------------------------
NEXT_PAGE = "Trang sau ▶"


def passage_header(label: str, page: int, pages: int) -> str:
    return f"📄 {label} (nguyên văn, trang {page}/{pages}):\n"


# ---- what a text-only platform shows instead of each button -----------------------------
TYPED = {
    "handoff": "“gặp cán bộ”",
    "sub": "“đăng ký” (nhận tin mới)",
    "unsub": "“hủy đăng ký”",
    "full": "“xem nguyên văn”",
    "leave": "“hỏi tiếp” (hỏi lại bot)",
    "fb": "👍 hoặc 👎 (đánh giá câu trả lời)",
    "topic": "“đăng ký chủ đề <quy hoạch / kinh tế / văn hóa / cuộc thi>”",
}
TYPE_INSTEAD = "Bạn có thể gõ: "

# ---- office hours ---------------------------------------------------------------------------
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]

# ---- Telegram's command menu ("/" button) ----------------------------------------------------
CITIZEN_COMMANDS = (
    ("start", "Bắt đầu, giới thiệu"),
    ("huongdan", "Cách hỏi và các lệnh"),
    ("canbo", "Gặp cán bộ"),
    ("dangky", "Đăng ký nhận tin mới"),
    ("huydangky", "Hủy đăng ký nhận tin"),
    ("xoadulieu", "Xóa dữ liệu của tôi"),
)
