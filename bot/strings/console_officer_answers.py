"""The words of the console's officers' answers section ("Giải đáp")."""

from __future__ import annotations

NAV = "Giải đáp"
HEADING = "Giải đáp của cán bộ"
INTRO = (
    "Câu trả lời của cán bộ cho những câu hỏi văn bản chưa trả lời được. Sau khi quản trị "
    "viên duyệt, bot dùng giải đáp cho người hỏi sau, ghi rõ “Giải đáp của <đơn vị>” "
    "(không phải nguyên văn Nghị quyết/Kế hoạch)."
)
SCOPE = "Bạn thấy giải đáp của đơn vị mình; quản trị viên thấy của mọi đơn vị."
NEW = "Soạn giải đáp mới"
TABS = {
    "cho-duyet": "Chờ duyệt",
    "dang-dung": "Đang dùng",
    "da-tu-choi": "Đã từ chối",
    "da-rut": "Đã rút",
}
SEARCH_LABEL = "Tìm trong câu hỏi, giải đáp, đơn vị (gõ có dấu hay không dấu đều được)"
SEARCH = "Tìm"
EMPTY = "Chưa có giải đáp nào ở mục này."
NONE_FOUND = "Không có giải đáp nào khớp với từ tìm."
COLUMNS = ("Số", "Câu hỏi mẫu", "Đơn vị", "Trạng thái", "Phiên bản", "Cập nhật")
STATES = {
    "draft": "chờ duyệt",
    "approved": "đang dùng",
    "rejected": "đã từ chối",
    "withdrawn": "đã rút",
}
EDIT_PENDING = "có bản sửa chờ duyệt"
DOWNLOAD_JSONL = "Tải về (JSONL)"
DOWNLOAD_CSV = "Tải về (CSV)"
IMPORT = "Nhập từ tệp JSONL"
CSV_COLUMNS = (
    "id",
    "trang_thai",
    "don_vi",
    "phien_ban",
    "phien_ban_duyet",
    "cau_hoi_mau",
    "giai_dap",
    "muc_lien_quan",
    "nguoi_tao",
    "cap_nhat",
)

# ---- one answer ---------------------------------------------------------------------------
BACK = "← Danh sách giải đáp"
QUESTIONS = "Câu hỏi mẫu"
ANSWER = "Giải đáp"
SECTIONS = "Mục liên quan trong văn bản"
NO_SECTIONS = "Không ghi mục nào."
UNIT = "Đơn vị"
CREATED = "Người soạn"
UPDATED = "Cập nhật"
APPROVED = "Phiên bản đang dùng"
SOURCE = "Nguồn"
NOTE = "Lý do"
FROM_TICKET = "Yêu cầu #{id}"
FROM_CLUSTER = "Nhóm câu hỏi chưa có trả lời"
FROM_IMPORT = "Nhập từ tệp"
CITIZENS_SEE = "Người dân sẽ thấy ghi chú: “Giải đáp của {unit}, ngày dd/mm/yyyy (không phải nguyên văn Nghị quyết/Kế hoạch)”."
USED = "Bot đã trả lời bằng giải đáp này ({days} ngày qua)"
USED_COUNT = "{n} lần, gần nhất {last}"
USED_NEVER = "chưa lần nào"
ASKED = "Người dân đã hỏi (mới nhất trước; chỉ quản trị viên thấy)"
VERSIONS = "Các phiên bản"
VERSION = "Phiên bản {n}"
SERVED = "đang dùng"
NEWEST = "mới nhất"
APPROVE = "Duyệt phiên bản {n}"
APPROVE_HINT = "Bot sẽ dùng đúng nội dung phiên bản này cho người hỏi sau."
REJECT = "Từ chối"
WITHDRAW = "Rút (bot thôi dùng)"
REASON = "Lý do (không bắt buộc)"
EDIT = "Sửa giải đáp (lưu thành phiên bản mới)"
EDIT_APPROVED_HINT = "Giải đáp đang dùng: bản sửa chỉ được dùng sau khi được duyệt lại."
SAVE_EDIT = "Lưu phiên bản mới"

# ---- the form -----------------------------------------------------------------------------
NEW_HEADING = "Soạn giải đáp"
QUESTIONS_LABEL = "Câu hỏi mẫu (mỗi dòng một câu, tối đa 10)"
QUESTIONS_HINT = "Những cách người dân hỏi cùng một ý; bot nhận ra cả câu hỏi diễn đạt khác."
ANSWER_LABEL = "Giải đáp (tối đa 2.000 ký tự)"
SECTIONS_LABEL = (
    "Mục liên quan (không bắt buộc; mỗi dòng một mục, ví dụ: III.3 hoặc 57-KH/TU III.3)"
)
UNIT_LABEL = "Đơn vị giải đáp"
UNIT_FIXED = "Đơn vị giải đáp: {unit}"
SAVE = "Lưu bản nháp"
CANCEL = "Thôi, về danh sách"
NO_REPLY_YET = (
    "Yêu cầu này chưa có câu trả lời của cán bộ: hãy viết giải đáp bên dưới "
    "(hoặc trả lời người dân trước rồi quay lại)."
)
SAVE_FROM_TICKET = "Lưu thành giải đáp"
DRAFT_FROM_CLUSTER = "Soạn giải đáp"

# ---- import -------------------------------------------------------------------------------
IMPORT_HEADING = "Nhập giải đáp từ tệp JSONL"
IMPORT_HELP = (
    "Mỗi dòng một đối tượng JSON như tệp tải về: dòng có “id” của một giải đáp thành "
    "phiên bản mới của giải đáp đó; dòng không có “id” thành bản nháp mới (cần “unit”). "
    "Không giải đáp nào được duyệt khi nhập: quản trị viên duyệt từng giải đáp sau. "
    "Tối đa 5 MB và 5.000 dòng."
)
FILE_LABEL = "Tệp .jsonl (UTF-8)"
IMPORT_BUTTON = "Nhập"
IMPORT_RESULT = "Kết quả nhập"
RESULT_COLUMNS = ("Dòng", "Kết quả", "Giải đáp", "Lý do")
NO_FILE = "Bạn chưa chọn tệp."

# ---- refusals -----------------------------------------------------------------------------
NOT_FOUND = "Không có giải đáp này, hoặc giải đáp không thuộc đơn vị của bạn."
TICKET_NOT_FOUND = "Không có yêu cầu này, hoặc yêu cầu không thuộc đơn vị của bạn."
ADMINS_ONLY = "Chỉ quản trị viên được làm việc này."
STALE = (
    "Giải đáp đã được sửa sau khi bạn mở trang (đã có phiên bản mới hơn). Hãy xem lại "
    "phiên bản mới nhất rồi duyệt."
)
BAD_REQUEST = "Yêu cầu không hợp lệ."
BAD_FORM = "Không đọc được nội dung gửi lên. Hãy tải lại trang rồi thử lại."
TRY_AGAIN = "Quay lại"


def wrong_state(state: str) -> str:
    return f"Giải đáp đang ở trạng thái “{STATES.get(state, state)}”, không làm được việc này."


def count(n: int) -> str:
    return f"{n} giải đáp"
