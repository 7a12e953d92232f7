"""The words about officers' answers ("giải đáp") outside the console: /luu in the
officers' group, reading related sections, and the JSONL import (console and CLI alike)."""

from __future__ import annotations

# ---- /luu in the officers' group ------------------------------------------------------
NOT_OFFICER = "Chỉ cán bộ trong danh sách mới lưu được giải đáp."
UNAVAILABLE = "Chức năng lưu giải đáp chưa được bật trên bot này."
ADMIN_NO_UNIT = (
    "Quản trị viên không thuộc đơn vị nào nên chưa lưu được từ nhóm. Hãy lưu trong trang "
    "quản trị (mục Giải đáp) và ghi tên đơn vị giải đáp."
)
NO_QUESTION = (
    "Không tìm thấy câu hỏi của người dân trong yêu cầu này. Gửi lại kèm câu hỏi mẫu, "
    "ví dụ: /luu Thủ tục đăng ký hộ kinh doanh ở đâu?"
)


def no_reply_yet(ticket_id: int) -> str:
    return (
        f"Yêu cầu #{ticket_id} chưa có câu trả lời nào của cán bộ để lưu. Hãy trả lời người "
        "dân trước (trả lời vào tin của yêu cầu), rồi gửi /luu trả lời vào tin đó."
    )


def saved(entry_id: int, link: str) -> str:
    where = f": {link}" if link else " (mục Giải đáp)."
    return f"Đã lưu bản nháp giải đáp #{entry_id}; quản trị viên duyệt trong trang quản trị{where}"


def not_saved(reason: str) -> str:
    return f"Chưa lưu được giải đáp: {reason}"


# ---- related sections -----------------------------------------------------------------
def bad_section(line: str) -> str:
    return f"Không hiểu mục “{line[:60]}” (ghi như: III.3 hoặc 57-KH/TU III.3)."


# ---- the JSONL import -----------------------------------------------------------------
OUTCOMES = {
    "created": "thêm bản nháp mới",
    "revised": "thêm phiên bản mới (chờ duyệt)",
    "unchanged": "không đổi (giống phiên bản mới nhất)",
    "refused": "không nhận",
}
BAD_JSON = "không phải JSON hợp lệ"
NOT_OBJECT = "mỗi dòng phải là một đối tượng JSON {…}"
BAD_ID = "“id” phải là số của một giải đáp"
NO_QUESTIONS = "thiếu “questions” (danh sách câu hỏi mẫu)"
NO_ANSWER = "thiếu “answer” (nội dung giải đáp)"
BAD_SECTIONS = '“sections” phải là danh sách mục, như [["57-KH/TU", "III.3"]] hoặc ["III.3"]'
NOT_UTF8 = "không phải văn bản UTF-8"
LINE_TOO_LONG = "dòng quá dài"


def no_such_answer(entry_id: int) -> str:
    return f"không có giải đáp #{entry_id}"


def too_big(max_megabytes: int, max_lines: int) -> str:
    return f"Tệp quá lớn: tối đa {max_megabytes} MB và {max_lines:,} dòng.".replace(",", ".")


def import_summary(counts: dict[str, int]) -> str:
    parts = [f"{OUTCOMES[k]}: {n}" for k, n in counts.items() if n]
    return "; ".join(parts) if parts else "Tệp không có dòng nào."


# ---- the command line -------------------------------------------------------------------
def not_admin(actor: str) -> str:
    return f"{actor} không phải quản trị viên (ADMINS): chỉ quản trị viên được nhập giải đáp."


def exported(count: int, path: str) -> str:
    return f"Đã xuất {count} giải đáp vào {path}."
