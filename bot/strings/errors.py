"""What a person reads when something goes wrong: one apology, polite refusals, no trace."""

from __future__ import annotations

# The one apology, whatever went wrong and on whichever channel.
APOLOGY = "Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút."

# A database or engine that does not answer in time: the page tries again by itself.
BUSY = "Hệ thống đang bận, bạn vui lòng đợi giây lát, câu hỏi sẽ được gửi lại."

# The web chat's refusals (HTTP 4xx bodies: {"error": …}).
TOO_FAST = "Bạn gửi yêu cầu quá nhanh. Vui lòng đợi một chút rồi thử lại."
TOO_LARGE = "Nội dung gửi lên quá lớn."
NO_QUESTION = "Thiếu câu hỏi."
BAD_ACTION = "Thao tác không hợp lệ."
BAD_REQUEST = "Yêu cầu không hợp lệ."
RELOAD = "Hãy tải lại trang để bắt đầu cuộc trò chuyện."
NOT_YOURS = "Không xem được cuộc trò chuyện này."
NO_SUCH_SECTION = "Không có mục này."
NO_VISITOR = "Thiếu mã người dùng."
NOT_FOUND = "Không tìm thấy."
NOT_JSON = "Yêu cầu phải gửi dạng JSON."
FOREIGN_ORIGIN = "Trang này không được phép gửi câu hỏi tới hệ thống."
TOO_MANY_STREAMS = "Có quá nhiều cửa sổ trò chuyện đang mở từ địa chỉ này."
