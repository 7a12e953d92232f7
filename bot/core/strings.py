"""User-facing words the core itself says (the dialogues keep theirs in their own rooms)."""

from __future__ import annotations

# The one apology, whatever went wrong and on whichever channel.
APOLOGY = "Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút."
