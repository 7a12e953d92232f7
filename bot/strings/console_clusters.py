"""Words of the console's page of questions the documents do not answer, grouped by meaning
(Kế hoạch 57-KH/TU, mục III.10: nắm bắt dư luận, mối quan tâm của người dân)."""

from __future__ import annotations

TITLE = "Câu hỏi văn bản chưa trả lời được"
INTRO = (
    "Những câu người dân hỏi mà văn bản không trả lời được, gom nhóm theo ý nghĩa (viết có "
    "dấu hay không dấu đều gom chung): {days} ngày gần nhất, tối đa {cap} câu mới nhất; "
    "nhóm lớn nhất ở trên."
)
BACK = "← Số liệu"
NOT_AVAILABLE = "Chức năng gom nhóm câu hỏi chưa được bật trên máy chủ này."
FIRST_RUN = "Đang tính lần đầu. Trang sẽ có số liệu sau ít phút; hãy tải lại trang sau."
REFRESHING = "Đang tính lại với các câu hỏi mới; số liệu dưới đây là của lần tính trước."
OFFICER_SCOPE = (
    "Số câu hỏi trong mỗi nhóm tính trên toàn bộ người dân. Câu hỏi ví dụ chỉ hiện những câu "
    "của người dân thuộc phường, xã của đơn vị anh/chị."
)
NONE_YET = "Chưa có câu hỏi nào mà văn bản không trả lời được trong thời gian này."
NO_EXAMPLE = "(Không có câu hỏi của người dân thuộc đơn vị anh/chị trong nhóm này.)"
EXAMPLES = "Các cách hỏi khác"
KEYWORDS = "Từ ngữ chung"
FROM_UNIT = "Từ người dân của đơn vị"
SEEN = "Lần đầu {first} — gần nhất {last}"
EXPORT = "Tải bảng (CSV)"
EXPORT_EXAMPLES = "Tải bảng kèm câu hỏi ví dụ (dữ liệu cá nhân, việc tải được ghi nhật ký)"
EXAMPLES_REFUSED = "Chỉ quản trị viên được tải bảng kèm nội dung câu hỏi của người dân."
BAD_REQUEST = "Yêu cầu không hợp lệ. Hãy mở lại trang từ mục Số liệu."
MORE = "Xem {n} nhóm"
FILE_NAME = "cau-hoi-chua-tra-loi.csv"

COLUMNS = (
    "Nhóm",
    "Số câu hỏi",
    "Số cách hỏi khác nhau",
    "7 ngày qua",
    "7 ngày trước đó",
    "30 ngày qua",
    "30 ngày trước đó",
    "Lần đầu",
    "Gần nhất",
    "Từ ngữ chung",
)
UNIT_COLUMN = "Từ người dân của đơn vị"
EXAMPLE_COLUMNS = ("Câu hỏi tiêu biểu", "Ví dụ 1", "Ví dụ 2", "Ví dụ 3", "Ví dụ 4", "Ví dụ 5")


def number(count: int) -> str:
    """12.345: Vietnamese writes thousands with dots."""
    return f"{count:,}".replace(",", ".")


def computed(when: str, seconds: float, questions: int, groups: int, alone: int) -> str:
    took = "chưa tới 1 giây" if seconds < 1 else f"{seconds:.0f} giây"
    return (
        f"Tính lúc {when} (mất {took}): {number(questions)} câu hỏi, "
        f"{number(groups)} nhóm từ hai câu trở lên; {number(alone)} câu hỏi chưa giống câu "
        "nào khác."
    )


def size(count: int) -> str:
    return f"{number(count)} câu hỏi"


def trend(label: str, now: int, before: int) -> str:
    """ "7 ngày qua: 12 ↑ (trước đó 5)"."""
    arrow = "↑" if now > before else "↓" if now < before else "→"
    return f"{label}: {now} {arrow} (trước đó {before})"


WEEK = "7 ngày qua"
MONTH = "30 ngày qua"
TREND_LABEL = "Xu hướng"
