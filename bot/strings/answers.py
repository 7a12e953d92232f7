"""Fixed replies: greetings, help, handoff, not found, bad input. Vietnamese first."""

from __future__ import annotations

from collections.abc import Sequence

MAX_QUESTION_CHARS = 1000

EXAMPLES_VI = (
    "Mục tiêu thu nhập bình quân đầu người năm 2045 là bao nhiêu?",
    "Đảng ủy xã, phường phải làm gì để tuyên truyền Nghị quyết?",
    "Cuộc thi trực tuyến về Nghị quyết có chủ đề gì?",
)


def _documents(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "các văn bản trong kho"


def greeting(names: Sequence[str], english: bool = False) -> str:
    if english:
        return (
            "Hello! I answer questions about "
            f"{_documents(names)} by quoting the official text, with the section it comes from. "
            'Ask me anything about it, or type "talk to an officer" to reach a person.'
        )
    examples = "\n".join(f"• {q}" for q in EXAMPLES_VI)
    return (
        "Xin chào! Tôi trả lời câu hỏi về "
        f"{_documents(names)}, trích nguyên văn và ghi rõ mục của văn bản.\n"
        f"Bạn có thể hỏi, ví dụ:\n{examples}\n"
        "Gõ “gặp cán bộ” nếu bạn muốn trao đổi với cán bộ phụ trách."
    )


def help_text(names: Sequence[str], english: bool = False) -> str:
    if english:
        return (
            f"I can: answer questions about {_documents(names)} with verbatim quotes and section "
            "numbers; say so plainly when the documents do not cover a question; and pass your "
            'question to an officer ("talk to an officer"). You may type with or without tone marks. '
            'Type "delete my data" to delete our conversation and your subscription.'
        )
    examples = "\n".join(f"• {q}" for q in EXAMPLES_VI)
    return (
        "Tôi có thể:\n"
        f"• trả lời câu hỏi về {_documents(names)}, trích nguyên văn kèm số mục;\n"
        "• nói rõ khi văn bản không đề cập, và chuyển câu hỏi tới cán bộ khi bạn cần;\n"
        "• hiểu câu hỏi gõ có dấu hoặc không dấu, viết tắt thông dụng (NQ, KH, UBND, ko, đc…);\n"
        "• xóa lịch sử trò chuyện và đăng ký nhận tin của bạn khi bạn gõ “xóa dữ liệu”.\n"
        f"Ví dụ:\n{examples}"
    )


def thanks(english: bool = False) -> str:
    if english:
        return "You're welcome! Ask me anything else about the documents."
    return "Không có gì ạ! Bạn cứ hỏi thêm nếu cần tìm hiểu về Nghị quyết và Kế hoạch."


def handoff(english: bool = False) -> str:
    if english:
        return (
            "I will pass your message to an officer in charge. They will reply right here; "
            "you do not need to repeat anything."
        )
    return (
        "Tôi sẽ chuyển nội dung của bạn tới cán bộ phụ trách. Cán bộ sẽ trả lời ngay trong cuộc "
        "trò chuyện này, bạn không cần nhắc lại."
    )


def not_found(names: Sequence[str], english: bool = False) -> str:
    if english:
        return (
            f"I could not find this in {_documents(names)}, so I won't guess. "
            'Would you like an officer to answer? Type "talk to an officer".'
        )
    return (
        f"Xin lỗi, tôi không tìm thấy nội dung này trong văn bản ({_documents(names)}), "
        "nên không thể trả lời để tránh sai lệch. Bạn có muốn gặp cán bộ để được giải đáp không? "
        "Gõ “gặp cán bộ” để được chuyển."
    )


def unclear(english: bool = False) -> str:
    if english:
        return "Could you ask a full question about the resolution or the plan?"
    return "Bạn vui lòng đặt câu hỏi cụ thể hơn về Nghị quyết 02-NQ/TW hoặc Kế hoạch 57-KH/TU nhé."


def empty() -> str:
    return (
        "Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi về Nghị quyết 02-NQ/TW hoặc Kế hoạch 57-KH/TU, "
        f"ví dụ: “{EXAMPLES_VI[0]}”"
    )


def too_long(length: int) -> str:
    return (
        f"Tin nhắn của bạn quá dài ({_thousands(length)} ký tự). Bạn vui lòng hỏi ngắn gọn, "
        f"mỗi lần một câu (dưới {_thousands(MAX_QUESTION_CHARS)} ký tự)."
    )


def _thousands(number: int) -> str:
    """Vietnamese groups thousands with a dot: 54.000."""
    return f"{number:,}".replace(",", ".")


def no_text() -> str:
    return "Tôi chỉ hiểu câu hỏi bằng chữ. Bạn vui lòng gõ câu hỏi bằng tiếng Việt nhé."


def other_language() -> str:
    return (
        "Xin lỗi, tôi chỉ trả lời bằng tiếng Việt hoặc tiếng Anh. "
        "Sorry, I can only answer questions in Vietnamese or English."
    )


def lead_in(citation_name: str, section_label: str | None, english: bool) -> str:
    where = f"{citation_name}, {section_label}" if section_label else citation_name
    if english:
        return f"According to {where} (quoted in Vietnamese):"
    return f"Theo {where}:"


def lead_in_documents(english: bool) -> str:
    """Before quotes from more than one document (each then names its own)."""
    return "According to the documents (quoted in Vietnamese):" if english else "Theo các văn bản:"


def suggest(labels: Sequence[str], english: bool = False) -> str:
    """ "Did you mean": the sections found, numbered; the reply states no fact of its own."""
    if english:
        return _offer(
            "I'm not sure which part of the documents you mean. Did you mean:", labels, True
        )
    return _offer("Tôi chưa chắc bạn hỏi phần nào. Có phải bạn muốn hỏi về:", labels, False)


def _offer(intro: str, labels: Sequence[str], english: bool) -> str:
    """The intro, the choices numbered, and how to choose."""
    numbered = "\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1))
    choices = _choices(len(labels), english)
    if english:
        return f"{intro}\n{numbered}\nChoose one ({choices}), or ask again in other words."
    return f"{intro}\n{numbered}\nBạn chọn một mục ({choices}), hoặc hỏi lại theo cách khác."


def _choices(count: int, english: bool) -> str:
    return f"{'type' if english else 'gõ'} {numbers(count, english)}"


def numbers(count: int, english: bool = False) -> str:
    """ "1, 2 hoặc 3" ("1, 2 or 3"): the numbers a citizen may type to choose."""
    if count <= 1:
        return "1"
    listed = ", ".join(str(n) for n in range(1, count))
    return f"{listed} {'or' if english else 'hoặc'} {count}"


def suggestion_gone(english: bool = False) -> str:
    if english:
        return "That choice is no longer available. Please ask your question again."
    return "Lựa chọn này không còn hiệu lực. Bạn vui lòng hỏi lại câu hỏi của mình nhé."


def officer_label(unit: str, day: str, english: bool = False) -> str:
    """How an officer's answer is labelled wherever it is shown: never the documents' text."""
    if english:
        return f"Explanation by {unit}, {day} (not the text of the Resolution or the Plan)"
    return f"Giải đáp của {unit}, ngày {day} (không phải nguyên văn Nghị quyết/Kế hoạch)"


def officer_answer(label: str, answer: str, english: bool = False) -> str:
    return f"💬 {label}:\n{answer}"


def related_quotes(english: bool = False) -> str:
    return "Văn bản liên quan:" if not english else "Related text of the documents:"


def see_also_officer(label: str, answer: str, english: bool = False) -> str:
    """After a document's answer: an officer's explanation, at most as a "see also"."""
    head = "See also the officers' explanation" if english else "Xem thêm giải đáp của cán bộ"
    return f"{head} — {label}:\n{answer}"


def officer_suggestion_label(unit: str, english: bool = False) -> str:
    return f"Officers' explanation ({unit})" if english else f"Giải đáp của cán bộ {unit}"


def suggest_with_officer(labels: Sequence[str], english: bool = False) -> str:
    """An officer answer offered as a choice: the question it answers, never its content."""
    if english:
        intro = (
            "I'm not sure the documents answer this. Officers have explained a similar "
            "question. Did you mean:"
        )
        return _offer(intro, labels, True)
    intro = (
        "Tôi chưa chắc văn bản trả lời câu này. Cán bộ đã giải đáp một câu hỏi gần giống. "
        "Có phải bạn muốn hỏi:"
    )
    return _offer(intro, labels, False)
